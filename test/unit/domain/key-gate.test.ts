// The per-channel key rate limit (issue 21 item 1): a token bucket, pure, the time passed in.
import { expect } from 'chai';
import { admitKey, DEFAULT_KEY_GATE, initialKeyGate, type KeyGateSettings, type KeyGateState } from '../../../src/domain/ivr/key-gate';

const S: KeyGateSettings = { burst: 3, perSecond: 2 };

/** Feeds keys at the given times (ms) and returns which were taken. */
function feed(times: number[], s: KeyGateSettings = S, start = 0): { taken: boolean[]; state: KeyGateState; dropped: number[] } {
  let state = initialKeyGate(start, s);
  const taken: boolean[] = [];
  const dropped: number[] = [];
  for (const t of times) {
    const v = admitKey(state, t, s);
    taken.push(v.take);
    dropped.push(v.stormDropped);
    state = v.state;
  }
  return { taken, state, dropped };
}

describe('domain: key gate (token bucket per channel)', () => {
  const cases: Array<{ name: string; times: number[]; taken: boolean[] }> = [
    { name: 'a burst up to the limit is taken at once', times: [0, 0, 0], taken: [true, true, true] },
    { name: 'the key past the burst is refused', times: [0, 0, 0, 0], taken: [true, true, true, false] },
    { name: 'half a second later (2/s) one more is taken', times: [0, 0, 0, 0, 500], taken: [true, true, true, false, true] },
    { name: 'just under one token is still a refusal', times: [0, 0, 0, 499], taken: [true, true, true, false] },
    {
      name: 'keys at the refill rate are all taken',
      times: [0, 0, 0, 500, 1000, 1500, 2000],
      taken: [true, true, true, true, true, true, true],
    },
    {
      name: 'a pause refills the bucket to the burst, not beyond',
      times: [0, 0, 0, 60_000, 60_000, 60_000, 60_000],
      taken: [true, true, true, true, true, true, false],
    },
    {
      name: 'a clock stepping back neither refills nor breaks the bucket',
      times: [1000, 1000, 1000, 0, 1499, 1500],
      taken: [true, true, true, false, false, true],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(feed(c.times).taken).to.deep.equal(c.taken);
    });
  }

  it('counts the keys a storm lost across the keys it let through, and reports them once, after the storm', () => {
    // Dry at 0 ms; a key taken at 500 ms does not end the storm; full again 1.5 s after it ran dry.
    const r = feed([0, 0, 0, 0, 0, 0, 500, 500, 2000, 2000]);
    expect(r.taken).to.deep.equal([true, true, true, false, false, false, true, false, true, true]);
    expect(r.dropped).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
    expect(r.state.dropped).to.equal(0);
  });

  it('a storm of 600 keys in 3 s is cut to burst + 3 s of rate with the defaults', () => {
    const times = Array.from({ length: 600 }, (_, i) => i * 5);
    const taken = feed(times, DEFAULT_KEY_GATE).taken.filter(Boolean).length;
    expect(taken).to.equal(DEFAULT_KEY_GATE.burst + Math.floor((2995 * DEFAULT_KEY_GATE.perSecond) / 1000));
  });

  it('lets a 15-digit number and # through from a phone memory dialling 10 keys a second', () => {
    const times = Array.from({ length: 16 }, (_, i) => i * 100);
    expect(feed(times, DEFAULT_KEY_GATE).taken.every(Boolean)).to.be.true;
  });

  it('does not change the state it is given', () => {
    const state = initialKeyGate(0, S);
    const copy = { ...state };
    admitKey(state, 10, S);
    expect(state).to.deep.equal(copy);
  });
});
