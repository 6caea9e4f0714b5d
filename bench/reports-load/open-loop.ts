import { Agent, request } from 'node:http';
import { percentile, round } from '../import/stats';

/** One request of a load: method, path, headers, body (already serialised). */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
  /** What the request is, for the mix (e.g. `registered`, `shadow`, `health`). */
  kind: string;
}

interface Outcome {
  /** Scheduled send time, ms since the start of the load. */
  scheduledMs: number;
  /** Actual send time minus scheduled (the generator's own lag). */
  sendLagMs: number;
  /** From the scheduled send time to the end of the answer (coordinated omission avoided). */
  latencyMs: number;
  /** From the actual send to the end of the answer. */
  serviceMs: number;
  status: number | null;
  error: string | null;
  kind: string;
}

export interface LoadFigures {
  offeredRate: number;
  durationSeconds: number;
  requests: number;
  /** Answers received (any status) ÷ the time from the first scheduled send to the last answer. */
  achievedRate: number;
  /** Requests actually sent ÷ the send window (should equal the offered rate). */
  sentRate: number;
  ok2xx: number;
  errors: { non2xx: number; timeouts: number; network: number; total: number; byStatus: Record<string, number>; firstMessages: string[] };
  /** From the scheduled send time (open loop; what a client arriving at that moment waits). */
  latencyMs: Summary;
  /** From the moment the request was actually written (for comparison: hides generator lag). */
  serviceMs: Summary;
  sendLagMs: { p99: number | null; max: number | null };
  maxInFlight: number;
  socketsOpened: number;
  byKind: Record<string, { requests: number; ok2xx: number; p99Ms: number | null }>;
  /** p99 of the latency per second of the load (how it drifted). */
  p99PerSecond: (number | null)[];
}

/** `count` requests of GET /api/v1/health: the floor of the HTTP stack at a rate, the baseline of a load. */
export function healthRequests(count: number): LoadRequest[] {
  const r: LoadRequest = { method: 'GET', path: '/api/v1/health', headers: {}, body: null, kind: 'health' };
  return new Array<LoadRequest>(count).fill(r);
}

export interface Summary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  mean: number | null;
}

export function summarise(values: number[]): Summary {
  const r = (v: number | null) => (v === null ? null : round(v, 2));
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : null);
  return {
    p50: r(at(50)),
    p90: r(at(90)),
    p99: r(at(99)),
    p999: r(at(99.9)),
    max: r(sorted.length ? sorted[sorted.length - 1] : null),
    mean: r(sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null),
  };
}

/**
 * An open-loop (constant arrival rate) load: request i is due at start + i / rate, whatever
 * happened to the ones before it. A timer wakes every millisecond and sends every request whose
 * time has come, over a keep-alive agent that opens another socket whenever all are busy (no cap:
 * a slow server gets more concurrent requests, as it would from independent clients). Latency is
 * measured from the **scheduled** send time, so neither a slow answer nor a late timer hides a
 * delay (no coordinated omission); the time from the actual write is recorded as well.
 */
