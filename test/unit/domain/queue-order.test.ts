import { expect } from 'chai';
import type { EntryState, QueueConfig, QueueEntry } from '../../../src/domain/model';
import { headOf, openInOrder, positionOf } from '../../../src/domain/queue/order';
import { isPastMaxWait, waitedMs } from '../../../src/domain/queue/wait';

function entry(id: string, enteredAt: number, state: EntryState = 'waiting'): QueueEntry {
  const live = state === 'waiting' || state === 'left';
  return {
    id,
    queue: 'support',
    did: '+4930123456',
    kind: live ? 'live' : 'callback',
    state,
    enteredAt,
    channelId: live ? `chan-${id}` : null,
    callerId: '+4915112345678',
    callbackNumber: live ? null : '+4915112345678',
    requestedAt: live ? null : enteredAt + 1000,
    language: null,
  };
}

const ids = (entries: QueueEntry[]) => entries.map((e) => e.id);

describe('queue order', () => {
  it('orders open entries by when they entered', () => {
    expect(ids(openInOrder([entry('c', 300), entry('a', 100), entry('b', 200)]))).to.deep.equal(['a', 'b', 'c']);
  });

  it('breaks ties on the same millisecond by id', () => {
    expect(ids(openInOrder([entry('b', 100), entry('c', 100), entry('a', 100)]))).to.deep.equal(['a', 'b', 'c']);
  });

  it('compares ids by code unit, not locale', () => {
    // 'B' < 'a' in code units; localeCompare would put 'a' first.
    expect(ids(openInOrder([entry('a', 100), entry('B', 100)]))).to.deep.equal(['B', 'a']);
  });

  const closed: EntryState[] = ['left', 'done', 'unanswered', 'expired', 'cancelled', 'merged'];
  for (const state of closed) {
    it(`drops an entry that is ${state} from the line`, () => {
      expect(ids(openInOrder([entry('a', 100), entry('x', 50, state)]))).to.deep.equal(['a']);
    });
  }

  const open: EntryState[] = ['waiting', 'pending', 'offered', 'dialing'];
  for (const state of open) {
    it(`keeps an entry that is ${state} in the line`, () => {
      expect(ids(openInOrder([entry('a', 100), entry('x', 50, state)]))).to.deep.equal(['x', 'a']);
    });
  }

  it('a callback slot keeps its place ahead of later live callers', () => {
    const entries = [entry('late', 300), entry('slot', 100, 'pending'), entry('mid', 200)];
    expect(ids(openInOrder(entries))).to.deep.equal(['slot', 'mid', 'late']);
    expect(positionOf(entries, 'slot')).to.equal(1);
    expect(headOf(entries)?.id).to.equal('slot');
  });

  it('a caller who asks for a callback keeps the same position', () => {
    const before = [entry('a', 100), entry('b', 200), entry('c', 300)];
    const after = [before[0], { ...before[1], kind: 'callback' as const, state: 'pending' as const, channelId: null }, before[2]];
    expect(positionOf(before, 'b')).to.equal(2);
    expect(positionOf(after, 'b')).to.equal(2);
  });

  it('does not reorder the input array', () => {
    const entries = [entry('b', 200), entry('a', 100)];
    openInOrder(entries);
    expect(ids(entries)).to.deep.equal(['b', 'a']);
  });

  it('gives 1-based positions that skip closed entries', () => {
    const entries = [entry('gone', 50, 'left'), entry('a', 100), entry('b', 200)];
    expect(positionOf(entries, 'a')).to.equal(1);
    expect(positionOf(entries, 'b')).to.equal(2);
  });

  it('has no position for a closed or unknown entry', () => {
    const entries = [entry('gone', 50, 'done'), entry('a', 100)];
    expect(positionOf(entries, 'gone')).to.equal(undefined);
    expect(positionOf(entries, 'nope')).to.equal(undefined);
  });

  it('has no head when nobody holds a place', () => {
    expect(headOf([])).to.equal(undefined);
    expect(headOf([entry('x', 1, 'expired')])).to.equal(undefined);
  });
});

describe('queue wait', () => {
  const queue = (maxWaitSeconds: number | null): QueueConfig => ({
    name: 'support',
    maxWaitSeconds,
    overflow: 'hangup',
    mohClass: 'default',
  });

  it('measures the wait from when the entry entered', () => {
    expect(waitedMs(entry('a', 1_000), 4_500)).to.equal(3_500);
  });

  it('never reports a negative wait when the clock is behind', () => {
    expect(waitedMs(entry('a', 5_000), 4_000)).to.equal(0);
  });

  it('a callback slot has waited since the original call', () => {
    expect(waitedMs(entry('s', 1_000, 'pending'), 61_000)).to.equal(60_000);
  });

  const cases: [string, QueueEntry, number | null, number, boolean][] = [
    ['a live caller under the limit is not past max wait', entry('a', 0), 60, 59_999, false],
    ['a live caller exactly at the limit is past max wait', entry('a', 0), 60, 60_000, true],
    ['a live caller over the limit is past max wait', entry('a', 0), 60, 90_000, true],
    ['a queue without a limit never overflows', entry('a', 0), null, 10 ** 12, false],
    ['a pending callback slot is exempt from max wait', entry('s', 0, 'pending'), 60, 10 ** 9, false],
    ['an offered callback slot is exempt from max wait', entry('s', 0, 'offered'), 60, 10 ** 9, false],
    ['a dialing callback slot is exempt from max wait', entry('s', 0, 'dialing'), 60, 10 ** 9, false],
    ['a caller who already left is not past max wait', entry('a', 0, 'left'), 60, 10 ** 9, false],
  ];
  for (const [name, e, max, now, expected] of cases) {
    it(name, () => {
      expect(isPastMaxWait(e, queue(max), now)).to.equal(expected);
    });
  }
});
