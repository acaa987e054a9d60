// Shared argument checks of the admin CLI: each bad value is refused with CLI_INVALID_ARGUMENT and a
// message saying what is accepted; good values come back cleaned.
import { expect } from 'chai';
import { CliError } from '../../../src/cli/errors';
import {
  parseE164,
  parseEndpoint,
  parseGreetingKind,
  parseInstalledLanguage,
  parseLanguageTag,
  parseName,
  parseNonNegativeInt,
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
});
