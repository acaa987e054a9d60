// ari-client turns a wrong password into an uncaught exception deep inside swagger-client, so we ask
// Asterisk ourselves first and fail with one clear line instead.
import { AriError } from './errors';

export interface AriCredentials {
  url: string;
  user: string;
  password: string;
}

export async function preflight(creds: AriCredentials, timeoutMs: number): Promise<{ version: string }> {
  const auth = Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(`${creds.url}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new AriError('ARI_UNREACHABLE', `ARI at ${creds.url} is not reachable (${reason}); is Asterisk running with http.conf enabled?`, {
      cause: err,
    });
  }
  if (res.status === 401 || res.status === 403) {
    throw new AriError(
      'ARI_AUTH',
      `ARI at ${creds.url} rejected user '${creds.user}' (HTTP ${res.status}); check ari.user / ari.password against ari.conf`,
    );
  }
  if (!res.ok) {
    throw new AriError('ARI_REQUEST_FAILED', `ARI at ${creds.url} answered HTTP ${res.status} to /ari/asterisk/info`);
  }
  const info = (await res.json()) as { system?: { version?: string } };
  return { version: info.system?.version ?? 'unknown' };
}