export async function runOpenLoop(opts: { host: string; port: number; rate: number; requests: LoadRequest[]; timeoutMs: number }): Promise<{ figures: LoadFigures; failed: LoadRequest[] }> {
  const { rate, requests } = opts;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'fifo' });
  let socketsOpened = 0;
  const outcomes: Outcome[] = new Array<Outcome>(requests.length);
  let inFlight = 0;
  let maxInFlight = 0;
  let done = 0;
  let next = 0;
  const intervalMs = 1000 / rate;
  let lastAnswerAt = 0;
  let firstSendAt = 0;
  let lastSendAt = 0;

  await new Promise<void>((resolve) => {
    const start = performance.now();
    const send = (i: number): void => {
      const r = requests[i];
      const scheduledMs = i * intervalMs;
      const sentAt = performance.now();
      if (i === 0) firstSendAt = sentAt;
      lastSendAt = sentAt;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      let settled = false;
      const finish = (status: number | null, error: string | null): void => {
        if (settled) return;
        settled = true;
        const end = performance.now();
        lastAnswerAt = end;
        outcomes[i] = { scheduledMs, sendLagMs: sentAt - start - scheduledMs, latencyMs: end - start - scheduledMs, serviceMs: end - sentAt, status, error, kind: r.kind };
        inFlight--;
        done++;
        if (done === requests.length) resolve();
      };
      const headers: Record<string, string | number> = { ...r.headers };
      if (r.body) headers['Content-Length'] = r.body.length;
      const req = request({ host: opts.host, port: opts.port, method: r.method, path: r.path, headers, agent, timeout: opts.timeoutMs }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => finish(res.statusCode ?? null, null));
        res.on('error', (e) => finish(null, e.message));
      });
      req.on('socket', (socket) => {
        if (!(socket as { benchSeen?: boolean }).benchSeen) {
          (socket as { benchSeen?: boolean }).benchSeen = true;
          socketsOpened++;
        }
      });
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (e) => finish(null, e.message === 'timeout' ? 'timeout' : e.message));
      req.end(r.body ?? undefined);
    };
    const tick = (): void => {
      const elapsed = performance.now() - start;
      const due = Math.min(requests.length, Math.floor(elapsed / intervalMs) + 1);
      while (next < due) send(next++);
      if (next < requests.length) setTimeout(tick, Math.max(0, Math.min(1, next * intervalMs - (performance.now() - start))));
    };
    tick();
  });
  agent.destroy();

  const all = outcomes;
  const ok = all.filter((o) => o.status !== null && o.status >= 200 && o.status < 300);
  const byStatus: Record<string, number> = {};
  for (const o of all) {
    if (o.status !== null && o.status >= 200 && o.status < 300) continue;
    const key = o.status === null ? (o.error === 'timeout' ? 'timeout' : 'network') : String(o.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  const timeouts = all.filter((o) => o.error === 'timeout').length;
  const network = all.filter((o) => o.status === null && o.error !== 'timeout').length;
  const non2xx = all.filter((o) => o.status !== null && (o.status < 200 || o.status >= 300)).length;
  const firstMessages = [...new Set(all.filter((o) => o.error !== null).map((o) => o.error as string))].slice(0, 5);
  const kinds: LoadFigures['byKind'] = {};
  for (const kind of new Set(all.map((o) => o.kind))) {
    const of = all.filter((o) => o.kind === kind);
    kinds[kind] = { requests: of.length, ok2xx: of.filter((o) => o.status !== null && o.status >= 200 && o.status < 300).length, p99Ms: percentile(of.map((o) => o.latencyMs), 99) };
  }
  const seconds = Math.ceil(requests.length / rate);
  const p99PerSecond: (number | null)[] = [];
  for (let s = 0; s < seconds; s++) {
    const inSecond = all.filter((o) => o.scheduledMs >= s * 1000 && o.scheduledMs < (s + 1) * 1000).map((o) => o.latencyMs);
    const p = percentile(inSecond, 99);
    p99PerSecond.push(p === null ? null : round(p, 1));
  }
  const lags = all.map((o) => o.sendLagMs);
  const failed = all.flatMap((o, i) => (o.status !== null && o.status >= 200 && o.status < 300 ? [] : [requests[i]]));
  const figures: LoadFigures = {
    offeredRate: rate,
    durationSeconds: requests.length / rate,
    requests: requests.length,
    achievedRate: round(all.length / ((lastAnswerAt - firstSendAt) / 1000), 1),
    sentRate: requests.length > 1 ? round((requests.length - 1) / ((lastSendAt - firstSendAt) / 1000), 1) : 0,
    ok2xx: ok.length,
    errors: { non2xx, timeouts, network, total: all.length - ok.length, byStatus, firstMessages },
    latencyMs: summarise(all.map((o) => o.latencyMs)),
    serviceMs: summarise(all.map((o) => o.serviceMs)),
    sendLagMs: { p99: percentile(lags, 99) === null ? null : round(percentile(lags, 99) ?? 0, 2), max: lags.length ? round(Math.max(...lags), 2) : null },
    maxInFlight,
    socketsOpened,
    byKind: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, { ...v, p99Ms: v.p99Ms === null ? null : round(v.p99Ms, 2) }])),
    p99PerSecond,
  };
  return { figures, failed };
}

/**
 * What a client does after a timeout or an error: send the same request again (same body, same
 * Idempotency-Key) until it gets a 2xx. A retry of a request the server had completed after the
 * client gave up is answered from the idempotency store (`Idempotent-Replayed: true`), so nothing
 * is stored twice. A few at a time, after the load.
 */
export async function retryUntilAcknowledged(opts: { host: string; port: number; requests: LoadRequest[]; concurrency: number; attempts: number }): Promise<{ retried: number; acknowledged: number; acknowledgedByKind: Record<string, number>; replayed: number; fresh: number; gaveUp: number; statuses: Record<string, number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const statuses: Record<string, number> = {};
  const acknowledgedByKind: Record<string, number> = {};
  let acknowledged = 0;
  let replayed = 0;
  let gaveUp = 0;
  const once = (r: LoadRequest) =>
    new Promise<{ status: number | null; replayed: boolean }>((resolve) => {
      const headers: Record<string, string | number> = { ...r.headers };
      if (r.body) headers['Content-Length'] = r.body.length;
      const req = request({ host: opts.host, port: opts.port, method: r.method, path: r.path, headers, agent, timeout: 30_000 }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ status: res.statusCode ?? null, replayed: res.headers['idempotent-replayed'] === 'true' }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: null, replayed: false }));
      req.end(r.body ?? undefined);
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.requests.length) {
      const r = opts.requests[next++];
      let done = false;
      for (let attempt = 0; attempt < opts.attempts && !done; attempt++) {
        const answer = await once(r);
        const key = answer.status === null ? 'network' : String(answer.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
          done = true;
          acknowledged++;
          acknowledgedByKind[r.kind] = (acknowledgedByKind[r.kind] ?? 0) + 1;
          if (answer.replayed) replayed++;
        } else if (answer.status === 409) {
          // still running on the server (the first attempt's key is pending): wait and ask again
          await new Promise<void>((resolve) => setTimeout(resolve, 200));
        }
      }
      if (!done) gaveUp++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, () => worker()));
  agent.destroy();
  return { retried: opts.requests.length, acknowledged, acknowledgedByKind, replayed, fresh: acknowledged - replayed, gaveUp, statuses };
}
