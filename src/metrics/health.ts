// Liveness and readiness for orchestrators (Docker HEALTHCHECK, Kubernetes probes, systemd watchers).
// /healthz answers as long as the event loop runs; /readyz runs named checks (ARI event socket up, a
// database write possible) supplied by the daemon, each bounded in time so a probe never hangs.

export interface CheckResult {
  ok: boolean;
  /** Why not (shown in the 503 body), e.g. "ARI event socket is down". */
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export type ReadinessProbe = () => Promise<Readiness>;

export type Check = () => CheckResult | Promise<CheckResult>;

/** Longer than the store's write probe bound (100 ms) with room to spare, well below probe timeouts. */
export const CHECK_TIMEOUT_MS = 2000;

/** Runs every check concurrently; ready only when all are ok. A check that throws or does not settle
 *  within timeoutMs fails with that as its detail. */
export function readinessFrom(checks: Record<string, Check>, timeoutMs: number = CHECK_TIMEOUT_MS): ReadinessProbe {
  return async () => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => bounded(checks[name], timeoutMs)));
    const out: Record<string, CheckResult> = {};
    names.forEach((name, i) => (out[name] = results[i]));
    return { ready: names.length > 0 && results.every((r) => r.ok), checks: out };
  };
}

async function bounded(check: Check, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The ARI check from the live figures the daemon already provides for /metrics. */
export function ariSocketCheck(ariConnected: () => boolean): Check {
  return () => (ariConnected() ? { ok: true } : { ok: false, detail: 'ARI event socket is down' });
}

/** The ARI check: the event socket is up AND the Stasis app is still registered to us. After another
 *  connection registered the same app (ApplicationReplaced) our socket may stay open but hears nothing. */
export function ariAppCheck(ari: { connected: boolean; replacedBy?: string | undefined }): Check {
  return () => {
    if (ari.replacedBy !== undefined) return { ok: false, detail: ari.replacedBy };
    return ari.connected ? { ok: true } : { ok: false, detail: 'ARI event socket is down' };
  };
}

/** When the daemon wired no checks, /readyz must not claim readiness it cannot know. */
export const NOT_WIRED: ReadinessProbe = () =>
  Promise.resolve({ ready: false, checks: { readiness: { ok: false, detail: 'no readiness checks configured' } } });
