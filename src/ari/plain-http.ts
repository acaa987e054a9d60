// A few ARI requests are made before ari-client is connected (or beside it, on a timer that must not
// queue behind the request pool): the app-in-use check and the app lease. They go through fetch with
// basic auth and a deadline, and fail as AriError like everything else in src/ari.
import type { AriCredentials } from './preflight';
import { AriError } from './errors';

export async function ariPlainRequest(
  creds: AriCredentials,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  timeoutMs: number,
): Promise<Response> {
  const auth = Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  return fetch(`${creds.url}/ari/${pathAndQuery}`, {
    method,
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: unknown) => {
    throw new AriError('ARI_UNREACHABLE', `ARI at ${creds.url} is not reachable (${method} /ari/${pathAndQuery.split('?')[0]})`, {
      cause: err,
    });
  });
}

/** The response's body as JSON when it is 2xx; AriError otherwise. */
export async function okJson<T>(res: Response, creds: AriCredentials, what: string): Promise<T> {
  if (!res.ok) {
    await res.body?.cancel();
    throw new AriError('ARI_REQUEST_FAILED', `ARI at ${creds.url} answered HTTP ${res.status} to ${what}`);
  }
  return (await res.json()) as T;
}
