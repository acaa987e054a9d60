import { expect } from 'chai';
import { callerIdToE164, countryOf, dtmfToE164, e164ToDigits, type E164Result } from '../../../src/domain/e164';

// Expected values were taken from libphonenumber-js 1.13.16 (/max metadata); a metadata update that
// changes them is worth noticing, so they are asserted exactly.
const ok = (e164: string, country: string | undefined, type: string): E164Result => ({ ok: true, e164, country, type }) as E164Result;
const no = (reason: string): E164Result => ({ ok: false, reason }) as E164Result;

describe('dtmfToE164', () => {
  const cases: [string, string, E164Result][] = [
    ['a number typed with 00 for + is accepted', '004915112345678', ok('+4915112345678', 'DE', 'MOBILE')],
    ['a number typed with * for + is accepted', '*4915112345678', ok('+4915112345678', 'DE', 'MOBILE')],
    ['a trailing # is ignored', '*4915112345678#', ok('+4915112345678', 'DE', 'MOBILE')],
    ['a trailing # is ignored after 00 too', '004930123456#', ok('+4930123456', 'DE', 'FIXED_LINE')],
    ['a Berlin landline is a fixed line', '004930123456', ok('+4930123456', 'DE', 'FIXED_LINE')],
    // North American numbers share ranges between mobile and landline, so libphonenumber cannot tell.
    ['a US number is valid but cannot be told mobile from fixed', '*12025550123', ok('+12025550123', 'US', 'FIXED_LINE_OR_MOBILE')],
    ['a German 900 number is premium rate', '*499001234567', ok('+499001234567', 'DE', 'PREMIUM_RATE')],
    ['a UK 800 number is toll free', '00448001234567', ok('+448001234567', 'GB', 'TOLL_FREE')],
    ['a non-geographic number has no country', '*80012345678', ok('+80012345678', undefined, 'TOLL_FREE')],
    // People often keep the national trunk 0 after the country code; libphonenumber drops it.
    ['a trunk 0 after the country code is dropped', '0049015112345678', ok('+4915112345678', 'DE', 'MOBILE')],
    ['an empty entry is empty', '', no('empty')],
    ['only # is empty', '#', no('empty')],
    ['00 alone is empty', '00', no('empty')],
    ['* alone is empty', '*', no('empty')],
    ['00# is empty', '00#', no('empty')],
    ['a national-format entry needs the international prefix', '030123456', no('no-international-prefix')],
    ['a single 0 needs the international prefix', '0', no('no-international-prefix')],
    ['40 digits after the prefix are too long', '00' + '1'.repeat(40), no('too-long')],
    ['16 digits after * are too long', '*' + '4'.repeat(16), no('too-long')],
    // Length is only judged after the prefix; without one the prefix is the first problem.
    ['40 digits without a prefix lack the prefix', '1'.repeat(40), no('no-international-prefix')],
    ['letters after the prefix are invalid', '*49abc', no('invalid')],
    ['letters alone are invalid', 'abc', no('invalid')],
    ['a * inside the number is invalid', '*49*15112345678', no('invalid')],
    ['two trailing # are invalid', '*4915112345678##', no('invalid')],
    ['* and 00 together are invalid', '*004915112345678', no('invalid')],
    // "Possible" (right length range) but not valid: one digit too many for a German 900 number.
    ['a possible but not valid premium number is refused', '*4990012345678', no('invalid')],
    ['a German mobile one digit short is refused', '*491511234567', no('invalid')],
    ['an unassigned country code is refused', '*999123456789', no('invalid')],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(dtmfToE164(input)).to.deep.equal(expected);
    });
  }
});

describe('callerIdToE164', () => {
  const cases: [string, string | null | undefined, E164Result][] = [
    ['a caller ID with + is accepted', '+4915112345678', ok('+4915112345678', 'DE', 'MOBILE')],
    ['a caller ID with 00 is accepted', '004915112345678', ok('+4915112345678', 'DE', 'MOBILE')],
    ['surrounding whitespace is tolerated', ' +4930123456 ', ok('+4930123456', 'DE', 'FIXED_LINE')],
    ['a missing caller ID is empty', null, no('empty')],
    ['an undefined caller ID is empty', undefined, no('empty')],
    ['an empty caller ID is empty', '', no('empty')],
    ['a withheld "anonymous" caller ID is rejected', 'anonymous', no('empty')],
    ['a withheld "Anonymous" caller ID is rejected', 'Anonymous', no('empty')],
    ['a withheld "Restricted" caller ID is rejected', 'Restricted', no('empty')],
    ['a withheld "PRIVATE" caller ID is rejected', 'PRIVATE', no('empty')],
    ['a withheld "unknown" caller ID is rejected', 'unknown', no('empty')],
    ['an unrecognised text caller ID is invalid', 'Hidden Number', no('invalid')],
    ['a national number without country code is rejected', '015112345678', no('no-international-prefix')],
    ['a short extension is rejected', '1001', no('no-international-prefix')],
    ['a bare + is empty', '+', no('empty')],
    ['a formatted number with spaces is rejected', '+49 151 12345678', no('invalid')],
    // libphonenumber would happily parse these and drop the extras; we must not.
    ['an extension suffix is rejected', '+4915112345678;ext=1', no('invalid')],
    ['a tel: URI is rejected', 'tel:+4915112345678', no('invalid')],
    ['a possible but not valid number is rejected', '+4990012345678', no('invalid')],
    ['more than 15 digits are too long', '+' + '4'.repeat(16), no('too-long')],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(callerIdToE164(input)).to.deep.equal(expected);
    });
  }
});

describe('e164ToDigits', () => {
  it('reads a number back as plus and one prompt per digit', () => {
    expect(e164ToDigits('+49301')).to.deep.equal(['plus', 'digit-4', 'digit-9', 'digit-3', 'digit-0', 'digit-1']);
  });
  it('skips characters that have no spoken form instead of failing mid-call', () => {
    expect(e164ToDigits('+1 20-2')).to.deep.equal(['plus', 'digit-1', 'digit-2', 'digit-0', 'digit-2']);
  });
  it('reads nothing for an empty number', () => {
    expect(e164ToDigits('')).to.deep.equal([]);
  });
});

describe('countryOf', () => {
  const cases: [string, string, string | undefined][] = [
    ['a Berlin number is German', '+4930123456', 'DE'],
    ['a US number is American', '+12025550123', 'US'],
    // +44 7911 is in Guernsey's mobile range, not the UK's: libphonenumber reports the territory.
    ['a +44 7911 mobile belongs to Guernsey', '+447911123456', 'GG'],
    ['a non-geographic +800 number has no country', '+80012345678', undefined],
    ['garbage has no country', 'garbage', undefined],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(countryOf(input)).to.equal(expected);
    });
  }
});
