// Toll-fraud guard for callback targets. "Call me back on another number" lets anyone make the call
// center dial any number at its expense; a spoofed caller ID does the same through "press 1". Every
// target is screened: allowed countries per number (default: the DID's own), no premium-rate,
// shared-cost or unknown-type numbers, and an explicit prefix blocklist. Pure.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { countryOf, type NumberType } from './e164';

export interface CallbackPolicy {
  /** ISO country codes callbacks may go to; empty = any country. */
  allowedCountries: readonly string[];
  /** E.164 prefixes never to be called, e.g. '+49900', '+881'. */
  blockedPrefixes: readonly string[];
}

export type RefusalReason = 'invalid' | 'blocked-prefix' | 'country-not-allowed' | 'type-not-allowed';

export type ScreenResult = { ok: true } | { ok: false; reason: RefusalReason; detail: string };

/** Number types a callback is never placed to: they cost the caller center money or can't be judged. */
export const REFUSED_TYPES: readonly NumberType[] = ['PREMIUM_RATE', 'SHARED_COST', 'UNKNOWN'];

/**
 * The policy of a number: its configured countries ('*' = any) or, when none are set, the DID's own
 * country; the blocklist is system-wide.
 */
export function policyFor(did: string, allowedCountries: string | null, blockedPrefixes: string | null): CallbackPolicy {
  const list = (s: string | null) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const configured = list(allowedCountries).map((c) => c.toUpperCase());
  const own = countryOf(did);
  const countries = configured.includes('*') ? [] : configured.length > 0 ? configured : own ? [own] : [];
  return { allowedCountries: countries, blockedPrefixes: list(blockedPrefixes).map((p) => (p.startsWith('+') ? p : `+${p}`)) };
}

export function screenNumber(e164: string, policy: CallbackPolicy): ScreenResult {
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
