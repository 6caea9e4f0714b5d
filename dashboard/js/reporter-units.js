// A reporter files for its own unit or one below it (a township for its villages).
import { get, getAll } from './api.js';
import { select } from './ui.js';

let cache = null;

export async function reportingUnits(user) {
  if (cache && cache.userId === user.id) return cache.units;
  const res = await get('/org-units', { underId: user.orgUnitId, kind: 'area', pageSize: 500 }).catch(() => ({ items: [] }));
  const own = res.items.find((u) => u.id === user.orgUnitId);
  const units = [own || { id: user.orgUnitId, name: user.displayName || '本单位' }, ...res.items.filter((u) => u.id !== user.orgUnitId)];
  cache = { userId: user.id, units };
  return units;
}

export function unitPicker(units, value, onchange) {
  return select('unitId', units.map((u, i) => [u.id, i === 0 ? `${u.name}（本单位）` : `\u3000${u.name}`]), value, { onchange: (e) => onchange(Number(e.target.value)), 'aria-label': '填报单位' });
}

/**
 * The demands landing on a unit in a month, each with its occurrences that month. The list
 * filter answers demands whose span overlaps the month; a recurring one may skip it (quarterly),
 * so its months are read from its detail (a few requests, eight at a time).
 */
export async function demandsLandingIn(unitId, month) {
  const [y, m] = month.split('-').map(Number);
  const last = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  const listed = await getAll('/demands', { targetUnitId: unitId, from: `${month}-01`, to: last, status: 'active' }, 2000);
  const out = [];
  const recurring = [];
  for (const d of listed) (d.recurrence && d.recurrence !== 'once' ? recurring : out).push({ ...d, occurrencesInMonth: 1 });
  for (let i = 0; i < recurring.length; i += 8) {
    const details = await Promise.all(recurring.slice(i, i + 8).map((d) => get(`/demands/${d.id}`)));
    for (const d of details) {
      const n = (d.occurrences || []).find((o) => o.month === month)?.occurrences || 0;
      if (n > 0) out.push({ ...d, occurrencesInMonth: n });
    }
  }
  return out;
}
