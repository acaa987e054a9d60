// Numbers at the edge: every form carriers and people use for caller IDs and DIDs, turned into E.164.
// Expected values were checked against libphonenumber-js 1.13.16 (/max metadata) and the national
// numbering plans; a metadata update that changes them is worth noticing, so they are exact.
import { expect } from 'chai';
import type { E164Result } from '../../../src/domain/e164';
import {
  type CallerIdResult,
  isPresentationHidden,
  matchDid,
  normaliseCallerId,
  normaliseInternational,
  normaliseNumber,
  numberPartOf,
} from '../../../src/domain/numbers';

const ok = (e164: string, country: string | undefined, type: string): E164Result => ({ ok: true, e164, country, type }) as E164Result;
const no = (reason: string): E164Result => ({ ok: false, reason }) as E164Result;

const BERLIN = ok('+4930123456', 'DE', 'FIXED_LINE');
const DE_MOBILE = ok('+4915112345690', 'DE', 'MOBILE');
const AT_MOBILE = ok('+436641234567', 'AT', 'MOBILE');
const VIENNA = ok('+4315123456', 'AT', 'FIXED_LINE');
const ZURICH = ok('+41446681800', 'CH', 'FIXED_LINE');
const CH_MOBILE = ok('+41791234567', 'CH', 'MOBILE');
const LONDON = ok('+442079460958', 'GB', 'FIXED_LINE');
const GB_MOBILE = ok('+447400123456', 'GB', 'MOBILE');
const WASHINGTON = ok('+12025550123', 'US', 'FIXED_LINE_OR_MOBILE');
const PARIS = ok('+33123456789', 'FR', 'FIXED_LINE');
const FR_MOBILE = ok('+33612345678', 'FR', 'MOBILE');
const ROME = ok('+390612345678', 'IT', 'FIXED_LINE');
const IT_MOBILE = ok('+393471234567', 'IT', 'MOBILE');

