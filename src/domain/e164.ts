// Turning what a caller typed (or what the trunk delivered) into a callable E.164 number, and back
// into prompt ids for the read-back. Pure: libphonenumber-js only consults its bundled metadata.
//
// The `/max` build is used on purpose: the smaller builds cannot tell a number's type, and we want
// the app layer to be able to refuse e.g. premium-rate callback targets.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type NumberType =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'PREMIUM_RATE'
  | 'SHARED_COST'
  | 'TOLL_FREE'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL'
  | 'UNKNOWN';

export type E164Failure = 'empty' | 'no-international-prefix' | 'too-long' | 'invalid';

export type E164Result = { ok: true; e164: string; country: string | undefined; type: NumberType } | { ok: false; reason: E164Failure };

/** E.164 allows at most 15 digits after the "+". */
const MAX_DIGITS = 15;

/**
 * Strings (lower case) trunks and Asterisk put in the caller-ID number when the caller withheld it.
 * They are reported as 'empty' (no number was delivered) rather than 'invalid' (garbage was
 * delivered). Note: a number sent with presentation "prohibited" still carries real digits; see
 * normaliseCallerId in numbers.ts, which also takes the presentation.
 */
export const WITHHELD_CALLER_IDS: ReadonlySet<string> = new Set([
  'anonymous',
  'restricted',
  'private',
  'unknown',
  'unavailable',
  'withheld',
]);

function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

/** A failed E164Result; shared with numbers.ts so both build failures the same way. */
export function fail(reason: E164Failure): E164Result {
  return { ok: false, reason };
}

/**
 * Validates the digits that follow the international prefix ('+' or '00' already removed). Shared by
 * every entry point (keypad, caller ID, trunk DID, admin CLI) so that all are held to exactly the
 * same standard: at most 15 digits, and valid (not merely possible) by libphonenumber's metadata.
 */
export function fromInternationalDigits(digits: string): E164Result {
  if (digits === '') return fail('empty');
  if (!isDigits(digits)) return fail('invalid');
  if (digits.length > MAX_DIGITS) return fail('too-long');
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  // isValid(), not isPossible(): "possible" only checks the length, so e.g. +4990012345678 (one digit
  // too many for a German 900 number) would pass and we would store a callback nobody can reach.
  if (!parsed || !parsed.isValid()) return fail('invalid');
  return {
    ok: true,
    // parsed.number, not our input: libphonenumber drops a trunk "0" typed after the country code
    // (0049 0151... -> +49151...), which is the number that actually connects.
    e164: parsed.number,
    country: parsed.country,
    type: parsed.getType() ?? 'UNKNOWN',
  };
}

/**
 * A number typed on the keypad. There is no "+" key, so "00" or "*" stand for it; "#" is the usual
 * "I'm done" key and may be left at the end. National format is refused because we would have to
 * guess the caller's country.
 */
export function dtmfToE164(digits: string): E164Result {
  const typed = digits.endsWith('#') ? digits.slice(0, -1) : digits;
  if (typed === '') return fail('empty');
  if (typed.startsWith('00')) return fromInternationalDigits(typed.slice(2));
  if (typed.startsWith('*')) return fromInternationalDigits(typed.slice(1));
  return fail(isDigits(typed) ? 'no-international-prefix' : 'invalid');
}

/**
 * A caller ID in strict international form ('+…' or '00…', nothing else). Only unambiguous forms
 * are accepted: a national number or a short internal extension is refused. For what trunks really
 * deliver (national forms, '49…', URIs, punctuation, presentation) use normaliseCallerId in
 * numbers.ts, which reads national forms in the DID's country.
 */
export function callerIdToE164(callerId: string | null | undefined): E164Result {
  const id = (callerId ?? '').trim();
  if (id === '' || WITHHELD_CALLER_IDS.has(id.toLowerCase())) return fail('empty');
  if (id.startsWith('+')) return fromInternationalDigits(id.slice(1));
  if (id.startsWith('00')) return fromInternationalDigits(id.slice(2));
  // Letters (e.g. an unrecognised withheld marker) are garbage, digits are merely national/internal.
  return fail(isDigits(id) ? 'no-international-prefix' : 'invalid');
}

/**
 * Prompt ids to read a number back: '+49301' -> ['plus', 'digit-4', ...]. Characters without a
 * spoken form (spaces, dashes from a formatted number) are skipped rather than thrown on, because
 * this runs mid-call where an exception would drop the caller.
 */
export function e164ToDigits(e164: string): string[] {
  const prompts: string[] = [];
  for (const ch of e164) {
    if (ch === '+') prompts.push('plus');
    else if (ch >= '0' && ch <= '9') prompts.push(`digit-${ch}`);
  }
  return prompts;
}

/** ISO 3166 country of a number, e.g. 'DE'; undefined for non-geographic (+800) or unparsable input. */
export function countryOf(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
