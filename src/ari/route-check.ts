// Checks an outbound route from outside the daemon (`callbackd doctor`, `numbers add/set`), over plain
// ARI REST: a dialplan context must have an extension for the number (DIALPLAN_EXISTS, evaluated on a
// Local channel that is created in the daemon's app and never dialled — nothing rings), a PJSIP trunk
// must exist as an endpoint. The probe needs the daemon connected (its app must be registered).
import { dialTarget } from '../domain/outbound';
import type { AriCredentials } from './preflight';

export type RouteCheck = { state: 'ok'; detail: string } | { state: 'broken'; detail: string } | { state: 'unknown'; detail: string };

interface Ari extends AriCredentials {
  app: string;
  timeoutMs: number;
}

async function ari(a: Ari, method: string, path: string): Promise<Response> {
  return fetch(`${a.url}/ari${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(a.timeoutMs),
  });
}

async function dialplanHas(a: Ari, context: string, extension: string): Promise<boolean | string> {
  const id = `probe-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const q = new URLSearchParams({ endpoint: `Local/probe@${context}`, app: a.app, appArgs: 'route-probe', channelId: id });
  const created = await ari(a, 'POST', `/channels/create?${q.toString()}`);
  if (!created.ok) return `cannot probe: ARI answered HTTP ${created.status} (is callbackd start running?)`;
  try {
    const variable = encodeURIComponent(`DIALPLAN_EXISTS(${context},${extension},1)`);
    const res = await ari(a, 'GET', `/channels/${id}/variable?variable=${variable}`);
    const body = (await res.json()) as { value?: string };
    return body.value === '1';
  } finally {
    await ari(a, 'DELETE', `/channels/${id}`).catch(() => undefined);
  }
}

/** Whether callbacks of a number with this route (numbers.outbound_trunk) can be dialled, probed with
 *  `sample` (a number in the DID's country: the DID itself does). */
export async function checkRoute(a: Ari, route: string | null, sample: string): Promise<RouteCheck> {
  const target = dialTarget(sample, route);
  if (!target.ok) return { state: 'broken', detail: target.error };
  try {
    if (target.needs) {
      const has = await dialplanHas(a, target.needs.context, target.needs.extension);
      if (typeof has === 'string') return { state: 'unknown', detail: has };
      return has
        ? { state: 'ok', detail: `${target.endpoint} (context ${target.needs.context} has a route)` }
        : { state: 'broken', detail: `dialplan context ${target.needs.context} has no extension matching ${sample}` };
    }
    const trunk = /^PJSIP\/[^@]*@([A-Za-z0-9_.-]+)$/.exec(target.endpoint)?.[1];
    if (!trunk) return { state: 'ok', detail: `${target.endpoint} (template; not checked further)` };
    const res = await ari(a, 'GET', `/endpoints/PJSIP/${encodeURIComponent(trunk)}`);
    await res.arrayBuffer();
    if (res.status === 404) return { state: 'broken', detail: `PJSIP endpoint ${trunk} does not exist` };
    return res.ok
      ? { state: 'ok', detail: `${target.endpoint} (trunk ${trunk} exists)` }
      : { state: 'unknown', detail: `HTTP ${res.status}` };
  } catch (err) {
    return { state: 'unknown', detail: `cannot probe: ${(err as Error).message}` };
  }
}
