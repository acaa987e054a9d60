// Toll-fraud guard for callback targets. "Call me back on another number" lets anyone make the call
// center dial any number at its expense; a spoofed caller ID does the same through "press 1". Every
// target is screened: never one of our own DIDs, allowed countries per number (default: the DID's
// own), no number types that cost money or cannot be judged, and a prefix blocklist (shipped
// defaults unless the admin sets `blocked_prefixes`). Pure.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { countryOf, type NumberType } from './e164';

export interface CallbackPolicy {
  /** ISO country codes callbacks may go to; empty = any country. */
  allowedCountries: readonly string[];
  /** E.164 prefixes never to be called, e.g. '+49900', '+881'. */
  blockedPrefixes: readonly string[];
  /** The daemon's own DIDs (E.164): a callback to one lands the agent in our own IVR. */
  ownNumbers: readonly string[];
}

export type RefusalReason = 'invalid' | 'own-number' | 'blocked-prefix' | 'country-not-allowed' | 'type-not-allowed';

export type ScreenResult = { ok: true } | { ok: false; reason: RefusalReason; detail: string };

/**
 * Number types a callback is never placed to. PREMIUM_RATE and SHARED_COST cost the call center
 * money per minute; PERSONAL_NUMBER (DE 0700, GB 070, CH 0878) forwards to anywhere at a surcharge
 * and is a classic fraud vehicle; UAN (company-wide numbers), VOIP (DE 032, FR 09, AT 0720…), PAGER
 * and VOICEMAIL are not a person waiting for our call or cannot be judged by their number; UNKNOWN
 * means the metadata cannot tell what the number is.
 */
export const REFUSED_TYPES: readonly NumberType[] = [
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'UAN',
  'VOIP',
  'PAGER',
  'VOICEMAIL',
  'UNKNOWN',
];

/**
 * Prefixes refused while the `blocked_prefixes` setting is unset. They back up REFUSED_TYPES where
 * libphonenumber's metadata classifies a range as an ordinary (mobile) number, or may do so after a
 * metadata update, and they make the policy visible in `callbackd settings get blocked_prefixes`.
 * Deliberately absent: UK and FR directory enquiries (118xxx): +44118 is Reading's area code and
 * +33118 is a Paris range, so a prefix would block ordinary landlines.
 */
export const DEFAULT_BLOCKED_PREFIXES: readonly string[] = [
  // International: satellite and international networks (billed like premium, the classic
  // IRSF destinations), International Premium Rate / Shared Cost, Universal Personal Telecom.
  '+870', // Inmarsat
  '+878', // Universal Personal Telecommunications
  '+881', // Global Mobile Satellite Systems (Iridium, Globalstar, Thuraya…)
  '+882', // International Networks
  '+883', // International Networks
  '+808', // International Shared Cost Service
  '+979', // International Premium Rate Service
  // Germany
  '+49900', // 0900 premium rate
  '+49137', // 0137 mass calling / televoting
  '+49138', // 0138 mass calling
  '+49118', // 0118xy directory enquiries
  '+49700', // 0700 personal numbers
  '+49180', // 0180 shared-cost service numbers
  // Austria (Mehrwertdienste and tariffed service numbers)
  '+43900',
  '+43901',
  '+43930',
  '+43931',
  '+43939',
  '+43810',
  '+43820',
  '+43821',
  '+43828',
  // Switzerland
  '+41900', // 0900/0901/0906 premium rate
  '+41901',
  '+41906',
  '+41878', // 0878 personal numbers
  // United Kingdom
  '+4470', // 070 personal numbering
  '+4487', // 087x service numbers with a service charge
  '+4490', // 090/091 premium rate
  '+4491',
  '+4498', // 098 sexual entertainment services
  // France
  '+3381', // 081x/082x numbers with a service charge
  '+3382',
  '+3389', // 089x premium rate
  // United States / NANP
  '+1900', // 900 pay-per-call
];

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** The word that stands for DEFAULT_BLOCKED_PREFIXES inside a set `blocked_prefixes` value. */
export const DEFAULT_PREFIXES_TOKEN = 'default';

