import { CallbackdError } from '../errors';

export type AriErrorCode =
  | 'ARI_AUTH' // Asterisk refused our user/password
  | 'ARI_UNREACHABLE' // nothing answers at the ARI URL
  | 'ARI_TIMEOUT' // a REST call did not settle in time (Asterisk gone or stuck)
  | 'ARI_CHANNEL_GONE' // the channel/playback no longer exists: the caller hung up, flows may ignore it
  | 'ARI_REQUEST_FAILED';

export class AriError extends CallbackdError {
  constructor(
    override readonly code: AriErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** True when the failure only means the call already ended: flows treat it as "nothing to do". */
export function isChannelGone(err: unknown): boolean {
  return err instanceof AriError && err.code === 'ARI_CHANNEL_GONE';
}

/** ari-client rejects with Error(<response body>); the status code is lost, the body says enough. */
export function translateAriError(operation: string, err: unknown): AriError {
  if (err instanceof AriError) return err;
  const text = err instanceof Error ? err.message : String(err);
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { message?: string; error?: string };
    detail = parsed.message ?? parsed.error ?? text;
  } catch {
    /* body was not JSON */
  }
  if (/not found|not in stasis|does not exist/i.test(detail)) {
    return new AriError('ARI_CHANNEL_GONE', `${operation}: ${detail}`, { cause: err });
  }
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket hang up/i.test(detail)) {
    return new AriError('ARI_UNREACHABLE', `${operation}: ${detail}`, { cause: err });
  }
  return new AriError('ARI_REQUEST_FAILED', `${operation}: ${detail}`, { cause: err });
}
