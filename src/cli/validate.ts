// Argument checks shared by the command groups. Pure (no store, no files): each returns the clean
// value or throws a CliError whose message says what is accepted, so a sysadmin can fix the call
// from the one line they see.
import { dialTarget } from '../domain/outbound';
import type { GreetingKind } from '../domain/model';
import type { E164Failure } from '../domain/e164';
import { normaliseInternational } from '../domain/numbers';
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
  'no-international-prefix': 'it must start with + (or 00) and the country code, e.g. +49 30 123456 instead of 030 123456',
  'too-long': 'E.164 numbers have at most 15 digits',
  invalid: 'it is not a valid phone number',
};

/**
 * A DID or callback number in any international notation ('+49 30 123456', '0049-30-123456',
 * '+49 (0)30 123456', 'tel:+4930123456'), returned as E.164. National forms are refused: the admin
 * CLI has no country to read them in, and guessing one would store a number nobody can reach.
 */
export function parseE164(what: string, value: string): string {
  const r = normaliseInternational(value);
  if (!r.ok) throw invalid(`${what} '${value}' is not an E.164 number: ${E164_REASON[r.reason]}`);
  return r.e164;
}

/**
 * Whether a value is meant as the name of a digital entry point rather than a phone number: a plain
 * identifier (letters, digits, '.', '_', '-') with at least one letter, so '1234' or '030-123' are
 * never taken for names.
 */
export function isEntryPointName(value: string): boolean {
  return NAME.test(value) && /[A-Za-z]/.test(value);
}

/**
 * The name of a digital entry point (Zendesk Talk's "digital line": a browser/app entry point with
 * no phone number), e.g. 'web-widget'.
 */
export function parseEntryPointName(value: string): string {
  if (!isEntryPointName(value))
    throw invalid(
      `digital entry point name '${value}' is not valid: use letters, digits, '.', '_' or '-' with at least one letter (a name, not a phone number)`,
    );
  return value;
}

/** A configured number as named on the command line: a digital entry point's name or a DID. */
export function parseNumberKey(value: string): string {
  return isEntryPointName(value) ? value : parseE164('DID', value);
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

/** Where callbacks are dialled (domain/outbound.ts): dialplan:<context>, a template with {e164},
 *  {digits} or {national}, or a PJSIP trunk name. Checked by expanding it for a sample number. */
export function parseTrunk(value: string): string {
  const v = value.trim();
  const r = dialTarget('+4930123456', v);
  if (!r.ok) throw invalid(`--trunk: ${r.error}`);
  return v;
}

/**
 * An agent's phone: exactly one `PJSIP/<endpoint>`, endpoint of letters, digits, '.', '_', '-'.
 * Anything richer is refused because the daemon dials it as given: '&' would ring several phones
 * for one agent, '@host' or other technologies (SIP/, Local/) would route calls around the PBX's
 * endpoint configuration. The technology is case-insensitive and stored as 'PJSIP'.
 */
export function parseEndpoint(value: string): string {
  const m = /^pjsip\/([A-Za-z0-9._-]+)$/i.exec(value);
  if (!m)
    throw invalid(
      `endpoint '${value}' is not allowed: use a single dial string PJSIP/<endpoint> with letters, digits, '.', '_' or '-' (no '&', '@host', SIP/ or Local/)`,
    );
  return `PJSIP/${m[1]}`;
}