describe('normaliseNumber', () => {
  const cases: Array<[string, string, string | undefined, E164Result]> = [
    // Germany
    ['a German E.164 number with spaces is accepted', '+49 30 123456', 'DE', BERLIN],
    ['a German number with 00 is accepted', '004930123456', 'DE', BERLIN],
    ['the German country code without + is read as international', '4930123456', 'DE', BERLIN],
    ['a German national landline with trunk 0 is read in the DID country', '030123456', 'DE', BERLIN],
    ['a German national landline written with a slash is accepted', '030/123456', 'DE', BERLIN],
    ['a German national landline with dash and space is accepted', '030-123 456', 'DE', BERLIN],
    ['a German area code in parentheses is accepted', '(030) 123456', 'DE', BERLIN],
    ['a trunk (0) after the German country code is dropped', '+49 (0)30 123456', 'DE', BERLIN],
    ['a trunk (0) after 0049 is dropped, even without a region', '0049 (0)30 123456', undefined, BERLIN],
    ['a German national mobile is read in the DID country', '015112345690', 'DE', DE_MOBILE],
    ['a German national mobile in groups is accepted', '0151 123 456 90', 'DE', DE_MOBILE],
    // '4915112345690' is also a formally valid German fixed line (+49 4915…); DE writes national
    // numbers with a trunk 0, so the bare form is the country code without +.
    ['a German mobile with country code without + is the mobile, not a fixed line', '4915112345690', 'DE', DE_MOBILE],
    ['a German mobile in E.164 with spaces is accepted', '+49 151 12345690', 'DE', DE_MOBILE],
    ['a German national number without its trunk 0 is still read nationally', '30123456', 'DE', BERLIN],
    ['an Austrian country code without + on a German trunk is Austrian', '436641234567', 'DE', AT_MOBILE],
    ['an Austrian number with 00 on a German trunk is Austrian', '0043 664 1234567', 'DE', AT_MOBILE],
    ['an internal extension is not a number', '1001', 'DE', no('invalid')],
    ['an emergency short code is not a number', '110', 'DE', no('invalid')],
    // Austria
    ['an Austrian national Vienna landline is read in AT', '015123456', 'AT', VIENNA],
    ['an Austrian national landline with a space is accepted', '01 5123456', 'AT', VIENNA],
    ['an Austrian national mobile is read in AT', '0664 1234567', 'AT', AT_MOBILE],
    ['the Austrian country code without + is read as international', '436641234567', 'AT', AT_MOBILE],
    ['an Austrian E.164 mobile with spaces is accepted', '+43 664 123 4567', 'AT', AT_MOBILE],
    ['an Austrian landline with country code without + is accepted', '4315123456', 'AT', VIENNA],
    // Switzerland
    ['a Swiss national landline in groups is read in CH', '044 668 18 00', 'CH', ZURICH],
    ['a Swiss national mobile in groups is read in CH', '079 123 45 67', 'CH', CH_MOBILE],
    ['the Swiss country code without + is read as international', '41446681800', 'CH', ZURICH],
    ['a trunk (0) after the Swiss country code is dropped', '+41 (0)44 668 18 00', undefined, ZURICH],
    ['a Swiss mobile with 00 is accepted', '0041791234567', 'CH', CH_MOBILE],
    // United Kingdom
    ['a UK national London landline is read in GB', '020 7946 0958', 'GB', LONDON],
    ['a UK national mobile is read in GB', '07400 123456', 'GB', GB_MOBILE],
    ['the UK country code without + is read as international', '442079460958', 'GB', LONDON],
    ['a trunk (0) after the UK country code is dropped', '+44 (0)20 7946 0958', undefined, LONDON],
    ['a UK E.164 mobile with spaces is accepted', '+44 7400 123456', undefined, GB_MOBILE],
    // United States: 10 digits are the everyday national form, the trunk prefix 1 equals the country code.
    ['a US number with parentheses and dash is read in US', '(202) 555-0123', 'US', WASHINGTON],
    ['a US number with dashes is read in US', '202-555-0123', 'US', WASHINGTON],
    ['a US number with trunk prefix 1 is read in US', '1-202-555-0123', 'US', WASHINGTON],
    ['a US number with 1 and no punctuation is the same number', '12025550123', 'US', WASHINGTON],
    ['a US E.164 number with spaces is accepted', '+1 202 555 0123', 'US', WASHINGTON],
    ['a US trunk may use 011 for international', '011 49 30 123456', 'US', BERLIN],
    ['digits that are no US number are tried as international', '4930123456', 'US', BERLIN],
    ['10 US digits without a region cannot be read', '2025550123', undefined, no('no-international-prefix')],
    // France
    ['a French national landline in pairs is read in FR', '01 23 45 67 89', 'FR', PARIS],
    ['a French national mobile in pairs is read in FR', '06 12 34 56 78', 'FR', FR_MOBILE],
    ['a French national landline with dots is accepted', '01.23.45.67.89', 'FR', PARIS],
    ['the French country code without + is read as international', '33612345678', 'FR', FR_MOBILE],
    ['a trunk (0) after the French country code is dropped', '+33 (0)1 23 45 67 89', undefined, PARIS],
    ['a French mobile with 00 is accepted', '0033 6 12 34 56 78', 'FR', FR_MOBILE],
    // Italy: the leading 0 of landlines is part of the number and stays in E.164.
    ['an Italian national landline keeps its 0', '06 1234 5678', 'IT', ROME],
    ['an Italian E.164 landline keeps its 0', '+39 06 1234 5678', undefined, ROME],
    ['an Italian landline with 00 on a German trunk keeps its 0', '0039 06 12345678', 'DE', ROME],
    ['the Italian country code without + is read as international', '390612345678', 'IT', ROME],
    ['an Italian national mobile has no trunk prefix', '347 123 4567', 'IT', IT_MOBILE],
    ['a national German form read in Italy is an Italian landline', '030123456', 'IT', ok('+39030123456', 'IT', 'FIXED_LINE')],
    // URIs and display names
    ['a tel: URI is accepted', 'tel:+4930123456', undefined, BERLIN],
    ['a sip: URI with a national user and URI params is read in the region', 'sip:030123456@carrier;user=phone', 'DE', BERLIN],
    [
      'a display name and sip: URI with params is accepted',
      '"Berlin Office" <sip:+49301234@host;user=phone>',
      undefined,
      ok('+49301234', 'DE', 'FIXED_LINE'),
    ],
    ['a percent-encoded + in a SIP user is decoded', '<sip:%2B4930123456@host>', undefined, BERLIN],
    ['a tel: URI with dashes and phone-context is read in the region', 'tel:030-123456;phone-context=+49', 'DE', BERLIN],
    ['a sips: URI with port and transport is accepted', 'sips:4930123456@10.0.0.1:5061;transport=tls', 'DE', BERLIN],
    ['an extension parameter is dropped from a tel: URI', 'tel:+4930123456;ext=12', undefined, BERLIN],
    // Regions
    ['a lower-case region is accepted', '030123456', 'de', BERLIN],
    ['an unknown region counts as none', '030123456', 'XX', no('no-international-prefix')],
    ['a national form without a region cannot be read', '030123456', undefined, no('no-international-prefix')],
    ['the country code without + is read without a region', '4930123456', undefined, BERLIN],
    // Garbage
    ['text is invalid', 'Hidden Number', 'DE', no('invalid')],
    ['a letter inside the digits is invalid', '+49 30 12345x', undefined, no('invalid')],
    ['an empty string is empty', '', 'DE', no('empty')],
    ['only punctuation is empty', ' - ', 'DE', no('empty')],
    ['a bare + is empty', '+', 'DE', no('empty')],
    ['more than 15 digits after + are too long', '+' + '4'.repeat(16), 'DE', no('too-long')],
    ['an absurdly long input is invalid without being parsed', '1'.repeat(300), 'DE', no('invalid')],
    ['a malformed percent escape is invalid', 'sip:%2G4930123456@host', 'DE', no('invalid')],
  ];
  for (const [name, input, region, expected] of cases) {
    it(name, () => {
      expect(normaliseNumber(input, region)).to.deep.equal(expected);
    });
  }
});

