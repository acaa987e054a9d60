// Argument checks shared by the command groups. Pure (no store, no files): each returns the clean
// value or throws a CliError whose message says what is accepted, so a sysadmin can fix the call
// from the one line they see.
import type { GreetingKind } from '../domain/model';
import { callerIdToE164, type E164Failure } from '../domain/e164';
import { parseDuration } from '../domain/stats';
import { boundSeconds, type Range } from '../domain/durations';
import { invalid } from './errors';

/** Names that end up in SQL rows, file paths and Prometheus labels: no spaces, no slashes. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseName(what: string, value: string): string {
  if (!NAME.test(value))
    throw invalid(`${what} '${value}' is not valid: use letters, digits, '.', '_' or '-' (max 64, no spaces or slashes)`);
  return value;
}

const E164_REASON: Record<E164Failure, string> = {
  empty: 'it is empty',
  'no-international-prefix': 'it must start with + (or 00) and the country code',
  'too-long': 'E.164 numbers have at most 15 digits',
  invalid: 'it is not a valid phone number',
};

/** A DID or callback number in E.164; '0049…' is accepted and stored as '+49…'. */
export function parseE164(what: string, value: string): string {
  const r = callerIdToE164(value);
  if (!r.ok) throw invalid(`${what} '${value}' is not an E.164 number: ${E164_REASON[r.reason]}`);
  return r.e164;
}

/** 'en', 'de', 'pt-BR', 'de_AT' → lower case, as sound folders and resolveLanguage use it. */
export function parseLanguageTag(value: string): string {
  if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(value))
    throw invalid(`language '${value}' is not a language tag like en, de or pt-br`);
  return value.toLowerCase();
}

/** A language that has shipped prompts installed; callers would otherwise hear another one. */
export function parseInstalledLanguage(value: string, installed: readonly string[]): string {
  const tag = parseLanguageTag(value);
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '-');
  const found = installed.find((l) => norm(l) === norm(tag));
  if (found === undefined) {
    const have = installed.length ? installed.join(', ') : 'none (check sounds.dir)';
    throw invalid(`language '${value}' has no prompts installed; installed: ${have}`);
  }
  return found;
}

export function parseOnOff(what: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw invalid(`${what} must be on or off, got '${value}'`);
}

export function parseNonNegativeInt(what: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw invalid(`${what} must be a whole number >= 0, got '${value}'`);
  return Number(value);
}

export function parsePositiveInt(what: string, value: string): number {
  const n = parseNonNegativeInt(what, value);
  if (n === 0) throw invalid(`${what} must be a whole number > 0, got '${value}'`);
  return n;
}

/** --since goes back at most this far (10 years): further is not a period but a typo, and a huge
 *  value would put the start before any representable date. */
export const MAX_SINCE_DAYS = 3650;

/** --since: 15m, 24h, 7d → a start time before `now`. */
export function parseSince(value: string, now: number): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw invalid(`--since '${value}' is not a duration; use a whole number with s, m, h or d, e.g. 15m, 24h, 7d`);
  if (ms > MAX_SINCE_DAYS * 86_400_000) throw invalid(`--since '${value}' is too long: at most ${MAX_SINCE_DAYS}d`);
  return now - ms;
}

/** --max-wait: whole seconds up to a day. The daemon arms a timer with it, and timers overflow
 *  beyond 24.8 days (they would fire at once); nobody waits in a queue for more than a day. */
export const MAX_WAIT_SECONDS: Range = { min: 0, max: 86_400, integer: true };

/** A whole number of seconds within `range` (digits only: no sign, fraction or exponent). */
export function parseSeconds(what: string, value: string, range: Range): number {
  const text = value.trim();
  const r = /^\d+$/.test(text) ? boundSeconds(Number(text), range) : undefined;
  if (!r?.ok) throw invalid(`${what} must be a whole number of seconds from ${range.min} to ${range.max}, got '${value}'`);
  return r.value;
}

export function parseGreetingKind(value: string): GreetingKind {
  const v = value.toLowerCase();
  if (v === 'offer' || v === 'callback-offer') return 'callback-offer';
  if (v === 'confirmation' || v === 'callback-confirmation') return 'callback-confirmation';
  throw invalid(`greeting kind must be offer or confirmation, got '${value}'`);
}

/** An Asterisk endpoint (trunk) name as used in PJSIP/<number>@<trunk>. */
export function parseTrunk(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value))
    throw invalid(`outbound trunk '${value}' is not a PJSIP endpoint name (letters, digits, '.', '_', '-')`);
  return value;
}

/** An agent's phone as a dial string: PJSIP/1001, SIP/alice, IAX2/x. */
export function parseEndpoint(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*\/[^\s/@,][^\s,]*$/.test(value)) throw invalid(`endpoint '${value}' is not a dial string like PJSIP/1001`);
  return value;
}
