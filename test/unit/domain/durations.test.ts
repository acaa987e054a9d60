import { expect } from 'chai';
import {
  boundDuration,
  boundSeconds,
  checkRange,
  describeRange,
  fitsTimer,
  MAX_TIMER_MS,
  MAX_TIMER_SECONDS,
} from '../../../src/domain/durations';

describe('domain/durations', () => {
  it('the timer ceiling is the largest delay setTimeout honours (2^31-1 ms, about 24.8 days)', () => {
    expect(MAX_TIMER_MS).to.equal(2147483647);
    expect(MAX_TIMER_SECONDS).to.equal(2147483);
    expect(fitsTimer(MAX_TIMER_MS)).to.equal(true);
    expect(fitsTimer(MAX_TIMER_MS + 1)).to.equal(false);
    expect(fitsTimer(-1)).to.equal(false);
    expect(fitsTimer(NaN)).to.equal(false);
    expect(fitsTimer(Infinity)).to.equal(false);
  });

  // [value, range, result]
  const cases: [number, { min: number; max: number; integer?: boolean }, ReturnType<typeof checkRange>][] = [
    [0, { min: 0, max: 10 }, { ok: true, value: 0 }],
    [10, { min: 0, max: 10 }, { ok: true, value: 10 }],
    [2.5, { min: 0, max: 10 }, { ok: true, value: 2.5 }],
    [2.5, { min: 0, max: 10, integer: true }, { ok: false, reason: 'not-an-integer' }],
    [-1, { min: 0, max: 10 }, { ok: false, reason: 'below-min' }],
    [10.001, { min: 0, max: 10 }, { ok: false, reason: 'above-max' }],
    [1e23, { min: 0, max: 86400, integer: true }, { ok: false, reason: 'above-max' }],
    [NaN, { min: 0, max: 10 }, { ok: false, reason: 'not-a-number' }],
    [Infinity, { min: 0, max: 10 }, { ok: false, reason: 'not-a-number' }],
  ];
  for (const [value, range, result] of cases) {
    it(`checkRange(${value}, ${range.min}..${range.max}${range.integer ? ' whole' : ''}) → ${JSON.stringify(result)}`, () => {
      expect(checkRange(value, range)).to.deep.equal(result);
    });
  }

  it('boundSeconds checks a value against a range that fits a timer', () => {
    expect(boundSeconds(3600, { min: 0, max: 86400, integer: true })).to.deep.equal({ ok: true, value: 3600 });
    expect(boundSeconds(3e6, { min: 0, max: 86400, integer: true })).to.deep.equal({ ok: false, reason: 'above-max' });
    expect(boundSeconds(MAX_TIMER_SECONDS, { min: 0, max: MAX_TIMER_SECONDS })).to.deep.equal({ ok: true, value: MAX_TIMER_SECONDS });
  });

  it('refuses to declare a range whose maximum would overflow setTimeout (a programming error)', () => {
    expect(() => boundSeconds(1, { min: 0, max: MAX_TIMER_SECONDS + 1 })).to.throw(RangeError, /does not fit a timer/);
    expect(() => boundDuration(1, 'min', { min: 0, max: 60 * 24 * 30 })).to.throw(RangeError);
    expect(() => boundDuration(1, 'ms', { min: -1, max: 10 })).to.throw(RangeError);
    expect(boundDuration(10_080, 'min', { min: 1, max: 10_080 })).to.deep.equal({ ok: true, value: 10_080 });
  });

  it('describes a range for error messages', () => {
    expect(describeRange({ min: 1, max: 10, integer: true })).to.equal('a whole number from 1 to 10');
    expect(describeRange({ min: 0, max: 3600 }, 'seconds')).to.equal('a number of seconds from 0 to 3600');
  });
});
