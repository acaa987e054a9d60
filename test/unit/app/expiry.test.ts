// Callback expiry against a real temp SQLite store with a clock moved by hand: exactly one ticket per
// expired callback, also when the sweep repeats or the daemon restarts in the middle of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import type { Clock } from '../../../src/app/ports';
import { startExpirySweep, sweepExpired } from '../../../src/app/expiry';
import { silentLogger } from '../../../src/log';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { createAppStore, type SqliteAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('app/expiry', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let app: SqliteAppStore;
  let db: Db;
  let now: number;
  const clock: Clock = { now: () => now };
  const log = silentLogger();

  const open = () => {
    store = openStore(file);
    app = createAppStore(store, { lockDeadlineMs: 1000 });
    db = openDatabase(file);
  };
  const close = () => {
    store.close();
    db.close();
  };
  const sweep = () => sweepExpired({ store: app, clock, expiryMinutes: 60, log });
  const callback = (id: string, requestedAt: number, number: string) => {
    store.entries.addLive({
      id,
      queue: 'support',
      did: '+4930123456',
      channelId: `chan-${id}`,
      callerId: null,
      enteredAt: requestedAt - MIN,
    });
    store.entries.requestCallback({ entryId: id, number, requestedAt, language: 'de' });
  };
  const tickets = () => store.tickets.list({ limit: 100 });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-expiry-'));
    file = path.join(dir, 'callbackd.db');
    now = T0;
    open();
  });
  afterEach(() => {
    sinon.restore();
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('expires a callback requested 61 minutes ago into one "Callback" ticket for follow-up', async () => {
    callback('old', T0 - 61 * MIN, '+491701111111');
    expect(await sweep()).to.equal(1);
    expect(store.entries.get('old')).to.include({ state: 'expired' });
    const [ticket, ...more] = tickets();
    expect(more).to.deep.equal([]);
    expect(ticket).to.deep.include({
      subject: 'Callback',
      requester: '+491701111111',
      reason: 'callback-expired',
      queue: 'support',
      did: '+4930123456',
      entryId: 'old',
      agentId: null,
      waitedSeconds: 61 * 60,
      createdAt: T0,
    });
    expect(db.prepare("SELECT outcome FROM queue_entries WHERE id = 'old'").pluck().get()).to.equal('not executed within 60 minutes');
    expect(store.entries.get('old')!.ticketId, 'the expired slot links to its ticket').to.equal(ticket.id);
  });

  it('says "1 minute", not "1 minutes", when the expiry is one minute', async () => {
    callback('old', T0 - 2 * MIN, '+491701111111');
    expect(await sweepExpired({ store: app, clock, expiryMinutes: 1, log })).to.equal(1);
    expect(db.prepare("SELECT outcome FROM queue_entries WHERE id = 'old'").pluck().get()).to.equal('not executed within 1 minute');
  });

  it('leaves a 59-minute-old callback alone until its hour is up, then expires it exactly at 60', async () => {
    callback('young', T0 - 59 * MIN, '+491701111111');
    expect(await sweep()).to.equal(0);
    expect(store.entries.get('young')).to.include({ state: 'pending' });
    now = T0 + MIN;
    expect(await sweep()).to.equal(1);
    expect(tickets()).to.have.length(1);
  });

  it('never expires a callback that is being offered to an agent or dialled right now', async () => {
    callback('offered', T0 - 90 * MIN, '+491701111111');
    callback('dialing', T0 - 90 * MIN, '+491702222222');
    store.entries.markOffered('offered', 'alice', T0 - MIN);
    store.entries.markOffered('dialing', 'bob', T0 - MIN);
    store.entries.markDialing('dialing', { at: T0 - MIN, agentId: 'bob', ticketId: 1 });
    expect(await sweep()).to.equal(0);
    expect(tickets()).to.deep.equal([]);
    expect(store.entries.get('offered')).to.include({ state: 'offered' });
  });

  it('creates no second ticket when the sweep runs again, or again after a restart', async () => {
    callback('old', T0 - 61 * MIN, '+491701111111');
    expect(await sweep()).to.equal(1);
    now = T0 + MIN;
    expect(await sweep()).to.equal(0);
    close();
    open();
    now = T0 + 2 * MIN;
    expect(await sweep()).to.equal(0);
    expect(tickets()).to.have.length(1);
  });

  it('finishes a sweep that an older version left between ticket and close, still with one ticket', async () => {
    callback('old', T0 - 61 * MIN, '+491701111111');
    // What a crash right after the ticket insert leaves behind: the ticket, and the slot still pending.
    store.tickets.create({
      subject: 'Callback',
      requester: '+491701111111',
      reason: 'callback-expired',
      queue: 'support',
      did: '+4930123456',
      entryId: 'old',
      agentId: null,
      waitedSeconds: 3660,
      createdAt: T0,
    });
    close();
    open();
    now = T0 + MIN;
    expect(await sweep()).to.equal(1);
    expect(store.entries.get('old')).to.include({ state: 'expired' });
    expect(tickets()).to.have.length(1);
  });

  it('keeps sweeping the other callbacks when one of them fails', async () => {
    callback('a', T0 - 70 * MIN, '+491701111111');
    callback('b', T0 - 65 * MIN, '+491702222222');
    const create = store.tickets.create.bind(store.tickets);
    sinon.stub(store.tickets, 'create').callsFake((t) => {
      if (t.entryId === 'a') throw new Error('disk full');
      return create(t);
    });
    const error: sinon.SinonSpy = sinon.spy(log, 'error') as sinon.SinonSpy;
    expect(await sweep()).to.equal(1);
    expect(store.entries.get('a')).to.include({ state: 'pending' });
    expect(store.entries.get('b')).to.include({ state: 'expired' });
    expect(error.calledWithMatch('callback expiry failed', { entryId: 'a' })).to.equal(true);
  });

  it('schedules every minute, sweeps once right away, logs instead of throwing, and stops', async () => {
    callback('old', T0 - 61 * MIN, '+491701111111');
    let tick: (() => void) | undefined;
    const task = { stop: sinon.spy() };
    const schedule = sinon.spy((expr: string, fn: () => void) => {
      tick = fn;
      return task;
    });
    const sweeper = startExpirySweep({ store: app, clock, expiryMinutes: 60, log, schedule });
    await sweeper.first;
    expect(schedule.firstCall.args[0]).to.equal('* * * * *');
    expect(store.entries.get('old')).to.include({ state: 'expired' });

    const error: sinon.SinonSpy = sinon.spy(log, 'error') as sinon.SinonSpy;
    sinon.stub(app.expiry, 'candidates').rejects(new Error('database is locked'));
    expect(() => tick!()).not.to.throw();
    await new Promise((resolve) => setImmediate(resolve));
    expect(error.calledWithMatch('expiry sweep failed', { error: 'database is locked' })).to.equal(true);

    sweeper.stop();
    sweeper.stop();
    expect(task.stop.calledOnce, 'stop is idempotent').to.equal(true);
  });

  it('runs on real node-cron and stops cleanly', () => {
    const sweeper = startExpirySweep({ store: app, clock, expiryMinutes: 60, log, runNow: false });
    sweeper.stop();
  });
});
