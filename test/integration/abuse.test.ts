// What callers must not be able to do to the call center, over real SIP: make it dial expensive or
// foreign numbers (toll fraud), flood it with requests, or break it with key storms and long entries.
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { type Caller, daemonHungUp, dial, eventually, hears, openEntry, rowsOf } from './harness/caller-steps';
import { DID_EN, type TestDaemon } from './harness/test-daemon';
import { callCenterSuite } from './harness/suite';
import type { TestLine } from './harness/test-line';

describe('abuse and bad input', function () {
  this.timeout(120_000);
  let line: TestLine;
  let d: TestDaemon;
  const suite = callCenterSuite(() => ({
    env: { CALLBACKD_CALLBACK_MAX_REQUESTS_PER_CALLER_PER_HOUR: '1', CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '3' },
  }));
  beforeEach(() => ({ line, d } = suite));

  async function untilEntry(callerId: string): Promise<Caller> {
    const caller = await dial(line, d, DID_EN, callerId);
    await hears(d, caller, 'en/offer');
    await caller.call.press('2');
    await hears(d, caller, 'en/enter-number');
    return caller;
  }

  it('another number that is premium-rate is refused with a prompt and nothing is saved', async () => {
    const caller = await untilEntry('+4915112345740');
    await caller.call.press('*499001234567#');
    await hears(d, caller, 'en/number-not-allowed');
    expect(openEntry(d, caller)).to.include({ kind: 'live', state: 'waiting' });
  });

  it('a number on the prefix blocklist is refused', async () => {
    d.daemon.sqlite.settings.set('blocked_prefixes', '+4989');
    const caller = await untilEntry('+4915112345741');
    await caller.call.press('*4989123456#');
    await hears(d, caller, 'en/number-not-allowed');
    expect(openEntry(d, caller)).to.include({ kind: 'live' });
  });

  it('press 1 from a foreign caller ID is not called back; the caller is asked for a number', async () => {
    const caller = await dial(line, d, DID_EN, '+12025550123');
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
    await hears(d, caller, 'en/number-not-allowed');
    expect(openEntry(d, caller)).to.include({ kind: 'live', callbackNumber: null });
  });

  it('a second request from the same caller ID within the hour hears the rate-limit notice', async () => {
    const first = await dial(line, d, DID_EN, '+4915112345742');
    await hears(d, first, 'en/offer');
    await first.call.press('1');
    await hears(d, first, 'en/confirmation');
    await daemonHungUp(d, first);

    const second = await untilEntry('+4915112345742');
    await second.call.press('*4989123456#');
    await hears(d, second, 'en/you-entered');
    await second.call.press('1');
    await hears(d, second, 'en/rate-limited');
    const rows = rowsOf(d, second);
    expect(rows.filter((r) => r.kind === 'callback')).to.have.length(1);
    expect(rows.find((r) => r.kind === 'live')).to.include({ state: 'waiting' });
  });

  it('a 40-digit entry is judged without waiting for # and re-prompted as not valid', async () => {
    const caller = await untilEntry('+4915112345743');
    await caller.call.press('00' + '1234567890'.repeat(4));
    await hears(d, caller, 'en/number-invalid');
    expect(openEntry(d, caller)).to.include({ kind: 'live', state: 'waiting' });
  });

  it('a database locked by another process: the caller hears it failed and keeps the live place', async () => {
    const caller = await dial(line, d, DID_EN, '+4915112345746');
    await hears(d, caller, 'en/offer');
    // Another process (a stuck admin script, say) holds the write lock longer than busy_timeout (5 s).
    const other = new Database(d.config.db.path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await caller.call.press('1');
      await hears(d, caller, 'en/request-failed', { timeoutMs: 20_000 });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(openEntry(d, caller)).to.include({ kind: 'live', state: 'waiting' });
    // Once the lock is gone the same caller can ask again and is served.
    await hears(d, caller, 'en/offer', { from: d.events.events.length, timeoutMs: 45_000 });
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    expect(openEntry(d, caller)).to.include({ kind: 'callback', state: 'pending' });
  });

  it('a storm of random keys in every menu leaves a consistent state and a working daemon', async () => {
    const caller = await dial(line, d, DID_EN, '+4915112345744');
    await hears(d, caller, 'en/welcome');
    const keys = '0123456789*#';
    let storm = '';
    for (let i = 0; i < 50; i++) storm += keys[Math.floor(Math.random() * keys.length)];
    await caller.call.press(storm);
    // Let the whole storm arrive at the daemon (RFC 4733, one key every ~0.2 s) before hanging up.
    await eventually(
      () => d.events.events.filter((e) => e.type === 'dtmf' && e.channelId === caller.channelId).length >= 50 || undefined,
      'all 50 keys received',
      30_000,
    );
    await caller.call.hangup();
    await daemonHungUp(d, caller);
    // Whatever the storm did, the caller's row is either a saved callback or a place given up.
    await eventually(() => rowsOf(d, caller)[0]?.state !== 'waiting', 'entry settled');
    const [row] = rowsOf(d, caller);
    expect(['left', 'pending']).to.include(row.state);
    if (row.state === 'pending') expect(row.callback_number).to.match(/^\+[1-9][0-9]{6,14}$/);
    // …and the next caller is served as usual.
    const next = await dial(line, d, DID_EN, '+4915112345745');
    await hears(d, next, 'en/welcome');
  });
});
