// How one delivery attempt to an external ticket system ended, and the HTTP rules that decide it. The
// same rules hold for every sink: 2xx delivered; 408, 5xx, timeouts and connection failures are worth
// another try later; 429 waits as long as Retry-After says; every other 4xx means the receiver will
// never accept this request as it is (bad credentials, invalid data), so retrying only hides it.
import type { Millis } from '../domain/model';

export type SendOutcome =
  | { kind: 'delivered' }
  /** `unreachable`: nothing reached the receiver (or no answer); later rows would fare no better. */
  | { kind: 'retry'; error: string; unreachable: boolean }
  /** `retryAfterMs` from the Retry-After header, if it had a usable one. */
  | { kind: 'rate-limited'; error: string; retryAfterMs: number | undefined }
  | { kind: 'refused'; error: string };

export type FailedOutcome = Exclude<SendOutcome, { kind: 'delivered' }>;

const MAX_ERROR_BODY = 200;

/** The outcome of an HTTP answer (body already read). */
export function httpOutcome(status: number, headers: Headers, body: string, now: Millis): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const snippet = body.trim().replace(/\s+/g, ' ').slice(0, MAX_ERROR_BODY);
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status === 429) return { kind: 'rate-limited', error, retryAfterMs: parseRetryAfter(headers.get('retry-after'), now) };
  if (status === 408 || status >= 500) return { kind: 'retry', error, unreachable: false };
  if (status >= 400) return { kind: 'refused', error };
  // 1xx/3xx: fetch follows redirects, so this is a receiver that answers oddly; it may be fixed later.
  return { kind: 'retry', error, unreachable: false };
}

/** The outcome of a request that got no answer (fetch threw). */
export function networkOutcome(err: unknown, timeoutMs: number): Extract<SendOutcome, { kind: 'retry' }> {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  return { kind: 'retry', unreachable: true, error: timedOut ? `no answer within ${timeoutMs} ms` : describe(err) };
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds ("120") or an HTTP date (RFC 9110 §10.2.3).
 * undefined when missing or unreadable (the caller backs off as usual then).
 */
export function parseRetryAfter(value: string | null, now: Millis): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** fetch() reports network failures as "fetch failed" with the useful part in `cause`. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message} (${cause})` : err.message;
}
