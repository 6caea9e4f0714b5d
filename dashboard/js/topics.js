// Topic names (GET /topics), read once per page load.
import { get } from './api.js';

let names = null;

export async function topicNames() {
  if (!names) names = get('/topics', { pageSize: 500 }).then((res) => Object.fromEntries(res.items.map((t) => [t.code, t.name]))).catch(() => ({}));
  return names;
}
