import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { SqliteStore as Store } from '../../../src/store/sqlite/sqlite-store';
import { StoreError } from '../../../src/store/sqlite/errors';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

const Q = 'sales';
const DID = '+4930123456';

describe('store/entries repo', () => {
  let tmp: TmpDir;
  let store: Store;

  const live = (id: string, enteredAt: number, queue = Q) =>
    store.entries.addLive({ id, queue, did: DID, channelId: `chan-${id}`, callerId: `+49170${enteredAt}`, enteredAt });
  const openIds = (queue = Q) => store.entries.open(queue).map((e) => e.id);

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file());
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('adds a live caller as waiting and reads it back', () => {
    const added = live('a', 1000);
    expect(added).to.deep.include({ kind: 'live', state: 'waiting', enteredAt: 1000, channelId: 'chan-a' });
    expect(store.entries.get('a')).to.deep.equal(added);
    expect(store.entries.get('nope')).to.equal(undefined);
  });

  it('lists open entries of one queue oldest first, ties broken by id', () => {
    live('c', 3000);
    live('b', 1000);
    live('a', 1000);
    live('x', 500, 'support');
    expect(openIds()).to.deep.equal(['a', 'b', 'c']);
    expect(store.entries.position('b')).to.equal(2);
    expect(store.entries.position('x')).to.equal(1);
  });

  it('keeps everyone in place when the middle caller of three turns into a callback', () => {
    live('A', 1000);
    live('B', 2000);
    live('C', 3000);

    const outcome = store.entries.requestCallback({ entryId: 'B', number: '+491701111111', requestedAt: 5000, language: 'de' });

    expect(outcome).to.deep.equal({ kind: 'created', entryId: 'B' });
    expect(['A', 'B', 'C'].map((id) => store.entries.position(id))).to.deep.equal([1, 2, 3]);
    expect(store.entries.get('B')).to.deep.include({
      kind: 'callback',
      state: 'pending',
      enteredAt: 2000,
      // The channel stays on the slot: a caller still on the line after a restart (mid-confirmation)
      // is recognised by it and hears the confirmation again instead of becoming a new caller.
      channelId: 'chan-B',
      callbackNumber: '+491701111111',
      requestedAt: 5000,
      language: 'de',
    });
  });

  it('merges a second request for the same number into the open callback, keeping the earlier place', () => {
    live('first', 1000);
    live('other', 2000);
    store.entries.requestCallback({ entryId: 'first', number: '+491702222222', requestedAt: 3000, language: 'de' });
    live('second', 4000);

    const outcome = store.entries.requestCallback({ entryId: 'second', number: '+491702222222', requestedAt: 5000, language: 'en' });

    expect(outcome).to.deep.equal({ kind: 'updated', entryId: 'first' });
    expect(store.entries.get('first')).to.deep.include({ state: 'pending', enteredAt: 1000, requestedAt: 5000, language: 'en' });
    expect(store.entries.get('second')).to.deep.include({ kind: 'live', state: 'merged' });
    expect(openIds()).to.deep.equal(['first', 'other']);
    const openCallbacks = store.entries.open(Q).filter((e) => e.callbackNumber === '+491702222222');
    expect(openCallbacks).to.have.length(1);
    expect(store.entries.position('second')).to.equal(undefined);
  });

  it("lets the merged callback take the live caller's place when that one is earlier", () => {
    // Possible when the same person waits on two lines: the later line asked first.
    live('early', 1000);
    live('late', 2000);
    store.entries.requestCallback({ entryId: 'late', number: '+491703333333', requestedAt: 3000, language: 'de' });
    const outcome = store.entries.requestCallback({ entryId: 'early', number: '+491703333333', requestedAt: 4000, language: 'de' });
    expect(outcome).to.deep.equal({ kind: 'updated', entryId: 'late' });
    expect(store.entries.get('late')?.enteredAt).to.equal(1000);
    expect(openIds()).to.deep.equal(['late']);
  });

  it('does not merge callbacks of the same number across queues', () => {
    live('s', 1000);
    live('t', 1000, 'support');
    store.entries.requestCallback({ entryId: 's', number: '+491704444444', requestedAt: 2000, language: 'de' });
    const outcome = store.entries.requestCallback({ entryId: 't', number: '+491704444444', requestedAt: 2000, language: 'de' });
    expect(outcome).to.deep.equal({ kind: 'created', entryId: 't' });
  });

  it('rolls a merge back completely when its second write fails', () => {
    live('first', 1000);
    store.entries.requestCallback({ entryId: 'first', number: '+491702222222', requestedAt: 2000, language: 'de' });
    live('second', 500);
    // Another connection installs a trigger that makes "mark the live entry merged" fail, i.e. after the
    // open callback has already been updated inside the transaction.
    const raw = new Database(tmp.file());
    raw.exec(`CREATE TRIGGER fail_merge BEFORE UPDATE OF state ON queue_entries WHEN NEW.state = 'merged'
              BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    raw.close();
    const before = store.entries.open(Q);

    expect(() => store.entries.requestCallback({ entryId: 'second', number: '+491702222222', requestedAt: 3000, language: 'en' })).to.throw(
      /injected failure/,
    );

    expect(store.entries.open(Q)).to.deep.equal(before);
  });

  it('refuses a callback request for an entry that has left, changing nothing', () => {
    live('gone', 1000);
    store.entries.leave('gone', 2000);
    const before = store.entries.get('gone');

    let err: unknown;
    try {
      store.entries.requestCallback({ entryId: 'gone', number: '+491705555555', requestedAt: 3000, language: 'de' });
    } catch (e) {
      err = e;
    }

    expect(err).to.be.instanceOf(StoreError);
    expect((err as StoreError).code).to.equal('ENTRY_NOT_WAITING');
    expect(store.entries.get('gone')).to.deep.equal(before);
    expect(openIds()).to.deep.equal([]);
  });

  it('refuses a callback request for an unknown entry or one that already is a callback', () => {
    live('cb', 1000);
    store.entries.requestCallback({ entryId: 'cb', number: '+491706666666', requestedAt: 2000, language: 'de' });
    for (const entryId of ['cb', 'unknown']) {
      expect(() => store.entries.requestCallback({ entryId, number: '+491707777777', requestedAt: 3000, language: 'de' }))
        .to.throw(StoreError)
        .with.property('code', 'ENTRY_NOT_WAITING');
    }
  });

  it('closes a waiting caller on leave but never a callback slot', () => {
    live('w', 1000);
    live('cb', 2000);
    store.entries.requestCallback({ entryId: 'cb', number: '+491708888888', requestedAt: 3000, language: 'de' });

    store.entries.leave('w', 4000);
    store.entries.leave('cb', 4000);

    expect(store.entries.get('w')?.state).to.equal('left');
    expect(store.entries.get('cb')?.state).to.equal('pending');
    expect(store.entries.position('w')).to.equal(undefined);
    expect(store.entries.position('cb')).to.equal(1);
  });

  it('keeps callback slots and their places across a restart', () => {
    live('A', 1000);
    live('B', 2000);
    store.entries.requestCallback({ entryId: 'B', number: '+491709999999', requestedAt: 3000, language: 'de' });
    store.close();
    store = openStore(tmp.file());
    expect(openIds()).to.deep.equal(['A', 'B']);
    expect(store.entries.position('B')).to.equal(2);
  });
});
