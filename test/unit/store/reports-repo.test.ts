// The reporting queries on a real SQLite file: which request time each one counts from when a caller
// asks again for the same number (merged into the open slot).
import { expect } from 'chai';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { callHistory } from './call-history';
import { makeTmpDir, type TmpDir } from './tmp-db';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('store/reports-repo', () => {
  let tmp: TmpDir;
  let store: SqliteStore;

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file());
    store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    const h = callHistory(store);
    h.callback('c1', T0 - 50 * MIN, T0 - 45 * MIN, '+491701111111');
    h.live('m1', T0 - 20 * MIN);
    expect(h.request('m1', '+491701111111', T0 - 15 * MIN)).to.equal('updated');
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('a repeated request postpones expiry: expiry counts from the latest request', () => {
    // 60 min after the first request the slot is not due, 60 min after the repeat it is.
    expect(store.reports.expiryCandidates(T0 - 45 * MIN).map((c) => c.id)).to.deep.equal([]);
    expect(store.reports.expiryCandidates(T0 - 15 * MIN)).to.deep.equal([
      { id: 'c1', queue: 'support', did: '+4930123456', callbackNumber: '+491701111111', requestedAt: T0 - 15 * MIN, language: 'en' },
    ]);
  });

  it('the wait and the period a slot is counted in follow its first request', () => {
    callHistory(store).connectCallback('c1', 'alice', T0 - 5 * MIN);
    expect(store.reports.callbackWaits(0)).to.deep.equal([{ queue: 'support', count: 1, sumMs: 40 * MIN }]);
    // Requested 45 min ago, asked again 15 min ago: not a slot of the last 30 minutes, nor a second one.
    expect(store.reports.callbacksRequested(T0 - 30 * MIN)).to.deep.equal([]);
    expect(store.reports.callbacksRequested(T0 - 60 * MIN)).to.deep.equal([{ queue: 'support', count: 1 }]);
    expect(store.reports.callbacksOpenAt(T0 - 30 * MIN)).to.deep.equal([{ queue: 'support', count: 1 }]);
    // The repeat request is closed as merged with no live outcome: the domain counts it nowhere.
    expect(store.reports.closedByState(0)).to.deep.include({
      queue: 'support',
      kind: 'live',
      state: 'merged',
      liveOutcome: null,
      count: 1,
    });
  });
});