describe('normaliseInternational', () => {
  const cases: Array<[string, string, E164Result]> = [
    ['E.164 with spaces is accepted', '+49 30 123456', BERLIN],
    ['00 with dashes is accepted', '0049-30-123456', BERLIN],
    ['a trunk (0) after the country code is dropped', '+49 (0)30 123456', BERLIN],
    ['a tel: URI is accepted', 'tel:+4930123456', BERLIN],
    ['a national form is refused for lack of the country code', '030 123456', no('no-international-prefix')],
    ['the country code without + is refused: it may be a national number', '4930123456', no('no-international-prefix')],
    ['text is invalid', 'Berlin', no('invalid')],
    ['00 followed by text is invalid', '00abc', no('invalid')],
    ['nothing is empty', '  ', no('empty')],
    ['an overlong input is invalid', '+' + '4'.repeat(300), no('invalid')],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(normaliseInternational(input)).to.deep.equal(expected);
    });
  }
});

describe('numberPartOf', () => {
  const cases: Array<[string, string, string]> = [
    ['a plain number is kept', ' +49 30 123456 ', '+49 30 123456'],
    ['a display name and angle brackets are removed', '"Name" <sip:+49301234@host;user=phone>', '+49301234'],
    ['a sip: host and params are removed', 'sip:030123456@carrier;user=phone', '030123456'],
    ['tel: params are removed', 'tel:+4930123456;ext=1', '+4930123456'],
    ['a host without scheme is removed', '+4930123456@10.0.0.1', '+4930123456'],
    ['the scheme is matched case-insensitively', 'SIP:+4930123456@host', '+4930123456'],
    ['the anonymous SIP URI yields its user', '"Anonymous" <sip:anonymous@anonymous.invalid>', 'anonymous'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(numberPartOf(input)).to.equal(expected);
    });
  }
});

