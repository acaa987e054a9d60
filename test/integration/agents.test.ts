// Agents on real SIP phones (DESIGN.md §1 steps 5–6; baresip registered as 1001/1002): live callers
// delivered, callbacks offered with Call/Decline, the customer dialled through the trunk and bridged,
// tickets written, feature codes dialled from the phone.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { TelephonyEvent } from '../../src/app/telephony';
import { daemonHungUp, dial, eventually, hears, openEntry, rowsOf } from './harness/caller-steps';
import { DID_EN, logIn, type TestDaemon } from './harness/test-daemon';
import type { SipPhone } from './harness/sip-phone';
import { callCenterSuite } from './harness/suite';
import type { TestLine } from './harness/test-line';

describe('agents on SIP phones', function () {
  this.timeout(120_000);
  let line: TestLine;
  let d: TestDaemon;
  let phones: Record<string, SipPhone>;
  const suite = callCenterSuite(undefined, { phones: ['1001', '1002'] });
  beforeEach(() => ({ line, d, phones } = suite));

  /** Bridges that hold exactly these channels (the audio path between two parties). */
  async function bridgeWith(...channelIds: string[]): Promise<boolean> {
    const bridges = await line.connection.api.bridges.list();
    return bridges.some(
      (b) => b.bridge_type === 'mixing' && channelIds.every((c) => b.channels.includes(c)) && b.channels.length === channelIds.length,
    );
  }

  /** A caller leaves a callback (press 1) while no agent is logged in; returns the slot. */
  async function leaveCallback(callerId: string) {
    const caller = await dial(line, d, DID_EN, callerId);
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    await daemonHungUp(d, caller);
    return openEntry(d, caller)!;
  }

  /** The daemon's side of the agent's phone call: the channel it plays the callback request on. */
  async function agentLegAnnounced(from: number): Promise<string> {
    const { event } = await d.events.waitFor(
      (e: TelephonyEvent) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-callback-request',
      { from, what: 'callback request announced to the agent' },
    );
    return (event as { channelId: string }).channelId;
  }

  it('a live caller is delivered to the free agent and bridged on answer', async () => {
    await logIn(d, '1001');
    const caller = await dial(line, d, DID_EN, '+4915112345700');
    const phone = await phones['1001'].waitForCall();
    expect(phone.callerId).to.equal('+4915112345700');
    expect(d.daemon.sqlite.agents.get('1001')!.state).to.equal('ringing');
    await phone.answer();

    await eventually(() => rowsOf(d, caller)[0]?.state === 'done', 'entry closed as connected');
    expect(d.daemon.sqlite.agents.get('1001')!.state).to.equal('busy');
    const agentLeg = (await line.connection.api.channels.list()).find((c) => c.name.startsWith('PJSIP/1001-'))!;
    // The connection is recorded before the bridge is made (a restart in between bridges them), so the
    // bridge follows the 'done' row by one ARI round trip.
    await eventually(() => bridgeWith(caller.channelId, agentLeg.id), 'caller and agent in one bridge', 5_000);

    await caller.call.hangup();
    await phone.ended();
    await eventually(() => d.daemon.sqlite.agents.get('1001')!.state === 'available', 'agent available after wrap-up');
  });

  it('an agent who does not answer leaves the live caller at its place and counts a miss', async () => {
    await logIn(d, '1001');
    const caller = await dial(line, d, DID_EN, '+4915112345701');
    await phones['1001'].waitForCall(); // never answered: rings out after agents.ringTimeoutSeconds (8 s)
    await eventually(() => d.daemon.sqlite.agents.get('1001')!.missed === 1, 'miss counted', 15_000);
    expect(openEntry(d, caller)).to.include({ kind: 'live', state: 'waiting' });
  });

  it('a callback accepted by the agent creates a ticket, dials the customer with the DID and bridges them', async () => {
    const slot = await leaveCallback('+4915112345702');
    const from = d.events.events.length;
    await logIn(d, '1001');
    const phone = await phones['1001'].waitForCall();
    expect(phone.callerId, 'agent display shows the customer number').to.equal('+4915112345702');
    await phone.answer();
    const agentLeg = await agentLegAnnounced(from);
    await phone.press('1');

    const customer = await line.ringing('customer', '+4915112345702');
    expect(customer.callerId, 'customer sees the number they called').to.equal(DID_EN);
    // The daemon dialled through the admin's dialplan: its leg is Local/<E.164>@callbackd-outbound, whose
    // other half runs the callbackd-outbound → callbackd-dial contexts that dial the trunk.
    const channels = await line.connection.api.channels.list();
    const viaDialplan = channels.find((c) => c.name.startsWith('Local/+4915112345702@callbackd-outbound-') && c.name.endsWith(';2'));
    expect(viaDialplan, 'the customer leg runs through the callbackd-outbound dialplan').to.not.equal(undefined);
    expect(viaDialplan!.dialplan.context).to.equal('callbackd-dial');
    const customerLeg = channels.find((c) => c.name.startsWith('Local/+4915112345702@callbackd-outbound-') && c.name.endsWith(';1'))!;
    await customer.answer();
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'done', 'callback done');
    await eventually(() => bridgeWith(agentLeg, customerLeg.id), 'agent and customer in one bridge', 5_000);

    const tickets = d.daemon.sqlite.tickets.list();
    expect(tickets).to.have.length(1);
    expect(tickets[0]).to.include({
      subject: 'Callback',
      requester: '+4915112345702',
      reason: 'callback-accepted',
      queue: 'support',
      did: DID_EN,
      agentId: '1001',
      entryId: slot.id,
    });
    expect(tickets[0].waitedSeconds).to.be.a('number').and.to.be.at.least(0);
  });

  it('`callbackd agents logout` while the agent’s phone rings with a callback: the ringing stops, the slot keeps its place, no miss', async () => {
    const slot = await leaveCallback('+4915112345706');
    await logIn(d, '1001');
    const ringing = await phones['1001'].waitForCall();
    expect(d.daemon.sqlite.entries.get(slot.id)).to.include({ state: 'offered', agentId: '1001' });
    // The admin's CLI: another process on the same database file.
    const bin = path.resolve(__dirname, '../../bin/callbackd');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--db', d.config.db.path, 'agents', 'logout', '1001'], {
      timeout: 30_000,
    });
    expect(stdout.trim()).to.equal('agent 1001 logged out');
    await ringing.ended();
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'pending', 'slot back in the queue', 10_000);
    expect(d.daemon.sqlite.entries.get(slot.id)).to.include({ enteredAt: slot.enteredAt, agentId: null, attempts: 0 });
    expect(d.daemon.sqlite.agents.get('1001')).to.include({ state: 'logged-out', missed: 0 });
    // Nobody else is logged in: nothing rings again, and the customer was never dialled.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(d.daemon.sqlite.entries.get(slot.id)).to.include({ state: 'pending' });
    expect(d.daemon.sqlite.legs.ofEntry(slot.id).map((l) => l.role)).to.deep.equal(['agent']);
  });

  it('a decline puts the slot back at its place and another agent accepts it', async () => {
    const slot = await leaveCallback('+4915112345703');
    await logIn(d, '1001');
    const first = await phones['1001'].waitForCall();
    await first.answer();
    await agentLegAnnounced(0);
    await logIn(d, '1002');
    await first.press('2');

    const second = await phones['1002'].waitForCall();
    expect(d.daemon.sqlite.entries.get(slot.id)).to.include({ state: 'offered', enteredAt: slot.enteredAt });
    await second.answer();
    await d.events.waitFor(
      (e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-callback-request' && e.channelId !== undefined,
      { what: 'second announcement' },
    );
    await second.press('1');
    const customer = await line.ringing('customer', '+4915112345703');
    await customer.answer();
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'done', 'callback done by the second agent');
    expect(d.daemon.sqlite.tickets.list()[0]).to.include({ agentId: '1002' });
  });

  it('a customer who does not answer: the agent hears it and the ticket gets an internal comment', async () => {
    const slot = await leaveCallback('+4915112345704');
    const from = d.events.events.length;
    await logIn(d, '1001');
    const phone = await phones['1001'].waitForCall();
    await phone.answer();
    const agentLeg = await agentLegAnnounced(from);
    await phone.press('1');
    const customer = await line.ringing('customer', '+4915112345704');
    await customer.reject();

    await d.events.waitFor(
      (e) => e.type === 'playback-started' && e.channelId === agentLeg && e.media === 'sound:callbackd/en/agent-customer-no-answer',
      { what: 'agent told' },
    );
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'unanswered', 'slot closed as unanswered');
    const [ticket] = d.daemon.sqlite.tickets.list();
    const comments = d.daemon.sqlite.tickets.comments(ticket.id);
    expect(comments).to.have.length(1);
    expect(comments[0].internal).to.equal(true);
    expect(comments[0].body).to.match(/^callback attempted, not answered \(.+, 1 attempt\)$/);
    await phone.ended();
  });

  it('a callback whose outbound route is missing is not "customer did not answer": the agent hears it could not be placed, the slot keeps its place', async () => {
    // The admin pointed the number at a dialplan context that does not exist.
    const number = d.daemon.sqlite.numbers.get(DID_EN)!;
    d.daemon.sqlite.numbers.upsert({ ...number, outboundTrunk: 'dialplan:callbackd-missing' });
    const slot = await leaveCallback('+4915112345705');
    const from = d.events.events.length;
    await logIn(d, '1001');
    const phone = await phones['1001'].waitForCall();
    await phone.answer();
    const agentLeg = await agentLegAnnounced(from);
    const customersBefore = line.recorder.events.filter((e) => e.type === 'call-entered' && e.args[0] === 'customer').length;
    await phone.press('1');

    await d.events.waitFor(
      (e) => e.type === 'playback-started' && e.channelId === agentLeg && e.media === 'sound:callbackd/en/agent-dial-failed',
      { what: 'agent told the call could not be placed' },
    );
    await phone.ended();
    const after = d.daemon.sqlite.entries.get(slot.id)!;
    expect(after, 'back at its place, no attempt used').to.include({ state: 'pending', attempts: 0, enteredAt: slot.enteredAt });
    expect(line.recorder.events.filter((e) => e.type === 'call-entered' && e.args[0] === 'customer').length, 'nobody was dialled').to.equal(
      customersBefore,
    );
    const [ticket] = d.daemon.sqlite.tickets.list();
    expect(d.daemon.sqlite.tickets.comments(ticket.id).map((c) => c.body)).to.deep.equal([
      'callback interrupted (dial failed: no route for +4915112345705 in dialplan context callbackd-missing); the request is back in the queue at its place',
    ]);
    expect(d.daemon.sqlite.agents.get('1001')!.missed, "not the agent's fault").to.equal(0);
  });

  it('agents log in with *45 and out with *46 from their own phone', async () => {
    expect(d.daemon.sqlite.agents.get('1002')!.state).to.equal('logged-out');
    const mark = d.events.events.length;
    const login = await phones['1002'].dial('*45');
    await d.events.waitFor((e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-logged-in', {
      from: mark,
      what: 'login confirmed',
    });
    expect(d.daemon.sqlite.agents.get('1002')!.state).to.equal('available');
    await login.ended();

    const mark2 = d.events.events.length;
    await phones['1002'].dial('*46');
    await d.events.waitFor((e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-logged-out', {
      from: mark2,
      what: 'logout confirmed',
    });
    expect(d.daemon.sqlite.agents.get('1002')!.state).to.equal('logged-out');
  });
});