/**
 * The prefixes the `blocked_prefixes` setting means. Unset (null/undefined) = DEFAULT_BLOCKED_PREFIXES.
 * A set value — even '' — replaces the defaults entirely, so an admin can both tighten and
 * (deliberately) empty the list; the word 'default' in it stands for the shipped defaults, so
 * 'default,+4989' extends them and 'default' alone returns to them (the settings table has no
 * unset). Prefixes given without '+' get one.
 */
export function effectiveBlockedPrefixes(setting: string | null | undefined): readonly string[] {
  if (setting === null || setting === undefined) return DEFAULT_BLOCKED_PREFIXES;
  const prefixes = list(setting).flatMap((p) =>
    p.toLowerCase() === DEFAULT_PREFIXES_TOKEN ? DEFAULT_BLOCKED_PREFIXES : [p.startsWith('+') ? p : `+${p}`],
  );
  return [...new Set(prefixes)];
}

/**
 * The policy of a number: its configured countries ('*' = any) or, when none are set, the DID's own
 * country; the blocklist is system-wide, see effectiveBlockedPrefixes for what `blockedPrefixes`
 * (the raw setting, null when unset) means. `ownNumbers` are all configured DIDs, so that none of
 * them is ever called back; entries that are not E.164 (names of digital entry points) are ignored.
 */
export function policyFor(
  did: string,
  allowedCountries: string | null,
  blockedPrefixes: string | null,
  ownNumbers: readonly string[] = [],
): CallbackPolicy {
  const configured = list(allowedCountries ?? '').map((c) => c.toUpperCase());
  const own = countryOf(did);
  const countries = configured.includes('*') ? [] : configured.length > 0 ? configured : own ? [own] : [];
  return {
    allowedCountries: countries,
    blockedPrefixes: effectiveBlockedPrefixes(blockedPrefixes),
    ownNumbers: ownNumbers.filter((n) => n.startsWith('+')),
  };
}

/** Whether the callback target `e164` may be dialled under `policy`, and if not, why. */
export function screenNumber(e164: string, policy: CallbackPolicy): ScreenResult {
  if (policy.ownNumbers.includes(e164)) return { ok: false, reason: 'own-number', detail: `${e164} is one of our own numbers` };
  const blocked = policy.blockedPrefixes.find((p) => e164.startsWith(p));
  if (blocked) return { ok: false, reason: 'blocked-prefix', detail: `matches blocked prefix ${blocked}` };
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: 'invalid', detail: 'not a valid number' };
  const country = parsed.country;
  if (policy.allowedCountries.length > 0 && (!country || !policy.allowedCountries.includes(country))) {
    return { ok: false, reason: 'country-not-allowed', detail: `country ${country ?? 'none'} not in ${policy.allowedCountries.join(',')}` };
  }
  const type = parsed.getType() ?? 'UNKNOWN';
  if (REFUSED_TYPES.includes(type)) return { ok: false, reason: 'type-not-allowed', detail: `number type ${type}` };
  return { ok: true };
}

/** How many callback requests a caller may make, keyed so the store can count them. */
export interface RateLimitCaps {
  /** Requests per identified caller number. */
  perCaller: number;
  /** Requests from withheld callers per DID, shared by all of them: set it higher than perCaller. */
  withheldPerDid: number;
}

/**
 * The bucket a callback request is counted in. An identified caller is limited per caller number
 * (across DIDs: the same person calling two of our numbers is one person). Withheld callers cannot
 * be told apart, so they share one bucket per DID with its own, higher cap: one anonymous abuser
 * then exhausts only that shared bucket on one number instead of locking every anonymous caller of
 * every number out, and cannot hide behind an identified caller's budget.
 */
export function rateLimitKey(callerNumber: string | null, did: string, caps: RateLimitCaps): { key: string; cap: number } {
  if (callerNumber === null || callerNumber === '') return { key: `withheld:${did}`, cap: caps.withheldPerDid };
  return { key: `caller:${callerNumber}`, cap: caps.perCaller };
}
