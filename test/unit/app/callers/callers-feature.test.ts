// The callers feature beyond one call: the toll-fraud rate limits between calls, and what happens to
// callers found after a restart or an ARI outage (recover), over the fake PBX and a real SQLite store.
import { expect } from 'chai';
import { CALLER, createWorld, DID, seedEntry, seedNumber, seedQueue, T0, type World, type WorldOptions } from '../fixtures';

describe('app/callers: the callers feature', () => {
  let w: World;
  const world = (o: WorldOptions = {}, queue: Parameters<typeof seedQueue>[1] = {}) => {
    w = createWorld(o);
    seedQueue(w.sqlite, queue);
    seedNumber(w.sqlite);
    return w;
  };
  afterEach(() => w.close());

  /** A caller asks for a callback (typing `typed` when the caller ID is withheld); the last prompt heard. */
  const request = async (callerId: string, typed?: string): Promise<{ ch: string; heard: string }> => {
    const ch = await w.pbx.call({ callerId });
    await w.advance(30);
    await w.pbx.press(ch, '1');
    if (typed) await w.pbx.press(ch, `${typed}#1`);
    return { ch, heard: w.pbx.prompts(ch).at(-1)! };
  };

  describe('rate limits (toll-fraud guard)', () => {
    it('an identified caller over its hourly cap hears "rate-limited" and keeps waiting at its place', async () => {
      world({ rateLimits: { perCallerPerHour: 1 } });
      expect((await request(CALLER)).heard).to.equal('confirmation');
      const again = await request(CALLER);
      expect(again.heard).to.equal('rate-limited');
      expect(w.entryOf(again.ch)).to.include({ kind: 'live', state: 'waiting' });
      expect(w.pbx.channels.get(again.ch)!.moh, 'back on hold').to.equal(true);
      expect(w.logs.lines('warn', 'callback request refused: too many in the last hour')).to.have.length(1);
    });

    it('withheld callers of one DID share its (higher) cap, and do not use up an identified caller’s', async () => {
      world({ rateLimits: { perCallerPerHour: 1, withheldPerDidPerHour: 2 } });
      expect((await request('anonymous', '004915112345671')).heard).to.equal('confirmation');
      expect((await request('anonymous', '004915112345672')).heard, 'a second withheld caller').to.equal('confirmation');
      expect((await request('anonymous', '004915112345673')).heard, 'the third one').to.equal('rate-limited');
      expect((await request(CALLER)).heard, 'an identified caller').to.equal('confirmation');
    });

    it('counts only the last hour', async () => {
      world({ rateLimits: { perCallerPerHour: 1 } });
      await request(CALLER);
      await w.advance(3600);
      expect((await request(CALLER)).heard).to.equal('updated-existing+confirmation');
    });
  });

  describe('recover() after a restart or an ARI outage', () => {
    const recover = async () => w.callers.recover(await w.pbx.listChannels());

    it('re-adopts a waiting caller whose channel still exists, at the same entry and place', async () => {
      world();
      seedEntry(w.sqlite, 'e1', { enteredAt: T0 - 120_000, channelId: 'c-old', callerId: CALLER });
      w.pbx.addChannel({ id: 'c-old', appData: DID, callerId: CALLER });
      expect(await recover()).to.deep.equal({ adopted: 1, gone: 0, confirmed: 0 });
      expect(w.callers.has('e1')).to.equal(true);
      expect(w.pbx.ops('answer'), 'already answered').to.deep.equal([]);
      expect(w.pbx.channels.get('c-old')!.moh, 'straight back to hold').to.equal(true);
      await w.advance(60);
      expect(w.pbx.prompts('c-old')).to.deep.equal(['offer']);
      await w.pbx.press('c-old', '1');
      expect(w.sqlite.entries.get('e1')).to.include({ kind: 'callback', state: 'pending', enteredAt: T0 - 120_000 });
    });

    it('closes a waiting place whose channel is gone', async () => {
      world();
      seedEntry(w.sqlite, 'e1', { enteredAt: T0 - 120_000, channelId: 'c-gone' });
      expect(await recover()).to.deep.equal({ adopted: 0, gone: 1, confirmed: 0 });
      expect(w.sqlite.entries.get('e1')).to.include({ state: 'left' });
    });

    it('plays the confirmation again to a caller found on the line whose request is stored, then hangs up', async () => {
      world();
      seedEntry(w.sqlite, 'e2', { enteredAt: T0 - 120_000, channelId: 'c-conf', callback: CALLER, language: 'de' });
      w.pbx.addChannel({ id: 'c-conf', appData: DID });
      expect(await recover()).to.deep.equal({ adopted: 0, gone: 0, confirmed: 1 });
      await w.settle();
      expect(w.pbx.ops('play', 'c-conf').map((r) => r.media)).to.deep.equal([['sound:callbackd/de/confirmation']]);
      expect(w.pbx.ops('answer')).to.deep.equal([]);
      expect(w.pbx.ops('hangup', 'c-conf')).to.have.length(1);
      expect(w.sqlite.entries.get('e2')).to.include({ kind: 'callback', state: 'pending' });
    });

    it('overflows a re-adopted caller who has meanwhile waited past the queue’s maximum', async () => {
      world({}, { maxWaitSeconds: 60 });
      seedEntry(w.sqlite, 'e1', { enteredAt: T0 - 120_000, channelId: 'c-old' });
      w.pbx.addChannel({ id: 'c-old', appData: DID });
      await recover();
      await w.settle();
      expect(w.pbx.prompts('c-old')).to.deep.equal(['overflow']);
      expect(w.pbx.ops('hangup', 'c-old')).to.have.length(1);
      expect(w.sqlite.entries.get('e1')).to.include({ state: 'left' });
    });

    it('leaves channels alone that are not callers of ours, and adopts nobody twice', async () => {
      world();
      seedEntry(w.sqlite, 'e1', { enteredAt: T0 - 120_000, channelId: 'c-old' });
      w.pbx.addChannel({ id: 'c-old', appData: DID });
      w.pbx.addChannel({ id: 'other-app', app: 'Stasis', appData: 'someone-else,+4930999' });
      w.pbx.addChannel({ id: 'a-leg', appData: 'agent-leg' });
      await recover();
      expect(await recover(), 'a second recover (another reconnect)').to.deep.equal({ adopted: 0, gone: 0, confirmed: 0 });
      expect(w.pbx.requests.filter((r) => r.channelId === 'other-app' || r.channelId === 'a-leg')).to.deep.equal([]);
      expect(w.callers.active).to.equal(1);
    });
  });
});
