// Numbers at the edge: what trunks really deliver as caller ID and DID, turned into E.164 once, where
// the call enters, so that everything inside the daemon compares and stores one form (DESIGN.md §4).
// Pure: libphonenumber-js only consults its bundled metadata.
//
// Carriers send '+49…', '0049…', '49…' (country code without '+', ISDN type-of-number
// "international"), national '030…' / '0151…' (type-of-number "national"), tel:/sip: URIs with a
// display name and parameters, and punctuation ('+49 (0)30 123-456'). Withheld callers arrive as a
// token ('anonymous', 'unknown', …), as nothing, or with a number and a restricted presentation.
import { getExampleNumber, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { countryOf, type E164Failure, type E164Result, fail, fromInternationalDigits, WITHHELD_CALLER_IDS } from './e164';

/** What a caller ID means for a callback: a number to call, deliberately hidden, or unusable. */
export type CallerIdResult =
  { kind: 'number'; e164: string; country?: string } | { kind: 'withheld' } | { kind: 'unusable'; reason: E164Failure };

/** Longer input is not a phone number; bounding it keeps every step below trivially cheap. */
const MAX_INPUT = 256;

/** Visual separators people and carriers put into numbers: spaces, '-', '.', '/', parentheses. */
const SEPARATORS = /[\s\-./()]/g;

/**
 * The number part of a trunk-delivered string: '"Name" <sip:+4930123@host;user=phone>' → '+4930123',
 * 'tel:+4930123;ext=1' → '+4930123', 'sip:030123@carrier' → '030123', '+49 30 123' unchanged.
 * URI parameters (';user=phone', ';ext=', ';phone-context=') are dropped: the callable number is the
 * same without them, and a phone-context cannot be applied safely without knowing the carrier's plan.
 */
export function numberPartOf(raw: string): string {
  let s = raw.trim();
  // name-addr form: the URI is inside <…>; the display name before it and header params after it go.
  const open = s.indexOf('<');
  const close = open >= 0 ? s.indexOf('>', open) : -1;
  if (open >= 0 && close > open) s = s.slice(open + 1, close).trim();
  const scheme = /^(sips?|tel):/i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  // user@host: the host is the carrier, never part of the number (also without a scheme).
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  // A SIP user part may percent-encode the '+' (%2B49…).
  if (s.includes('%')) {
    try {
      s = decodeURIComponent(s);
    } catch {
      // Malformed escapes stay as they are and fail validation below as 'invalid'.
    }
  }
  return s.trim();
}

/**
 * Whether national numbers of the region are written with the trunk prefix 0 ('030 123456' in DE,
 * '020 7946 0958' in GB), judged from libphonenumber's example number of the region: its national
 * format starts with a 0 its national significant number does not have. True for DE, AT, CH, GB, FR,
 * NL, BE, AU, JP…; false for NANP (US, CA), IT, ES, PT, DK, NO (no trunk prefix, or the bare
 * national number is the everyday form) and RU (trunk prefix 8).
 */
function writesTrunkZero(region: CountryCode): boolean {
  const example = getExampleNumber(region, examples);
  if (!example) return false;
  return example.formatNational().startsWith('0') && !example.nationalNumber.startsWith('0');
}

function asRegion(region: string | undefined): CountryCode | undefined {
  if (region === undefined) return undefined;
  // Callers may pass anything (lower case, a typo); an unknown region is treated as none.
  const upper = region.toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

/** The valid E.164 reading of `digits` in `region` (libphonenumber strips IDD and trunk prefixes). */
function readNational(digits: string, region: CountryCode): Extract<E164Result, { ok: true }> | undefined {
  const parsed = parsePhoneNumberFromString(digits, region);
  if (!parsed || !parsed.isValid()) return undefined;
  return { ok: true, e164: parsed.number, country: parsed.country, type: parsed.getType() ?? 'UNKNOWN' };
}

/**
 * Bare digits (no '+', no '00'): either a national number or an international one without '+'.
 *
 * The rule, in order:
 *  1. Without a region only the international reading exists ('4930123456' → +4930123456); a
 *     leading 0 (national trunk prefix) cannot be read without a country: 'no-international-prefix'.
 *  2. If only one reading is valid, it wins. A leading 0 is never a country code, so '030123456' or
 *     Italy's '06…' (whose 0 stays in E.164) is national; a region's own other IDD ('011…' in the
 *     US) is handled by libphonenumber in the national reading.
 *  3. If both are valid and differ, it depends on how the region writes national numbers:
 *     - trunk prefix 0 (DE, AT, CH, GB, FR…): a national number arrives WITH its 0, so digits
 *       without one are the country code without '+' — '4915112345678' in DE is +49 151…, not the
 *       (formally valid) fixed line +49 4915 112345678; '436641234567' is an Austrian mobile.
 *     - otherwise (US/CA with the optional trunk 1, IT, ES…): the bare national number is the
 *       everyday form and wins — '2025550123' in US is +1 202…; '12025550123' in US is the same
 *       number either way (trunk prefix 1 = country code 1).
 * DIDs are matched against the configured list afterwards (matchDid), so a wrong reading of a DID
 * finds nothing rather than the wrong number.
 */
function readBareDigits(digits: string, region: CountryCode | undefined): E164Result {
  const international = fromInternationalDigits(digits);
  if (region === undefined) return international.ok ? international : fail('no-international-prefix');
  const national = readNational(digits, region);
  if (!national) return international.ok ? international : fail('invalid');
  if (!international.ok || international.e164 === national.e164) return national;
  return writesTrunkZero(region) ? international : national;
}

/**
 * Any form a trunk or a person writes a number in → E.164 (validated with isValid(), like the
 * keypad entry). Accepted: '+…', '00…', national with trunk prefix ('030 123456', '0151 12345678'),
 * the country code without '+' ('4930123456'), tel:/sip: URIs with display name and parameters, and
 * spaces, dashes, dots, slashes and parentheses ('+49 (0)30 123-456': the trunk 0 after the country
 * code is dropped by libphonenumber, while Italy's leading 0 is kept as it is part of the number).
 * `defaultRegion` (ISO code such as 'DE', normally the DID's country) is how national forms are read;
 * how ambiguous bare digit strings are decided is documented at readBareDigits.
 */
export function normaliseNumber(raw: string, defaultRegion?: string): E164Result {
  if (raw.length > MAX_INPUT) return fail('invalid');
  const s = numberPartOf(raw).replace(SEPARATORS, '');
  if (s === '') return fail('empty');
  if (s.startsWith('+')) return fromInternationalDigits(s.slice(1));
  if (!/^[0-9]+$/.test(s)) return fail('invalid');
  // 00 is the international prefix nearly everywhere, and no national number starts with it.
  if (s.startsWith('00')) return fromInternationalDigits(s.slice(2));
  return readBareDigits(s, asRegion(defaultRegion));
}

/**
 * Only explicitly international forms ('+…' or '00…'), with the same tolerance for URIs and
 * punctuation as normaliseNumber ('+49 30 123456', '0049-30-123456', '+49 (0)30 123456'). For
 * input where there is no country to read a national number in, e.g. an admin typing a DID:
 * anything else is 'no-international-prefix' (or 'invalid' for garbage).
 */
export function normaliseInternational(raw: string): E164Result {
  if (raw.length > MAX_INPUT) return fail('invalid');
  const s = numberPartOf(raw).replace(SEPARATORS, '');
  if (s === '') return fail('empty');
  if (s.startsWith('+')) return fromInternationalDigits(s.slice(1));
  if (s.startsWith('00') && /^[0-9]+$/.test(s)) return fromInternationalDigits(s.slice(2));
  return fail(/^[0-9]+$/.test(s) ? 'no-international-prefix' : 'invalid');
}

/** Asterisk CALLERID(pres) names that mean "do not show / not available" (the prohib_* family). */
const HIDDEN_PRESENTATION = /^(prohib(_not_screened|_passed_screen|_failed_screen)?|unavailable)$/;
const ALLOWED_PRESENTATION = /^allowed(_not_screened|_passed_screen|_failed_screen)?$/;

/**
 * Whether a caller-ID presentation hides the number. Asterisk's CALLERID(pres) names are read
 * case-insensitively: allowed* → shown; prohib*, unavailable → hidden. The numeric form (Q.931 octet
 * 3a as Asterisk stores it) is read by its restriction bits: 0x00 allowed, 0x20 restricted, 0x40
 * unavailable. Missing or empty means shown. Anything else counts as hidden: a caller who withheld
 * their number must never be called back on it, so an unrecognised value fails safe.
 */
export function isPresentationHidden(presentation: string | undefined): boolean {
  const p = (presentation ?? '').trim().toLowerCase();
  if (p === '' || ALLOWED_PRESENTATION.test(p)) return false;
  if (HIDDEN_PRESENTATION.test(p)) return true;
  if (/^[0-9]{1,3}$/.test(p)) return (Number(p) & 0x60) !== 0;
  return true;
}

/**
 * A caller ID as the trunk delivered it → something a callback can use. Withheld when the
 * presentation hides the number (see isPresentationHidden) or nothing / a known anonymous token
 * ('anonymous', 'unknown', 'restricted', 'unavailable', 'private', 'withheld', also as the user of a
 * SIP URI such as sip:anonymous@anonymous.invalid). Otherwise the number is normalised with
 * `defaultRegion` (the DID's country) for national forms; internal extensions ('1001') and garbage
 * are unusable, with the reason normaliseNumber gave.
 */
export function normaliseCallerId(raw: string | null | undefined, opts: { presentation?: string; defaultRegion?: string }): CallerIdResult {
  if (isPresentationHidden(opts.presentation)) return { kind: 'withheld' };
  const text = (raw ?? '').trim();
  const part = numberPartOf(text).toLowerCase();
  if (text === '' || part === '' || WITHHELD_CALLER_IDS.has(text.toLowerCase()) || WITHHELD_CALLER_IDS.has(part)) {
    return { kind: 'withheld' };
  }
  const r = normaliseNumber(text, opts.defaultRegion);
  if (!r.ok) return { kind: 'unusable', reason: r.reason };
  return r.country === undefined ? { kind: 'number', e164: r.e164 } : { kind: 'number', e164: r.e164, country: r.country };
}

/**
 * The configured DID a trunk-delivered DID denotes, or undefined. `configured` holds E.164 DIDs
 * ('+4930123456') and possibly plain names of digital entry points. An exact match wins (this is how
 * names and already-E.164 DIDs are found); otherwise the DID is normalised once per country of the
 * configured E.164 DIDs (as default region for national forms) and must equal a configured DID. If
 * the readings in different countries hit different configured DIDs ('030123456' with both a German
 * and an Austrian DID of those digits), the DID is ambiguous and nothing is returned: answering the
 * wrong number's queue is worse than the "not in service" the caller gets instead.
 */
export function matchDid(raw: string, configured: readonly string[]): string | undefined {
  if (configured.includes(raw)) return raw;
  const trimmed = raw.trim();
  if (configured.includes(trimmed)) return trimmed;
  const regions = [...new Set(configured.map(countryOf).filter((c): c is string => c !== undefined))];
  const hits = new Set<string>();
  for (const region of regions.length > 0 ? regions : [undefined]) {
    const r = normaliseNumber(trimmed, region);
    if (r.ok && configured.includes(r.e164)) hits.add(r.e164);
  }
  return hits.size === 1 ? [...hits][0] : undefined;
}
