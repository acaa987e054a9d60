// A caller's key storm (issue 21 item 1) against the in-memory PBX: the key rate limit and the Leg's
// coalescing keep the requests to the PBX bounded, and the caller still gets exactly one decision.
import { expect } from 'chai';
import { DEFAULT_KEY_GATE } from '../../../../src/domain/ivr/key-gate';
import { CALLER, createWorld, seedNumber, seedQueue, type World } from '../fixtures';

describe('app/callers: a key storm from one caller', function () {
  this.timeout(20_000);
  let w: World;
  beforeEach(() => {
    w = createWorld();
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
  });
  afterEach(() => w.close());

  const untilOffer = async (): Promise<string> => {
    const ch = await w.pbx.call({ callerId: CALLER });
    await w.advance(30);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer']);
    return ch;
  };

  /** `count` keys `spacingMs` apart, each handled (and its requests answered) before the next. */
  const storm = async (ch: string, keys: string, count: number, spacingMs: number) => {
    for (let i = 0; i < count; i++) {
      await w.pbx.press(ch, keys[i % keys.length]);
      await w.advance(spacingMs / 1000);
    }
  };

  it('600 presses of 1 in 3 s: one request saved, one confirmation, one hangup, a handful of requests', async () => {
    const ch = await untilOffer();
    const before = w.pbx.requests.length;
    await storm(ch, '1', 600, 5);
    await w.advance(5);
    expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending', callbackNumber: CALLER });
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer', 'confirmation']);
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(w.pbx.requests.length - before).to.be.at.most(5);
  });

  it('600 keys the offer does not know in 3 s: the offer is replayed a bounded number of times, then 1 still works', async () => {
    const ch = await untilOffer();
    const before = w.pbx.requests.length;
    await storm(ch, '5', 600, 5);
    const taken = DEFAULT_KEY_GATE.burst + Math.ceil(3 * DEFAULT_KEY_GATE.perSecond);
    const during = w.pbx.requests.slice(before);
    // Each key taken costs at most a stop and a play; 600 keys untaken would have cost 1,200.
    expect(during.filter((r) => r.op === 'play').length).to.be.at.most(taken);
    expect(during.length).to.be.at.most(2 * taken);
    expect(w.logs.lines('warn', /faster than they are taken/)).to.have.length(1);
    expect(w.entryOf(ch)).to.include({ kind: 'live', state: 'waiting' });

    await w.advance(2.5); // a pause refills the bucket: the storm is over
    await w.pbx.press(ch, '1');
    expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending', callbackNumber: CALLER });
    expect(w.pbx.prompts(ch).at(-1)).to.equal('confirmation');
    expect(w.logs.lines('warn', /ignored by the key rate limit/).map((l) => l.ignored)).to.deep.equal([
      600 - (DEFAULT_KEY_GATE.burst + 23),
    ]);
  });

  it('keys arriving while the play for a key is still on its way send no more requests: one stop, one play', async () => {
    const ch = await untilOffer();
    const before = w.pbx.requests.length;
    w.pbx.holdRequests('play'); // the PBX is slow to accept the replay the first key asks for
    await w.pbx.press(ch, '5');
    await w.pbx.press(ch, '555555555');
    const held = w.pbx.requests.slice(before).map((r) => r.op);
    // One replay sent (the offer had ended); the nine keys after it sent nothing.
    expect(held).to.deep.equal(['play']);
    await w.pbx.releaseRequests();
    await w.advance(1);
    // Once accepted, the first replay is stopped and only the last one wanted is sent.
    const ops = w.pbx.requests.slice(before).map((r) => r.op);
    expect(ops.filter((op) => op === 'play')).to.have.length(2);
    expect(ops.filter((op) => op === 'stopPlayback')).to.have.length(1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['welcome', 'offer', 'offer', 'offer']);
    await w.pbx.press(ch, '1');
    expect(w.entryOf(ch)).to.include({ kind: 'callback', state: 'pending' });
  });

  it('a number typed at 10 keys a second is not cut by the rate limit', async () => {
    const ch = await untilOffer();
    await w.pbx.press(ch, '2');
    await storm(ch, '004915112345679#', 16, 100);
    expect(w.pbx.prompts(ch).at(-1)).to.match(/^you-entered/);
    await w.pbx.press(ch, '1');
    expect(w.entryOf(ch)).to.include({ kind: 'callback', callbackNumber: '+4915112345679' });
  });
});