describe('isPresentationHidden', () => {
  const hidden = [
    'prohib_not_screened',
    'prohib_passed_screen',
    'prohib_failed_screen',
    'prohib',
    'unavailable',
    'PROHIB',
    'Unavailable',
    '32',
    '67',
    // Not Asterisk names, but clearly meant as hidden; unrecognised values fail safe as hidden.
    'prohibited',
    'restricted',
    'garbage',
  ];
  const shown = [
    'allowed_not_screened',
    'allowed_passed_screen',
    'allowed_failed_screen',
    'allowed',
    'ALLOWED',
    ' allowed ',
    '',
    '0',
    '1',
    '3',
  ];
  for (const p of hidden) it(`presentation '${p}' hides the number`, () => expect(isPresentationHidden(p)).to.equal(true));
  for (const p of shown) it(`presentation '${p}' shows the number`, () => expect(isPresentationHidden(p)).to.equal(false));
  it('a missing presentation shows the number', () => expect(isPresentationHidden(undefined)).to.equal(false));
});

describe('normaliseCallerId', () => {
  const withheld: CallerIdResult = { kind: 'withheld' };
  const number = (e164: string, country?: string): CallerIdResult =>
    country ? { kind: 'number', e164, country } : { kind: 'number', e164 };
  const cases: Array<[string, string | null | undefined, { presentation?: string; defaultRegion?: string }, CallerIdResult]> = [
    ['a national German mobile is read in the DID country', '015112345690', { defaultRegion: 'DE' }, number('+4915112345690', 'DE')],
    ['a German caller ID with country code without + is accepted', '4930123456', { defaultRegion: 'DE' }, number('+4930123456', 'DE')],
    ['a German caller ID with 00 is accepted', '004930123456', { defaultRegion: 'DE' }, number('+4930123456', 'DE')],
    ['an E.164 caller ID needs no region', '+4930123456', {}, number('+4930123456', 'DE')],
    [
      'a caller ID in a SIP URI with display name is accepted',
      '"Alice" <sip:+4930123456@carrier;user=phone>',
      { defaultRegion: 'DE' },
      number('+4930123456', 'DE'),
    ],
    ['an allowed presentation keeps the number', '+4930123456', { presentation: 'allowed_not_screened' }, number('+4930123456', 'DE')],
    ['a non-geographic caller has no country', '+80012345678', {}, number('+80012345678')],
    ['a restricted presentation withholds a real number', '+4930123456', { presentation: 'prohib_passed_screen' }, withheld],
    ['presentation prohib withholds', '+4930123456', { presentation: 'prohib' }, withheld],
    ['presentation unavailable withholds', '030123456', { presentation: 'unavailable', defaultRegion: 'DE' }, withheld],
    ['presentation is read case-insensitively', '+4930123456', { presentation: 'PROHIB_NOT_SCREENED' }, withheld],
    ['no caller ID is withheld', null, { defaultRegion: 'DE' }, withheld],
    ['an undefined caller ID is withheld', undefined, {}, withheld],
    ['an empty caller ID is withheld', '', { defaultRegion: 'DE' }, withheld],
    ['a blank caller ID is withheld', '   ', { defaultRegion: 'DE' }, withheld],
    ['"anonymous" is withheld', 'anonymous', { defaultRegion: 'DE' }, withheld],
    ['"Anonymous" is withheld', 'Anonymous', { defaultRegion: 'DE' }, withheld],
    ['"unknown" is withheld', 'unknown', { defaultRegion: 'DE' }, withheld],
    ['"RESTRICTED" is withheld', 'RESTRICTED', { defaultRegion: 'DE' }, withheld],
    ['"unavailable" is withheld', 'unavailable', { defaultRegion: 'DE' }, withheld],
    ['"Private" is withheld', 'Private', { defaultRegion: 'DE' }, withheld],
    ['"withheld" is withheld', 'withheld', { defaultRegion: 'DE' }, withheld],
    ['the RFC 3323 anonymous URI is withheld', '"Anonymous" <sip:anonymous@anonymous.invalid>', { defaultRegion: 'DE' }, withheld],
    ['a SIP URI without a user is withheld', '<sip:@carrier>', { defaultRegion: 'DE' }, withheld],
    ['a short internal extension is unusable', '1001', { defaultRegion: 'DE' }, { kind: 'unusable', reason: 'invalid' }],
    ['a national number without a region is unusable', '030123456', {}, { kind: 'unusable', reason: 'no-international-prefix' }],
    ['unrecognised text is unusable', 'Hidden Number', { defaultRegion: 'DE' }, { kind: 'unusable', reason: 'invalid' }],
    ['a bare + is unusable', '+', { defaultRegion: 'DE' }, { kind: 'unusable', reason: 'empty' }],
  ];
  for (const [name, input, opts, expected] of cases) {
    it(name, () => {
      expect(normaliseCallerId(input, opts)).to.deep.equal(expected);
    });
  }
});

