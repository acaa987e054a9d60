// Shared argument checks of the admin CLI: each bad value is refused with CLI_INVALID_ARGUMENT and a
// message saying what is accepted; good values come back cleaned.
import { expect } from 'chai';
import { CliError } from '../../../src/cli/errors';
import {
  isEntryPointName,
  parseE164,
  parseEndpoint,
  parseEntryPointName,
  parseGreetingKind,
  parseInstalledLanguage,
  parseLanguageTag,
  parseName,
  parseNonNegativeInt,
  parseNumberKey,
  parseOnOff,
  parsePositiveInt,
  parseSeconds,
  parseSince,
  parseTrunk,
} from '../../../src/cli/validate';

function refused(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CliError);
    expect((err as CliError).code).to.equal('CLI_INVALID_ARGUMENT');
    expect((err as CliError).message).to.match(message);
    return;
  }
  expect.fail('expected the value to be refused');
}

describe('cli/validate', () => {
  it('accepts E.164 DIDs, normalising 00 to +', () => {
    expect(parseE164('DID', '+4930123456')).to.equal('+4930123456');
    expect(parseE164('DID', '004930123456')).to.equal('+4930123456');
  });

  it('refuses national, garbage and impossible numbers, saying why', () => {
    refused(() => parseE164('DID', '030123456'), /must start with \+/);
    refused(() => parseE164('DID', 'abc'), /not a valid phone number/);
    refused(() => parseE164('DID', '+4912'), /not a valid phone number/);
    refused(() => parseE164('DID', ''), /empty/);
  });

  const international: Array<[string, string]> = [
    ['+49 30 123456', '+4930123456'],
    ['0049-30-123456', '+4930123456'],
    ['+49 (0)30 123456', '+4930123456'],
    ['+49.30.123456', '+4930123456'],
    ['(+49) 30/123456', '+4930123456'],
    ['tel:+4930123456', '+4930123456'],
    ['+44 (0)20 7946 0958', '+442079460958'],
    ['+1 (202) 555-0123', '+12025550123'],
    ['+39 06 1234 5678', '+390612345678'],
  ];
  for (const [input, e164] of international) {
    it(`accepts the DID '${input}' in international notation and stores ${e164}`, () => {
      expect(parseE164('DID', input)).to.equal(e164);
    });
  }

  for (const national of ['030 123456', '030-123456', '015112345690', '4930123456', '(202) 555-0123']) {
    it(`refuses the national-only DID '${national}', asking for the country code`, () => {
      refused(() => parseE164('DID', national), /must start with \+ \(or 00\) and the country code/);
    });
  }

  it('tells digital entry point names from phone numbers: a name has a letter', () => {
    expect(['web-widget', 'app.ios', 'chat_2', 'W'].map(isEntryPointName)).to.deep.equal([true, true, true, true]);
    expect(['1234', '030-123456', '+4930123456', 'web widget', 'tel:+4930123456', '-x', ''].map(isEntryPointName)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('accepts a digital entry point name and refuses one that is no plain identifier, naming the rule', () => {
    expect(parseEntryPointName('web-widget')).to.equal('web-widget');
    refused(() => parseEntryPointName('web widget'), /letters, digits, '\.', '_' or '-' with at least one letter/);
    refused(() => parseEntryPointName('12345'), /a name, not a phone number/);
  });

  it('reads a number argument as an entry point name or as a DID in international notation', () => {
    expect(parseNumberKey('web-widget')).to.equal('web-widget');
    expect(parseNumberKey('+49 30 123456')).to.equal('+4930123456');
    refused(() => parseNumberKey('030123456'), /country code/);
  });

  it('accepts names usable in paths and labels, refuses spaces, slashes and dot-dot starts', () => {
    expect(parseName('queue', 'support-2.de_x')).to.equal('support-2.de_x');
    refused(() => parseName('queue', 'my queue'), /not valid/);
    refused(() => parseName('greeting', '../etc'), /not valid/);
    refused(() => parseName('greeting', 'a/b'), /not valid/);
    refused(() => parseName('queue', ''), /not valid/);
  });

  it('lower-cases language tags and refuses anything else', () => {
    expect(parseLanguageTag('DE')).to.equal('de');
    expect(parseLanguageTag('pt_BR')).to.equal('pt_br');
    refused(() => parseLanguageTag('german!'), /language tag/);
  });

  it('accepts only languages with installed prompts, naming the installed ones', () => {
    expect(parseInstalledLanguage('DE', ['de', 'en'])).to.equal('de');
    expect(parseInstalledLanguage('pt-br', ['pt_br'])).to.equal('pt_br');
    refused(() => parseInstalledLanguage('fr', ['de', 'en']), /installed: de, en/);
    refused(() => parseInstalledLanguage('fr', []), /none \(check sounds.dir\)/);
  });

  it('reads on/off switches', () => {
    expect(['on', 'yes', 'true', '1'].map((v) => parseOnOff('--callback', v))).to.deep.equal([true, true, true, true]);
    expect(['off', 'NO', 'false', '0'].map((v) => parseOnOff('--callback', v))).to.deep.equal([false, false, false, false]);
    refused(() => parseOnOff('--callback', 'maybe'), /on or off/);
  });

  it('reads whole numbers and refuses fractions, signs and zero where not allowed', () => {
    expect(parseNonNegativeInt('--max-wait', '0')).to.equal(0);
    expect(parsePositiveInt('--limit', '20')).to.equal(20);
    refused(() => parseNonNegativeInt('--max-wait', '-1'), />= 0/);
    refused(() => parseNonNegativeInt('--max-wait', '1.5'), />= 0/);
    refused(() => parsePositiveInt('--limit', '0'), /> 0/);
  });

  it('turns --since 15m / 24h / 7d into a start time and refuses other forms', () => {
    const now = 10 * 86_400_000;
    expect(parseSince('15m', now)).to.equal(now - 15 * 60_000);
    expect(parseSince('24h', now)).to.equal(now - 86_400_000);
    expect(parseSince('7d', now)).to.equal(now - 7 * 86_400_000);
    refused(() => parseSince('yesterday', now), /15m, 24h, 7d/);
    refused(() => parseSince('0h', now), /not a duration/);
    refused(() => parseSince('1.5h', now), /not a duration/);
  });

  it('refuses a --since beyond 10 years (3650d) instead of computing a start before any date', () => {
    const now = 10 * 86_400_000;
    expect(parseSince('3650d', now)).to.equal(now - 3650 * 86_400_000);
    refused(() => parseSince('3651d', now), /--since '3651d' is too long: at most 3650d/);
    refused(() => parseSince('99999999999999999999999d', now), /too long/);
    refused(() => parseSince('-1d', now), /not a duration/);
    refused(() => parseSince('1e23s', now), /not a duration/);
  });

  it('reads whole seconds within a range and refuses signs, fractions, exponents and values beyond it', () => {
    const range = { min: 0, max: 86_400, integer: true };
    expect(parseSeconds('--max-wait', '0', range)).to.equal(0);
    expect(parseSeconds('--max-wait', ' 86400 ', range)).to.equal(86_400);
    for (const bad of ['1e23', '3000000', '86401', '-5', '1.5', '', 'soon', '99999999999999999999999', '0x10']) {
      refused(() => parseSeconds('--max-wait', bad, range), /--max-wait must be a whole number of seconds from 0 to 86400, got/);
    }
  });

  it('maps greeting kinds, short and long forms', () => {
    expect(parseGreetingKind('offer')).to.equal('callback-offer');
    expect(parseGreetingKind('callback-confirmation')).to.equal('callback-confirmation');
    refused(() => parseGreetingKind('welcome'), /offer or confirmation/);
  });

  it('checks trunk names and agent dial strings', () => {
    expect(parseTrunk('loop')).to.equal('loop');
    refused(() => parseTrunk('PJSIP/loop'), /endpoint name/);
    expect(parseEndpoint('PJSIP/1001')).to.equal('PJSIP/1001');
    refused(() => parseEndpoint('1001'), /dial string/);
    refused(() => parseEndpoint('PJSIP/10 01'), /dial string/);
  });

  for (const endpoint of ['PJSIP/1001', 'PJSIP/alice.smith', 'PJSIP/agent_2-b', 'PJSIP/A1']) {
    it(`accepts the single PJSIP endpoint '${endpoint}'`, () => {
      expect(parseEndpoint(endpoint)).to.equal(endpoint);
    });
  }

  it('stores the PJSIP technology in its canonical case', () => {
    expect(parseEndpoint('pjsip/1001')).to.equal('PJSIP/1001');
  });

  const badEndpoints: Array<[string, string]> = [
    ['several phones joined with &', 'PJSIP/1001&PJSIP/1002'],
    ['a Local channel', 'Local/1001@from-internal'],
    ['a Local channel without context', 'Local/1001'],
    ['chan_sip', 'SIP/1001'],
    ['IAX2', 'IAX2/alice'],
    ['an endpoint at a host', 'PJSIP/x@host'],
    ['a SIP URI as endpoint', 'PJSIP/sip:1001@10.0.0.1'],
    ['dial options', 'PJSIP/1001,30,tT'],
    ['a nested path', 'PJSIP/1001/extra'],
    ['an empty endpoint', 'PJSIP/'],
    ['no technology', '1001'],
  ];
  for (const [name, endpoint] of badEndpoints) {
    it(`refuses ${name} as an agent endpoint ('${endpoint}'), naming the rule`, () => {
      refused(() => parseEndpoint(endpoint), /single dial string PJSIP\/<endpoint> with letters, digits, '\.', '_' or '-'/);
    });
  }
});
