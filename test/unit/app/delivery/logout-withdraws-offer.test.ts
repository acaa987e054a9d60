// An agent logged out by someone else (the admin CLI, another daemon on the same database) while an
// offer of ours is pending on their phone: the offer ends, the entry keeps its place, no miss is
// counted, and the agent is not offered anything more. Once the agent has pressed Call, the call goes on.
import { expect } from 'chai';
import { CALLER, createWorld, dialled, lastLeg, RULES, seedAgent, seedEntry, seedNumber, seedQueue, T0, type World } from '../fixtures';

const NUMBER = '+4915112345679';
const ENTERED = T0 - 10 * 60_000;

describe('app/delivery: an agent logged out while an offer is pending', () => {
  let w: World;
  afterEach(() => w.close());
  const world = (agents: string[] = ['alice']) => {
    w = createWorld();
    seedQueue(w.sqlite);
    seedNumber(w.sqlite);
    for (const id of agents) seedAgent(w.sqlite, id, { at: T0 - 60_000 });
  };
  /** `callbackd agents logout <id>` from another process: a second connection, like the CLI's. */
  const cliLogout = (id: string) => w.db.other().agents.apply(id, { type: 'logout' }, Date.now(), RULES);
  /** The daemon notices another connection's commit on its next watch tick (5 s in these tests). */
  const noticed = () => w.advance(5);

  describe('a callback slot', () => {
    let agentLeg: string;
    const offered = async () => {
      world();
      seedEntry(w.sqlite, 'cb', { enteredAt: ENTERED, callback: NUMBER });
      await w.settle();
      agentLeg = lastLeg(w, 'agent');
      expect(w.sqlite.entries.get('cb')).to.include({ state: 'offered', agentId: 'alice' });
    };
    const slot = () => w.sqlite.entries.get('cb')!;

    it('logged out while the phone rings: the ringing stops, the slot is back at its place, no miss', async () => {
      await offered();
      cliLogout('alice');
      await noticed();
      expect(w.pbx.ops('hangup', agentLeg), 'the ringing phone is hung up').to.have.length(1);
      expect(slot()).to.include({ state: 'pending', agentId: null, enteredAt: ENTERED, attempts: 0 });
      expect(w.agent('alice')).to.include({ state: 'logged-out', missed: 0 });
      expect(w.sqlite.legs.ofEntry('cb')[0]).to.include({ state: 'ended', cause: 'agent logged out while the offer rang' });
      // Answering the (already hung up) phone later changes nothing, and nobody is offered it again.
      await w.advance(30);
      expect(dialled(w, 'agent')).to.have.length(1);
      expect(dialled(w, 'customer')).to.deep.equal([]);
    });

    it('logged out while the agent has the request before them: the agent is hung up, the slot goes back; no customer dial', async () => {
      await offered();
      await w.pbx.answerLeg(agentLeg);
      cliLogout('alice');
      await noticed();
      expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
      expect(slot()).to.include({ state: 'pending', agentId: null, enteredAt: ENTERED });
      await w.pbx.press(agentLeg, '1').catch(() => undefined);
      expect(dialled(w, 'customer'), 'a late 1 on a hung-up leg dials nobody').to.deep.equal([]);
      expect(w.agent('alice')).to.include({ state: 'logged-out' });
    });

    it('logged out after pressing Call: the customer is still dialled and bridged (the call goes on)', async () => {
      await offered();
      await w.pbx.answerLeg(agentLeg);
      await w.pbx.press(agentLeg, '1');
      cliLogout('alice');
      await noticed();
      expect(w.pbx.ops('hangup', agentLeg)).to.deep.equal([]);
      const customer = lastLeg(w, 'customer');
      await w.pbx.answerLeg(customer);
      expect(slot()).to.include({ state: 'done' });
    });

    it('another agent logged out leaves this offer ringing', async () => {
      world(['alice']);
      seedAgent(w.sqlite, 'bob', { state: 'logged-out' });
      w.db.other().agents.apply('bob', { type: 'login' }, Date.now(), RULES);
      seedEntry(w.sqlite, 'cb', { enteredAt: ENTERED, callback: NUMBER });
      await w.settle();
      const offeredTo = slot().agentId!;
      const other = offeredTo === 'alice' ? 'bob' : 'alice';
      cliLogout(other);
      await noticed();
      expect(slot()).to.include({ state: 'offered', agentId: offeredTo });
      expect(w.pbx.ops('hangup', lastLeg(w, 'agent'))).to.deep.equal([]);
    });
  });

  describe('a live caller', () => {
    it('logged out while the phone rings: the ringing stops, the caller stays on hold at the place, no miss', async () => {
      world();
      const caller = await w.pbx.call({ callerId: CALLER });
      const entry = w.entryOf(caller)!;
      const agentLeg = lastLeg(w, 'agent');
      cliLogout('alice');
      await noticed();
      expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
      expect(w.pbx.ops('hangup', caller), 'the caller is not hung up').to.deep.equal([]);
      expect(w.sqlite.entries.get(entry.id)).to.include({ state: 'waiting', enteredAt: entry.enteredAt });
      expect(w.agent('alice')).to.include({ state: 'logged-out', missed: 0 });
    });
  });
});
