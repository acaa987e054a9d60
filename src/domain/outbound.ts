// Where a callback to a customer is dialled (DESIGN.md §4 "Numbers at the edge"): through the admin's
// own dialplan by default, so their outbound routes, prefixes and carrier formats apply, or through a
// dial-string template per number. Pure: libphonenumber-js only reads its bundled metadata.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The sample context shipped in asterisk-config/production; the admin routes it to their trunk. */
export const DEFAULT_OUTBOUND_CONTEXT = 'callbackd-outbound';

export interface DialTarget {
  /** Dial string for the PBX, e.g. Local/+4915112345678@callbackd-outbound or PJSIP/015112345678@carrier. */
  endpoint: string;
  /** The dialplan extension this target needs (checked before dialling and by `callbackd doctor`). */
  needs?: { context: string; extension: string };
}

export type DialTargetResult = ({ ok: true } & DialTarget) | { ok: false; error: string };

const NAME = /^[A-Za-z0-9_.-]+$/;
const PLACEHOLDER = /\{([a-z0-9]+)\}/g;

/** The number in the forms a template may use. */
export function numberForms(e164: string): Record<'e164' | 'digits' | 'national', string> | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return undefined;
  return { e164: parsed.number, digits: parsed.number.slice(1), national: parsed.nationalNumber };
}

/**
 * Routes (numbers.outbound_trunk, set with `callbackd numbers set --trunk`):
 * - empty: `Local/<E.164>@callbackd-outbound` — the admin's dialplan decides;
 * - `dialplan:<context>`: `Local/<E.164>@<context>`;
 * - a template with `{e164}` (+49…), `{digits}` (49…) or `{national}` (national significant number,
 *   e.g. 15112345678), such as `PJSIP/0{national}@carrier`;
 * - a bare name: a PJSIP trunk endpoint, dialled as `PJSIP/<E.164>@<name>` (as before templates).
 */
export function dialTarget(e164: string, route: string | null | undefined): DialTargetResult {
  const forms = numberForms(e164);
  if (!forms) return { ok: false, error: `${e164} is not a valid E.164 number` };
  const r = (route ?? '').trim();
  if (r === '') return local(forms.e164, DEFAULT_OUTBOUND_CONTEXT);
  if (r.startsWith('dialplan:')) {
    const context = r.slice('dialplan:'.length);
    return NAME.test(context) ? local(forms.e164, context) : { ok: false, error: `'${context}' is not a dialplan context name` };
  }
  if (r.includes('{')) return expand(r, forms);
  if (NAME.test(r)) return { ok: true, endpoint: `PJSIP/${forms.e164}@${r}` };
  return {
    ok: false,
    error: `outbound route '${r}' is neither dialplan:<context>, a template with {e164}/{digits}/{national}, nor a PJSIP endpoint name (letters, digits, '.', '_', '-')`,
  };
}

function local(e164: string, context: string): DialTargetResult {
  // /n: no local-channel optimisation, so the Local channel we created stays the one in our bridge.
  return { ok: true, endpoint: `Local/${e164}@${context}/n`, needs: { context, extension: e164 } };
}

function expand(template: string, forms: Record<string, string>): DialTargetResult {
  let unknown: string | undefined;
  const endpoint = template.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in forms)) unknown = name;
    return forms[name] ?? '';
  });
  if (unknown) return { ok: false, error: `unknown placeholder {${unknown}} in '${template}' (use {e164}, {digits} or {national})` };
  // One channel only: '&' would ring several, and stray braces mean a broken template.
  if (/[&{}\s]/.test(endpoint) || !/^[A-Za-z]+\/./.test(endpoint))
    return { ok: false, error: `'${template}' does not give a single dial string` };
  return { ok: true, endpoint };
}
