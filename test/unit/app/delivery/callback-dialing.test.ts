// After the agent pressed 1: where the customer is dialled (the number's outbound route), and how each
// end of that dial is told apart: the customer did not answer (an attempt, the request closed after
// the last one) or our side failed (no attempt counted, the slot back at its place).
import { expect } from 'chai';
import type { Store } from '../../../../src/app/ports';
import type { Leg, NumberConfig } from '../../../../src/domain/model';
import {
  createWorld,
  dialled,
  DID,
  lastLeg,
  seedAgent,
  seedEntry,
  seedNumber,
  seedQueue,
  T0,
  type World,
  type WorldOptions,
} from '../fixtures';

const NUMBER = '+4915112345679';
const ENTERED = T0 - 10 * 60_000;

describe('app/delivery: calling the customer back', () => {
  let w: World;
  let agentLeg: string;
  /** A callback slot offered to alice, who answers and presses 1 (`arrange` runs just before the 1). */
  const accepted = async (o: WorldOptions = {}, number: Partial<NumberConfig> = {}, arrange: (w: World) => void = () => undefined) => {
    w = createWorld(o);
    seedQueue(w.sqlite);
    seedNumber(w.sqlite, number);
    seedAgent(w.sqlite, 'alice', { at: T0 - 60_000 });
    seedEntry(w.sqlite, 'cb', { enteredAt: ENTERED, callback: NUMBER });
    await w.settle();
    agentLeg = lastLeg(w, 'agent');
    await w.pbx.answerLeg(agentLeg);
    arrange(w);
    await w.pbx.press(agentLeg, '1');
  };
  afterEach(() => w.close());
  const slot = () => w.sqlite.entries.get('cb')!;
  const comments = () => w.sqlite.tickets.comments(slot().ticketId!).map((c) => [c.body, c.internal]);

  describe('the route of the number', () => {
    const routes: Array<[string, Partial<NumberConfig>, string, string, string | null]> = [
      ['no route: the admin’s callbackd-outbound context', {}, `Local/${NUMBER}@callbackd-outbound/n`, DID, `${NUMBER}@callbackd-outbound`],
      ['dialplan:<context>', { outboundTrunk: 'dialplan:to-carrier' }, `Local/${NUMBER}@to-carrier/n`, DID, `${NUMBER}@to-carrier`],
      ['a template', { outboundTrunk: 'PJSIP/0{national}@carrier' }, 'PJSIP/015112345679@carrier', DID, null],
      ['a bare trunk name', { outboundTrunk: 'carrier' }, `PJSIP/${NUMBER}@carrier`, DID, null],
      [
        'an outbound caller ID',
        { outboundCallerId: '+4930999999' },
        `Local/${NUMBER}@callbackd-outbound/n`,
        '+4930999999',
        `${NUMBER}@callbackd-outbound`,
      ],
    ];
    for (const [name, number, endpoint, callerId, checked] of routes) {
      it(`${name}: dials ${endpoint} showing ${callerId}`, async () => {
        let atDial: Leg | undefined;
        await accepted({}, number, (x) => {
          x.pbx.onRequest = (r) => {
            if (r.op === 'dial') atDial = x.sqlite.legs.get(r.channelId!);
          };
        });
        expect(dialled(w, 'customer').map((d) => [d.endpoint, d.callerId, d.appArgs])).to.deep.equal([
          [endpoint, callerId, ['customer-leg']],
        ]);
        expect(
          w.pbx.ops('dialplanHas').map((r) => r.detail),
          'a dialplan route is checked first',
        ).to.deep.equal(checked ? [checked] : []);
        expect(atDial, 'the leg is recorded before it is dialled').to.include({ role: 'customer', state: 'dialing', agentId: 'alice' });
      });
    }
  });

  describe('the customer does not answer', () => {
    it('the agent is told, the ticket gets an internal comment, the request is closed unanswered', async () => {
      await accepted();
      await w.advance(30);
      expect(w.pbx.prompts(agentLeg).at(-1)).to.equal('agent-customer-no-answer');
      expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
      expect(slot()).to.include({ state: 'unanswered', attempts: 1 });
      expect(comments()).to.deep.equal([['callback attempted, not answered (no answer (No answer), 1 attempt)', true]]);
      expect(w.agent('alice').state).to.equal('wrap-up');
      expect(w.sqlite.legs.ofEntry('cb').every((l) => l.state === 'ended')).to.equal(true);
    });

    it('busy counts as an attempt like no answer', async () => {
      await accepted();
      await w.pbx.noAnswer(lastLeg(w, 'customer'), 17);
      expect(slot()).to.include({ state: 'unanswered', attempts: 1 });
    });

    it('with callback.maxAttempts 2 it dials once more after the retry delay, and never a third time', async () => {
      await accepted({ delivery: { callback: { maxAttempts: 2, retryDelaySeconds: 120 } } });
      await w.advance(30);
      expect(slot()).to.include({ state: 'dialing', attempts: 1 });
      await w.advance(119);
      expect(dialled(w, 'customer')).to.have.length(1);
      await w.advance(1);
      expect(dialled(w, 'customer')).to.have.length(2);
      await w.advance(30);
      expect(slot()).to.include({ state: 'unanswered', attempts: 2 });
      expect(comments()[0][0]).to.match(/, 2 attempts\)$/);
      await w.advance(600);
      expect(dialled(w, 'customer')).to.have.length(2);
    });

    it('the agent hangs up while the customer rings: the customer leg is ended, the request closed unanswered', async () => {
      await accepted();
      const customer = lastLeg(w, 'customer');
      await w.pbx.hangUp(agentLeg);
      expect(w.pbx.ops('hangup', customer)).to.have.length(1);
      expect(slot()).to.include({ state: 'unanswered' });
      expect(comments().map(([body]) => body)).to.deep.equal(['callback cancelled: the agent hung up while the customer was being called']);
    });
  });

  describe('the dial fails on our side: the agent is told, the slot goes back to its place, no attempt counted', () => {
    const failures: Array<[string, Partial<NumberConfig>, (w: World) => void, number]> = [
      ['the route ends with cause 3 (no route to destination)', {}, () => undefined, 1],
      ['the dialplan has no such extension', {}, (x) => (x.pbx.routeExists = () => false), 0],
      ['the PBX refuses the dial request', {}, (x) => x.pbx.failNext('dial'), 0],
      ['the number has no valid route', { outboundTrunk: 'not a route!' }, () => undefined, 0],
    ];
    it('the customer leg cannot be recorded (store failing): nobody is dialled, the agent is not left in silence', async () => {
      await accepted({
        store: (s: Store): Store => ({
          ...s,
          delivery: { ...s.delivery, customerDialStarting: () => Promise.reject(new Error('disk I/O error')) },
        }),
      });
      expect(dialled(w, 'customer')).to.deep.equal([]);
      expect(w.pbx.prompts(agentLeg).at(-1)).to.equal('agent-dial-failed');
      expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
      expect(slot()).to.include({ attempts: 0, enteredAt: ENTERED });
      expect(slot().state, 'held back from every agent: an immediate retry would fail the same way').to.equal('pending');
    });

    for (const [name, number, arrange, dials] of failures) {
      it(name, async () => {
        await accepted({}, number, arrange);
        if (name.includes('cause 3')) await w.pbx.noAnswer(lastLeg(w, 'customer'), 3);
        expect(dialled(w, 'customer'), 'customer dials that reached the PBX').to.have.length(dials);
        expect(w.pbx.prompts(agentLeg).at(-1), '"the call could not be placed"').to.equal('agent-dial-failed');
        expect(w.pbx.ops('hangup', agentLeg)).to.have.length(1);
        const back = slot();
        expect(back).to.include({ kind: 'callback', attempts: 0, enteredAt: ENTERED });
        expect(back.state, 'back in the queue, held back from every agent for the retry delay').to.equal('pending');
        expect(comments().map(([body]) => body)[0]).to.match(
          /^callback interrupted \(dial failed: .+\); the request is back in the queue at its place$/,
        );
        expect(w.logs.lines('warn', 'callback could not be placed; back in the queue at its place')).to.have.length(1);
        expect(w.agent('alice').missed).to.equal(0);
      });
    }
  });
});
