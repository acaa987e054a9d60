// Inbound routing: what a channel entering our Stasis app is, decided where the call enters. Every call
// is answered and told something, also when the configuration cannot be read.
import { expect } from 'chai';
import type { Store } from '../../../../src/app/ports';
import { CALLER, createWorld, DID, seedNumber, seedQueue, type World, type WorldOptions } from '../fixtures';

describe('app/callers: inbound routing', () => {
  let w: World;
  const world = (o: WorldOptions = {}) => {
    w = createWorld(o);
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    return w;
  };
  afterEach(() => w.close());

  it('a call to a number we do not serve hears "not in service" and is hung up, and the log names the DID', async () => {
    world();
    const ch = await w.pbx.call({ did: '+4930555555', callerId: CALLER });
    expect(w.pbx.ops('answer', ch)).to.have.length(1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['not-in-service']);
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(w.entryOf(ch)).to.equal(undefined);
    expect(w.logs.lines('warn', 'call to a number that is not configured')[0]).to.include({ did: '+4930555555', reason: 'unknown DID' });
  });

  it('a configuration that cannot be read still answers the call: "technical problem", then hangup', async () => {
    const broken = (s: Store): Store => ({
      ...s,
      directory: { ...s.directory, number: () => Promise.reject(new Error('database disk image is malformed')) },
    });
    world({ store: broken });
    const ch = await w.pbx.call({ callerId: CALLER });
    expect(w.pbx.ops('answer', ch)).to.have.length(1);
    expect(w.pbx.prompts(ch)).to.deep.equal(['technical-problem']);
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(w.logs.lines('error', 'cannot serve the call: configuration could not be read')).to.have.length(1);
  });

  it('"not in service" ends in a hangup even when the prompt never starts', async () => {
    world();
    w.pbx.playMode = 'silent';
    const ch = await w.pbx.call({ did: '+4930555555' });
    expect(w.pbx.ops('hangup', ch)).to.deep.equal([]);
    await w.advance(5);
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
  });

  it('a caller on a served number hears the number’s language', async () => {
    world();
    seedNumber(w.sqlite, { did: '+4930123457', callbackLanguage: 'de' });
    const ch = await w.pbx.call({ did: '+4930123457', callerId: CALLER });
    expect(w.pbx.ops('play', ch)[0].media).to.deep.equal(['sound:callbackd/de/welcome']);
    expect(w.entryOf(ch)).to.include({ did: '+4930123457', state: 'waiting' });
  });

  it('a caller ID that is not given is stored as none', async () => {
    world();
    const ch = await w.pbx.call({ did: DID, callerId: '' });
    expect(w.entryOf(ch)).to.include({ callerId: null });
  });

  it('a leg of ours that nothing tracks (e.g. after a crash) is hung up', async () => {
    world();
    const ch = await w.pbx.call({ args: ['customer-leg'] });
    expect(w.pbx.ops('hangup', ch)).to.have.length(1);
    expect(w.pbx.ops('answer', ch)).to.deep.equal([]);
  });

  it('our own dialplan probe is left to its creator', async () => {
    world();
    const ch = await w.pbx.call({ args: ['route-probe'] });
    expect(w.pbx.requests.filter((r) => r.channelId === ch)).to.deep.equal([]);
  });
});
