// Every numeric setting has a documented range; durations stay far below setTimeout's ceiling.
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load';
import { envName, SCHEMA, type Setting } from '../../src/config/schema';
import { MAX_TIMER_MS, UNIT_MS } from '../../src/domain/durations';
import { configError, get } from './config-helpers';

const specs: [string, Setting][] = Object.entries(SCHEMA);
const numeric = specs.filter(
  (e): e is [string, Extract<Setting, { kind: 'count' | 'duration' }>] => e[1].kind === 'count' || e[1].kind === 'duration',
);

describe('config ranges', () => {
  it('every setting whose name is a count or a duration is numeric with a range', () => {
    const looksNumeric = specs.filter(([key]) => /(Ms|Seconds|Minutes|Attempts|Missed|PerHour)$/.test(key)).map(([key]) => key);
    expect(numeric.map(([key]) => key)).to.have.members(looksNumeric);
  });

  it('durations carry the unit their name says', () => {
    for (const [key, spec] of numeric.filter(([, s]) => s.kind === 'duration')) {
      const unit = spec.kind === 'duration' ? spec.unit : undefined;
      expect(unit, key).to.equal(key.endsWith('Ms') ? 'ms' : key.endsWith('Seconds') ? 's' : 'min');
    }
  });

  it('no duration maximum can overflow a timer (2^31-1 ms)', () => {
    for (const [key, spec] of numeric) {
      if (spec.kind !== 'duration') continue;
      expect(spec.max * UNIT_MS[spec.unit], key).to.be.at.most(MAX_TIMER_MS);
      expect(spec.min, key).to.be.at.least(0);
    }
  });

  it('every default lies in its range', () => {
    for (const [key, spec] of numeric) expect(spec.default, key).to.be.within(spec.min, spec.max);
  });

  it('counts are whole numbers', () => {
    for (const [key, spec] of numeric) if (spec.kind === 'count') expect(spec.integer, key).to.equal(true);
  });

  for (const [key, spec] of numeric) {
    const variable = envName(key);
    describe(`${key} (${spec.min}..${spec.max})`, () => {
      it('accepts its minimum and maximum', () => {
        expect(get(loadConfig({ env: { [variable]: String(spec.min) } }), key)).to.equal(spec.min);
        expect(get(loadConfig({ env: { [variable]: String(spec.max) } }), key)).to.equal(spec.max);
      });

      const refused = [String(spec.max + 1), '1e23', String(spec.min - 1), 'Infinity', 'NaN', '12abc'];
      if (spec.integer) refused.push(String(spec.min + 0.5));
      for (const bad of refused) {
        it(`refuses ${bad}, naming the key, the range and the value`, () => {
          const err = configError(() => loadConfig({ env: { [variable]: bad } }));
          expect(err.message).to.include(`'${key}'`);
          expect(err.message).to.include(`from ${spec.min} to ${spec.max}`);
          expect(err.message).to.include(JSON.stringify(bad));
          expect(err.message).to.include(variable);
        });
      }
    });
  }

  it('an offer delay of a month in the file is refused rather than firing at once', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_IVR_OFFER_DELAY_SECONDS: String(30 * 86400) } }));
    expect(err.message).to.equal(
      'config key \'ivr.offerDelaySeconds\' must be a number of seconds from 0 to 3600, got "2592000" from environment variable CALLBACKD_IVR_OFFER_DELAY_SECONDS',
    );
  });

  it('fractions are fine where they make sense (seconds, minutes)', () => {
    const c = loadConfig({ env: { CALLBACKD_IVR_MENU_TIMEOUT_SECONDS: '2.5', CALLBACKD_CALLBACK_EXPIRY_MINUTES: '1.5' } });
    expect(c.ivr.menuTimeoutSeconds).to.equal(2.5);
    expect(c.callback.expiryMinutes).to.equal(1.5);
  });

  it('a whole number of milliseconds is required for ari.requestTimeoutMs', () => {
    expect(configError(() => loadConfig({ env: { CALLBACKD_ARI_REQUEST_TIMEOUT_MS: '2500.5' } })).message).to.include(
      'a whole number of milliseconds from 100 to 60000',
    );
  });
});
