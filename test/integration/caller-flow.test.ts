// The caller's side of the product over real SIP (DESIGN.md §1 steps 1–4): hold, the 1/2/3 offer,
// typing another number, the durable request and the kept place.
import { expect } from 'chai';
import { type Caller, daemonHungUp, dial, eventually, hears, openEntry, rowsOf } from './harness/caller-steps';
import { DID_DE, DID_EN, type TestDaemon } from './harness/test-daemon';
import { callCenterSuite } from './harness/suite';
import type { TestLine } from './harness/test-line';

describe('caller flow over the SIP trunk', function () {
  this.timeout(90_000);
  let line: TestLine;
  let d: TestDaemon;
  const suite = callCenterSuite();
  beforeEach(() => ({ line, d } = suite));

  /** Dials, hears the welcome, then the offer after the (1 s) offer delay. */
  async function untilOffer(did: string, callerId: string, lang = 'en'): Promise<Caller> {
    const caller = await dial(line, d, did, callerId);
    await hears(d, caller, `${lang}/welcome`);
    await hears(d, caller, `${lang}/offer`);
    return caller;
  }

  it('press 1 saves a callback to the caller ID at the original place, confirms, and hangs up', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345678');
    const before = openEntry(d, caller)!;
    expect(before).to.include({ kind: 'live', state: 'waiting' });

    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    // Durable before the confirmation played: the row is already a callback slot.
    const slot = openEntry(d, caller)!;
    expect(slot).to.include({ kind: 'callback', state: 'pending', callbackNumber: '+4915112345678', language: 'en' });
    expect(slot.enteredAt).to.equal(before.enteredAt);
    await daemonHungUp(d, caller);
    await caller.call.ended();
    expect(openEntry(d, caller)).to.include({ state: 'pending', id: before.id });
  });

  it('press 2 with an invalid number re-prompts, then a valid one is read back and confirmed', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345679');
    await caller.call.press('2');
    await hears(d, caller, 'en/enter-number');
    const mark = d.events.events.length;
    await caller.call.press('0012#');
    await hears(d, caller, 'en/number-invalid', { from: mark });
    expect(openEntry(d, caller)).to.include({ kind: 'live', state: 'waiting' });

    const mark2 = d.events.events.length;
    await caller.call.press('*4989123456#');
    await hears(d, caller, 'en/you-entered', { from: mark2 });
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    expect(openEntry(d, caller)).to.include({ kind: 'callback', callbackNumber: '+4989123456' });
    await daemonHungUp(d, caller);
  });

  it('press 2, then 2 at the read-back re-enters the number; only the second one is saved', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345680');
    await caller.call.press('2');
    await hears(d, caller, 'en/enter-number');
    await caller.call.press('004940123456#');
    const readBack = await hears(d, caller, 'en/you-entered');
    await caller.call.press('2');
    await hears(d, caller, 'en/enter-number', { from: readBack });
    await caller.call.press('0049891234567#');
    await hears(d, caller, 'en/you-entered', { from: readBack + 1 });
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    const rows = rowsOf(d, caller);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ kind: 'callback', callback_number: '+49891234567' });
  });

  it('press 3 goes back to music on hold and keeps the live place', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345681');
    const before = openEntry(d, caller)!;
    const mark = d.events.events.length;
    await caller.call.press('3');
    await eventually(
      () => d.events.events.slice(mark).some((e) => e.type === 'playback-finished' && e.channelId === caller.channelId),
      'offer stopped',
    );
    await hears(d, caller, 'en/back-to-queue', { from: mark });
    expect(openEntry(d, caller)).to.deep.equal(before);
    // Still ours and on hold: hanging up now gives the live place up, with no callback.
    await caller.call.hangup();
    await daemonHungUp(d, caller);
    await eventually(() => rowsOf(d, caller)[0]?.state === 'left', 'entry closed as left');
    expect(rowsOf(d, caller)[0]).to.include({ kind: 'live', callback_number: null });
  });

  it('press 1 with a withheld caller ID asks for a number instead', async () => {
    const caller = await untilOffer(DID_EN, '"Anonymous" <anonymous>');
    await caller.call.press('1');
    await hears(d, caller, 'en/caller-id-unavailable');
    await caller.call.press('*4930901820#');
    await hears(d, caller, 'en/you-entered');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    const saved = d.daemon.sqlite.entries.open('support').find((e) => e.callbackNumber === '+4930901820');
    expect(saved).to.include({ kind: 'callback', state: 'pending' });
  });

  it('hanging up in the middle of typing a number leaves no half request', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345682');
    await caller.call.press('2');
    await hears(d, caller, 'en/enter-number');
    await caller.call.press('00498');
    await caller.call.hangup();
    await daemonHungUp(d, caller);
    await eventually(() => rowsOf(d, caller)[0]?.state === 'left', 'entry closed as left');
    const rows = rowsOf(d, caller);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ kind: 'live', state: 'left', callback_number: null });
  });

  it('hanging up during the confirmation keeps the request', async () => {
    const caller = await untilOffer(DID_EN, '+4915112345683');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    await caller.call.hangup();
    await daemonHungUp(d, caller);
    expect(openEntry(d, caller)).to.include({ kind: 'callback', state: 'pending', callbackNumber: '+4915112345683' });
  });

  it('a German-language number plays every prompt in German', async () => {
    const caller = await untilOffer(DID_DE, '+4915112345684', 'de');
    await caller.call.press('1');
    await hears(d, caller, 'de/confirmation');
    expect(openEntry(d, caller)).to.include({ language: 'de', callbackNumber: '+4915112345684' });
  });

  it('a second request for the same number updates the open one and says so', async () => {
    const first = await untilOffer(DID_EN, '+4915112345685');
    await first.call.press('1');
    await hears(d, first, 'en/confirmation');
    await daemonHungUp(d, first);
    const slot = openEntry(d, first)!;

    const again = await untilOffer(DID_EN, '+4915112345685');
    await again.call.press('1');
    await hears(d, again, 'en/updated-existing');
    await daemonHungUp(d, again);
    const open = d.daemon.sqlite.entries.open('support').filter((e) => e.callbackNumber === '+4915112345685');
    expect(open).to.have.length(1);
    expect(open[0]).to.include({ id: slot.id, enteredAt: slot.enteredAt });
  });

  it('of three callers, the middle one leaves a callback and the third stays third', async () => {
    const a = await dial(line, d, DID_EN, '+4915112345691');
    await hears(d, a, 'en/welcome');
    const b = await dial(line, d, DID_EN, '+4915112345692');
    await hears(d, b, 'en/welcome');
    const c = await dial(line, d, DID_EN, '+4915112345693');
    await hears(d, c, 'en/welcome');
    const pos = (x: Caller) => d.daemon.sqlite.entries.position(openEntry(d, x)!.id);
    expect([pos(a), pos(b), pos(c)]).to.deep.equal([1, 2, 3]);

    await hears(d, b, 'en/offer');
    await b.call.press('1');
    await hears(d, b, 'en/confirmation');
    await daemonHungUp(d, b);
    expect(openEntry(d, b)).to.include({ kind: 'callback' });
    expect([pos(a), pos(b), pos(c)]).to.deep.equal([1, 2, 3]);
  });
});