describe('matchDid', () => {
  const berlinOnly = ['+4930123456'];
  for (const raw of [
    '+4930123456',
    '4930123456',
    '004930123456',
    '030123456',
    '+49 30 123456',
    'tel:+4930123456',
    'sip:030123456@carrier;user=phone',
  ]) {
    it(`'${raw}' finds the configured +4930123456`, () => {
      expect(matchDid(raw, berlinOnly)).to.equal('+4930123456');
    });
  }

  // +49221123456 (Köln) and +43221123456 are both valid: the same digits in two countries.
  const cologne = ['+4930123456', '+49221123456'];
  const noMatch: Array<[string, string, readonly string[]]> = [
    ["another country's number with the same digits in E.164", '+43221123456', cologne],
    ["another country's number with the same digits after 00", '0043221123456', cologne],
    ["another country's number with the same digits without +", '43221123456', cologne],
    ['a prefix of a DID', '+493012345', berlinOnly],
    ['a national prefix of a DID', '03012345', berlinOnly],
    ['a DID with a digit more', '+49301234567', berlinOnly],
    ['an unknown DID', '+4989123456', berlinOnly],
    ['garbage', 'not-a-number', berlinOnly],
    ['an empty DID', '', berlinOnly],
  ];
  for (const [name, raw, configured] of noMatch) {
    it(`${name} ('${raw}') matches nothing`, () => {
      expect(matchDid(raw, configured)).to.equal(undefined);
    });
  }

  it('a national DID that denotes DIDs in two configured countries is ambiguous and matches nothing', () => {
    expect(matchDid('0221123456', ['+49221123456', '+43221123456'])).to.equal(undefined);
  });

  it('a national DID is read in the country where it is a valid number', () => {
    // 030123456 is no valid Austrian number, so an Austrian DID beside it does not make it ambiguous.
    expect(matchDid('030123456', ['+4930123456', '+43221123456'])).to.equal('+4930123456');
  });

  it('a country code without + picks its own country among several', () => {
    const both = ['+49221123456', '+43221123456'];
    expect(matchDid('49221123456', both)).to.equal('+49221123456');
    expect(matchDid('43221123456', both)).to.equal('+43221123456');
  });

  it('a national US DID is found among German and US DIDs', () => {
    expect(matchDid('(202) 555-0123', ['+4930123456', '+12025550123'])).to.equal('+12025550123');
  });

  it('the name of a digital entry point matches exactly, surrounding blanks ignored', () => {
    expect(matchDid('web-chat', ['+4930123456', 'web-chat'])).to.equal('web-chat');
    expect(matchDid(' web-chat ', ['+4930123456', 'web-chat'])).to.equal('web-chat');
    expect(matchDid('Web-Chat', ['+4930123456', 'web-chat'])).to.equal(undefined);
  });

  it('E.164 DIDs are still found when the list holds only non-geographic numbers and names', () => {
    expect(matchDid('0080012345678', ['+80012345678', 'web-chat'])).to.equal('+80012345678');
  });
});
