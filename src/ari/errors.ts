// Errors of the ARI adapter. Connection-level failures (wrong credentials, Asterisk unreachable at start)
// are AriErrors; every failure of a Telephony request is translated into the port's own TelephonyError,
// so the app layer never sees an ari-client error nor an ARI-specific code.
import { TelephonyError } from '../app/telephony';
import { CallbackdError } from '../errors';

export type AriErrorCode =
  | 'ARI_AUTH' // Asterisk refused our user/password
  | 'ARI_UNREACHABLE' // nothing answers at the ARI URL
  | 'ARI_TIMEOUT' // connecting did not complete in time
  | 'ARI_APP_IN_USE' // another event socket holds our Stasis app (another daemon on this Asterisk)
  | 'ARI_REQUEST_FAILED';

export class AriError extends CallbackdError<AriErrorCode> {}

/** A failure while connecting, as the start-up error the operator sees (`callbackd: ARI_…: …`). */
export function toAriError(operation: string, err: unknown): AriError {
  if (err instanceof AriError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const code = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket hang up/i.test(detail) ? 'ARI_UNREACHABLE' : 'ARI_REQUEST_FAILED';
  return new AriError(code, `${operation}: ${detail}`, { cause: err });
}

/** ari-client rejects with Error(<response body>); the status code is lost, the body says enough. */
export function translateAriError(operation: string, err: unknown): TelephonyError {
  if (err instanceof TelephonyError) return err;
  if (err instanceof AriError) {
    return new TelephonyError(
      err.code === 'ARI_UNREACHABLE' ? 'TELEPHONY_UNREACHABLE' : 'TELEPHONY_FAILED',
      `${operation}: ${err.message}`,
      { cause: err },
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { message?: string; error?: string };
    detail = parsed.message ?? parsed.error ?? text;
  } catch {
    /* body was not JSON */
  }
  if (/not found|not in stasis|does not exist/i.test(detail)) {
    return new TelephonyError('CHANNEL_GONE', `${operation}: ${detail}`, { cause: err });
  }
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket hang up/i.test(detail)) {
    return new TelephonyError('TELEPHONY_UNREACHABLE', `${operation}: ${detail}`, { cause: err });
  }
  return new TelephonyError('TELEPHONY_FAILED', `${operation}: ${detail}`, { cause: err });
}
