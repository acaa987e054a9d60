// One caller on a served number, from the call entering our app to its end, through inbound routing,
// the callers feature and the Leg runtime, over the fake PBX and a real SQLite store.
import { expect } from 'chai';
import Database from 'better-sqlite3';
import type { Store } from '../../../../src/app/ports';
import { CALLER, createWorld, DID, seedEntry, seedNumber, seedQueue, T0, type World, type WorldOptions } from '../fixtures';

describe('app/callers: a caller in the queue', () => {
  let w: World;
  const world = (o: WorldOptions = {}, queue: Parameters<typeof seedQueue>[1] = {}) => {
    w = createWorld(o);
    seedQueue(w.sqlite, queue);
    seedNumber(w.sqlite);
    return w;
  };
  afterEach(() => w.close());

  /** A caller arrives and waits until the callback offer is playing. */
  const callUntilOffer = async (callerId = CALLER): Promise<string> => {
    const ch = await w.pbx.call({ callerId });
    await w.advance(30);
    return ch;
  };
  const channelUp = (ch: string) => w.pbx.channels.has(ch);

  it('is answered before its place is stored, so a locked database never leaves the call ringing', async () => {
    world();
    const cli = new Database(w.db.file);
    cli.exec('BEGIN IMMEDIATE');
    const ch = await w.pbx.call({ callerId: CALLER });
    expect(w.pbx.ops('answer', ch)).to.have.length(1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome']);
    expect(w.entryOf(ch), 'not stored yet').to.equal(undefined);
    cli.exec('COMMIT');
    cli.close();
    await w.advance(0.5);
    expect(w.entryOf(ch)).to.include({ kind: 'live', state: 'waiting', enteredAt: T0, callerId: CALLER, did: DID });
  });

  it('hears the welcome, then music on hold, then the callback offer after the offer delay', async () => {
    world({}, { mohClass: 'calm' });
    const ch = await w.pbx.call({ callerId: CALLER });
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome']);
    expect(w.pbx.ops('startMoh', ch).map((r) => r.detail)).to.deep.equal(['calm']);
    await w.advance(29.9);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome']);
    await w.advance(0.1);
    expect(w.pbx.ops('stopMoh', ch)).to.have.length(1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer']);
  });

  it('goes back to hold, place unchanged, when the offer is not answered, and is offered again after the interval', async () => {
    world();
    const ch = await callUntilOffer();
    await w.advance(6); // menu timeout
    expect(w.pbx.channels.get(ch)!.moh).to.equal(true);
    await w.advance(59.9);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer']);
    await w.advance(0.1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer', 'offer']);
    expect(w.entryOf(ch)).to.include({ state: 'waiting', enteredAt: T0 });
  });

  it('presses 1: the request is saved at the original place, confirmed, and the call hung up', async () => {
    world();
    seedEntry(w.sqlite, 'earlier', { enteredAt: T0 - 60_000 });
    const ch = await callUntilOffer();
    await w.pbx.press(ch, '1');
    const entry = w.entryOf(ch)!;
    expect(entry).to.include({ kind: 'callback', state: 'pending', enteredAt: T0, callbackNumber: CALLER, language: 'en' });
    expect(w.sqlite.entries.position(entry.id)).to.equal(2);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer', 'confirmation']);
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(channelUp(ch)).to.equal(false);
    expect(w.emitted).to.deep.include({ type: 'caller-ended', entryId: entry.id, channelId: ch });
  });

  it('presses 2 and types another number: read back, confirmed with 1, saved for that number', async () => {
    world();
    const ch = await callUntilOffer();
    await w.pbx.press(ch, '2');
    await w.pbx.press(ch, '004915112345679#');
    expect(w.pbx.prompts(ch).at(-1)).to.match(/^you-entered\+plus\+digit-4\+digit-9\+.*\+confirm-number$/);
    await w.pbx.press(ch, '1');
    expect(w.entryOf(ch)).to.include({ kind: 'callback', callbackNumber: '+4915112345679', enteredAt: T0 });
    expect(channelUp(ch)).to.equal(false);
  });

  it('a key pressed just as the offer ends (its end still on the way) is served like any other', async () => {
    world();
    const ch = await w.pbx.call({ callerId: CALLER });
    w.pbx.playMode = 'start';
    await w.advance(30);
    w.pbx.playbacks.at(-1)!.state = 'done'; // Asterisk finished the offer; PlaybackFinished not delivered yet
    await w.pbx.press(ch, '1');
    await w.pbx.finishPlayback(ch);
    expect(w.pbx.prompts(ch).at(-1)).to.equal('confirmation');
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending' });
  });

  describe('the queue’s max wait', () => {
    it('past it, the caller hears the overflow prompt and is hung up; the place is closed as overflowed', async () => {
      world({}, { maxWaitSeconds: 120 });
      const ch = await w.pbx.call({ callerId: CALLER });
      await w.advance(119);
      expect(w.pbx.ops('hangup', ch)).to.deep.equal([]);
      await w.advance(1);
      expect(w.pbx.prompts(ch).at(-1)).to.equal('overflow');
      expect(w.pbx.ops('hangup', ch)).to.have.length(1);
      expect(w.entryOf(ch)).to.include({ state: 'left' });
      expect(w.db.sqlite.db.prepare('SELECT live_outcome FROM queue_entries').pluck().get()).to.equal('overflowed');
    });

    it('with a dialplan overflow the call goes on in that context', async () => {
      world({}, { maxWaitSeconds: 120, overflow: 'context:overflow-ctx,s,1' });
      const ch = await w.pbx.call({ callerId: CALLER });
      await w.advance(120);
      expect(w.pbx.ops('continueInDialplan', ch).map((r) => r.detail)).to.deep.equal(['overflow-ctx,s,1']);
    });

    it('a max wait of 40 days (beyond what setTimeout can hold) does not throw the caller out early', async () => {
      world({}, { maxWaitSeconds: 40 * 86_400 });
      const ch = await w.pbx.call({ callerId: CALLER });
      await w.advance(1);
      expect(w.entryOf(ch)).to.include({ state: 'waiting' });
      expect(w.pbx.prompts(ch)).to.deep.equal(['welcome']);
    });
  });

  describe('when the request cannot be saved', () => {
    it('a database locked past the request deadline: "request failed", back on hold keeping the place', async () => {
      world({ requestDeadlineMs: 5000 });
      const ch = await callUntilOffer();
      const cli = new Database(w.db.file);
      cli.exec('BEGIN IMMEDIATE');
      await w.pbx.press(ch, '1');
      await w.advance(4.5);
      expect(w.pbx.prompts(ch).at(-1), 'silence while saving').to.equal('offer');
      await w.advance(1);
      cli.exec('ROLLBACK');
      cli.close();
      expect(w.pbx.prompts(ch).at(-1)).to.equal('request-failed');
      expect(w.pbx.channels.get(ch)!.moh, 'back on hold').to.equal(true);
      expect(w.entryOf(ch)).to.include({ kind: 'live', state: 'waiting', enteredAt: T0 });
      expect(w.logs.lines('error', 'callback request could not be saved')).to.have.length(1);
    });

    it('hanging up while the request waits for a locked database: the request stands once it is written', async () => {
      world({ requestDeadlineMs: 5000 });
      const ch = await callUntilOffer();
      const cli = new Database(w.db.file);
      cli.exec('BEGIN IMMEDIATE');
      await w.pbx.press(ch, '1');
      await w.pbx.hangUp(ch);
      cli.exec('COMMIT');
      cli.close();
      await w.advance(1);
      expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending', enteredAt: T0 });
      expect(w.emitted.filter((e) => e.type === 'caller-ended')).to.have.length(1);
      expect(w.callers.active).to.equal(0);
    });

    it('a store that fails the request: "request failed", back on hold, offered again later', async () => {
      const failing = (s: Store): Store => ({
        ...s,
        callers: { ...s.callers, requestCallback: () => Promise.reject(new Error('disk I/O error')) },
      });
      world({ store: failing });
      const ch = await callUntilOffer();
      await w.pbx.press(ch, '1');
      expect(w.pbx.prompts(ch).at(-1)).to.equal('request-failed');
      expect(w.entryOf(ch)).to.include({ kind: 'live', state: 'waiting', enteredAt: T0 });
      await w.advance(60);
      expect(w.pbx.prompts(ch).at(-1)).to.equal('offer');
    });
  });

  describe('prompts that do not play', () => {
    it('a welcome Asterisk reports failed: the caller still goes on hold and is offered the callback', async () => {
      world();
      w.pbx.whenPlaying('welcome', 'fail');
      const ch = await w.pbx.call({ callerId: CALLER });
      expect(w.pbx.channels.get(ch)!.moh).to.equal(true);
      await w.advance(30);
      expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer']);
    });

    it('a welcome that never starts: on hold after the playback-start timeout', async () => {
      world();
      w.pbx.whenPlaying('welcome', 'silent');
      const ch = await w.pbx.call({ callerId: CALLER });
      expect(w.pbx.channels.get(ch)!.moh).to.equal(false);
      await w.advance(5);
      expect(w.pbx.channels.get(ch)!.moh).to.equal(true);
      expect(w.pbx.ops('stopPlayback')).to.have.length(1);
    });

    it('a confirmation that fails still ends the call, with the request saved', async () => {
      world();
      w.pbx.whenPlaying('confirmation', 'fail');
      const ch = await callUntilOffer();
      await w.pbx.press(ch, '1');
      expect(w.pbx.ops('hangup', ch)).to.have.length(1);
      expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending' });
    });
  });

  describe('when the place cannot be stored at all', () => {
    const joinFails = (s: Store): Store => ({
      ...s,
      callers: { ...s.callers, join: () => Promise.reject(new Error('database disk image is malformed')) },
    });

    it('hears "technical problem" and is hung up, with nothing stored', async () => {
      world({ store: joinFails });
      const ch = await w.pbx.call({ callerId: CALLER });
      expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'technical-problem']);
      expect(w.pbx.ops('hangup', ch)).to.have.length(1);
      expect(w.entryOf(ch)).to.equal(undefined);
      expect(w.logs.lines('error', 'caller could not be put in the queue')).to.have.length(1);
    });

    it('goes on in the dialplan instead when the queue overflows to a context', async () => {
      world({ store: joinFails }, { overflow: 'context:overflow-ctx,100,2' });
      const ch = await w.pbx.call({ callerId: CALLER });
      expect(w.pbx.prompts(ch).at(-1)).to.equal('technical-problem');
      expect(w.pbx.ops('continueInDialplan', ch).map((r) => r.detail)).to.deep.equal(['overflow-ctx,100,2']);
      expect(w.pbx.ops('hangup', ch)).to.deep.equal([]);
    });
  });

  describe('hanging up at any moment leaves consistent rows and nothing running', () => {
    const moments: Array<[string, (ch: string) => Promise<void>, { kind: string; state: string }]> = [
      ['during the welcome', () => Promise.resolve(), { kind: 'live', state: 'left' }],
      ['on hold', () => w.advance(10), { kind: 'live', state: 'left' }],
      ['during the offer', () => w.advance(30), { kind: 'live', state: 'left' }],
      ['while typing a number', async (ch) => (await w.advance(30), await w.pbx.press(ch, '20049151')), { kind: 'live', state: 'left' }],
      [
        'while the number is read back',
        async (ch) => (await w.advance(30), await w.pbx.press(ch, '2004915112345679#')),
        { kind: 'live', state: 'left' },
      ],
      ['during the confirmation', async (ch) => (await w.advance(30), await w.pbx.press(ch, '1')), { kind: 'callback', state: 'pending' }],
    ];
    for (const [moment, drive, row] of moments) {
      it(`${moment}: ${row.kind}/${row.state}`, async () => {
        world();
        w.pbx.playMode = 'start'; // prompts play until the test ends them, so the hangup lands mid-prompt
        const ch = await w.pbx.call({ callerId: CALLER });
        if (moment !== 'during the welcome') await w.pbx.finishPlayback(ch);
        await drive(ch);
        await w.pbx.hangUp(ch);
        expect(w.entryOf(ch)).to.include(row);
        expect(w.callers.active).to.equal(0);
        expect(w.router.has(ch)).to.equal(false);
        const requests = w.pbx.requests.length;
        await w.advance(600);
        expect(
          w.pbx.requests.slice(requests).filter((r) => r.channelId === ch),
          'no timer left behind',
        ).to.deep.equal([]);
      });
    }
  });
});
