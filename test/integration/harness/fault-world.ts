// What the fault-injection suites share: a daemon in its own process (daemon-process.ts) on a seeded
// database, the agents' real SIP phones, the test line as callers and as "the PSTN", and the ways to
// look at what really happened — the calls Asterisk made (customer channels at the test app, incoming
// calls on the phones), the channels and bridges it still has, and the rows in the daemon's database.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import type { CallEntered, TelephonyEvent } from '../../../src/app/telephony';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { eventually, sleep } from './caller-steps';
import { DaemonProcess, killAllDaemons, query, seededDatabase } from './daemon-process';
import { requireAsterisk } from './env';
import { crashSandbox, ensureSandbox, startSandbox } from './sandbox';
import type { PhoneCall } from './sip-phone';
import { SipPhone, stopAllPhones } from './sip-phone';
import { DID_EN } from './test-daemon';
import { type TestCall, TestLine, TEST_APP } from './test-line';

/** Lines of the daemon's log shown when a test fails (CALLBACKD_TEST_LOG_TAIL). */
const LOG_TAIL = Number(process.env.CALLBACKD_TEST_LOG_TAIL ?? 40);

/** Short timers for the daemon under test (the flow is the one production runs). */
export const FAULT_ENV: Record<string, string> = {
  CALLBACKD_IVR_OFFER_DELAY_SECONDS: '1',
  CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '3',
  CALLBACKD_IVR_MENU_TIMEOUT_SECONDS: '3',
  // Long enough that a phone or customer still rings after a restart of the daemon.
  CALLBACKD_AGENTS_RING_TIMEOUT_SECONDS: '25',
  CALLBACKD_CALLBACK_CUSTOMER_RING_SECONDS: '25',
  CALLBACKD_AGENTS_WRAP_UP_SECONDS: '3',
  CALLBACKD_AGENTS_DECLINE_COOLDOWN_SECONDS: '0',
};

export interface EntryRow {
  id: string;
  kind: string;
  state: string;
  attempts: number;
  agent_id: string | null;
  ticket_id: number | null;
  entered_at: number;
  channel_id: string | null;
  caller_id: string | null;
  callback_number: string | null;
  outcome: string | null;
}
export interface LegRow {
  id: string;
  entry_id: string;
  role: 'agent' | 'customer' | 'caller';
  agent_id: string | null;
  state: 'dialing' | 'up' | 'ended';
  bridge_id: string | null;
  cause: string | null;
}
export interface AgentRow {
  id: string;
  state: string;
  missed: number;
  state_since: number;
}

export class FaultWorld {
  line!: TestLine;
  dir!: string;
  dbPath!: string;
  daemon!: DaemonProcess;
  phones: Record<string, SipPhone> = {};
  /** The daemon's config of the current test (FAULT_ENV and the test's own overrides). */
  env: Record<string, string> = {};
  /** The test line's first event of the current test. */
  private testStart = 0;

  /** The hooks of a suite: call inside a describe(). */
  static suite(opts: { phones: string[] }): FaultWorld {
    const w = new FaultWorld();
    before(async () => {
      await requireAsterisk();
      w.line = await TestLine.open();
    });
    beforeEach(async () => {
      w.line.startTest();
      w.testStart = w.mark;
      ({ dir: w.dir, dbPath: w.dbPath } = seededDatabase('callbackd-faults-'));
      const started = await Promise.all(opts.phones.map((ext) => SipPhone.agent(ext)));
      w.phones = Object.fromEntries(opts.phones.map((ext, i) => [ext, started[i]]));
      w.env = { ...FAULT_ENV };
    });
    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && w.daemon) console.error(`daemon log tail:\n${w.daemon.tail(LOG_TAIL)}`);
      w.daemon = undefined as never;
      await killAllDaemons();
      // A test that failed while Asterisk was down must not take the next ones with it.
      await ensureSandbox();
      await w.line.hangupAll();
      await stopAllPhones();
      fs.rmSync(w.dir, { recursive: true, force: true });
    });
    after(async () => {
      await stopAllPhones();
      await w.line?.close();
    });
    return w;
  }

  /** Starts the daemon process on the test's database; `env` overrides FAULT_ENV for this test, also
   *  for the processes started after a kill. */
  async start(env: Record<string, string> = {}): Promise<DaemonProcess> {
    this.env = { ...this.env, ...env };
    this.daemon = await DaemonProcess.start({ dbPath: this.dbPath, env: this.env });
    return this.daemon;
  }

  /** kill -9 of the daemon, then a new process on the same database. Returns when it has started. */
  async killAndRestart(): Promise<DaemonProcess> {
    await this.daemon.kill();
    return this.start();
  }

  /**
   * kill -9 of Asterisk, started again at once; resolves when the daemon has reconnected and
   * reconciled, and the test line is back. Every call of the moment is gone without a hangup.
   * `whileDown` runs before the restart: the phones' people hang up their dead calls then (a phone
   * only learns of it from its user), so that no key of theirs reaches a call of the new Asterisk.
   */
  async crashAsterisk(whileDown: () => Promise<unknown> = () => Promise.resolve()): Promise<void> {
    const daemonMark = this.daemon.mark;
    const lineMark = this.mark;
    await crashSandbox();
    await whileDown();
    await startSandbox();
    await this.daemon.waitForLog(
      (l) => l.message === 'state reconciled with the PBX after reconnect',
      60_000,
      'the daemon reconnected and reconciled',
      daemonMark,
    );
    await this.line.recorder.waitFor((e) => e.type === 'connected' && e.reconnect, {
      from: lineMark,
      timeoutMs: 60_000,
      what: 'test line reconnected',
    });
  }

  // ---- arranging through the store's own verbs (as the CLI does) ---------------------------------

  /** A callback slot for `number`, as a caller's press of 1 leaves it (pending, at its own place). */
  seedCallback(number: string): string {
    const store = openStore(this.dbPath);
    try {
      const id = randomUUID();
      const at = Date.now();
      store.entries.addLive({ id, queue: 'support', did: DID_EN, channelId: `gone-${id}`, callerId: number, enteredAt: at - 60_000 });
      store.entries.requestCallback({ entryId: id, number, requestedAt: at - 50_000, language: 'en' });
      return id;
    } finally {
      store.close();
    }
  }

  /** `callbackd agents login <id>` (the same store rule); the daemon notices within half a second. */
  login(agentId: string): void {
    this.agentEvent(agentId, 'login');
  }

  /** `callbackd agents logout <id>`: a call in progress goes on, no new one is offered. */
  logout(agentId: string): void {
    this.agentEvent(agentId, 'logout');
  }

  private agentEvent(agentId: string, type: 'login' | 'logout'): void {
    const store = openStore(this.dbPath, { busyTimeoutMs: 5000 });
    try {
      store.agents.apply(agentId, { type }, Date.now(), { maxMissed: 3, wrapUpSeconds: 0 });
    } finally {
      store.close();
    }
  }

  // ---- looking at the database -------------------------------------------------------------------

  entry(id: string): EntryRow {
    return query<EntryRow>(this.dbPath, 'SELECT * FROM queue_entries WHERE id = ?', id)[0];
  }
  entryOf(callerId: string): EntryRow | undefined {
    return query<EntryRow>(this.dbPath, 'SELECT * FROM queue_entries WHERE caller_id = ? ORDER BY entered_at DESC', callerId)[0];
  }
  /** Open callback requests for a number (pending, offered or dialing). */
  openRequests(number: string): EntryRow[] {
    return query<EntryRow>(
      this.dbPath,
      "SELECT * FROM queue_entries WHERE callback_number = ? AND kind = 'callback' AND state IN ('pending', 'offered', 'dialing')",
      number,
    );
  }
  legs(entryId: string): LegRow[] {
    return query<LegRow>(this.dbPath, 'SELECT * FROM legs WHERE entry_id = ? ORDER BY created_at, id', entryId);
  }
  agent(id: string): AgentRow {
    return query<AgentRow>(this.dbPath, 'SELECT * FROM agents WHERE id = ?', id)[0];
  }
  ticketComments(entryId: string): string[] {
    return query<{ body: string }>(
      this.dbPath,
      'SELECT c.body FROM ticket_comments c JOIN queue_entries e ON e.ticket_id = c.ticket_id WHERE e.id = ? ORDER BY c.id',
      entryId,
    ).map((r) => r.body);
  }
  tickets(entryId: string): number {
    return query<{ n: number }>(this.dbPath, 'SELECT count(*) AS n FROM tickets WHERE entry_id = ?', entryId)[0].n;
  }

  /** The open agent leg of an entry once it is recorded (its channel id). */
  async agentLeg(entryId: string): Promise<string> {
    const leg = await eventually(() => this.legs(entryId).find((l) => l.role === 'agent' && l.state !== 'ended'), 'agent leg recorded');
    await this.watch(leg.id);
    return leg.id;
  }
  async customerLeg(entryId: string): Promise<string> {
    const leg = await eventually(
      () => this.legs(entryId).find((l) => l.role === 'customer' && l.state !== 'ended'),
      'customer leg recorded',
    );
    return leg.id;
  }

  // ---- looking at the PBX --------------------------------------------------------------------------

  /** Lets the test line see what the daemon plays on one of its channels. */
  async watch(channelId: string): Promise<void> {
    await this.line.connection.api.applications.subscribe({ applicationName: TEST_APP, eventSource: `channel:${channelId}` });
  }

  /** Waits for the daemon to start playing `prompt` (e.g. 'en/agent-callback-request') on a channel. */
  async playing(channelId: string, prompt: string, opts: { from?: number; timeoutMs?: number } = {}): Promise<number> {
    const media = `sound:callbackd/${prompt}`;
    const { index } = await this.line.recorder.waitFor(
      (e) => e.type === 'playback-started' && e.channelId === channelId && e.media === media,
      {
        from: opts.from ?? 0,
        timeoutMs: opts.timeoutMs ?? 20_000,
        what: `${prompt} on ${channelId}`,
      },
    );
    return index;
  }

  /** A mark in the test line's events: "after this moment". */
  get mark(): number {
    return this.line.recorder.events.length;
  }

  /** Every call Asterisk delivered to the simulated PSTN for `number` in this test (the customer's rings). */
  customerCalls(number: string): CallEntered[] {
    return this.line.recorder.events
      .slice(this.testStart)
      .filter((e: TelephonyEvent): e is CallEntered => e.type === 'call-entered' && e.args[0] === 'customer' && e.args[1] === number);
  }

  /** Incoming calls the agent's phone has had in this test. */
  incoming(agentId: string): PhoneCall[] {
    return this.phones[agentId].history.filter((c) => c.direction === 'incoming');
  }

  /** Is there a mixing bridge with exactly these channels? */
  async bridged(...channelIds: string[]): Promise<boolean> {
    const bridges = await this.line.connection.api.bridges.list();
    return bridges.some((b) => channelIds.every((c) => b.channels.includes(c)) && b.channels.length === channelIds.length);
  }

  /** The daemon's side of a caller's call, found in Asterisk (also before the daemon could store it);
   *  watched, so `playing` sees its prompts. */
  async daemonSide(callerId: string): Promise<string> {
    const find = async () =>
      (await this.line.connection.api.channels.list()).find(
        (c) => c.caller.number === callerId && c.dialplan.app_data.startsWith('callbackd,'),
      )?.id;
    for (let i = 0; i < 50; i++) {
      const id = await find();
      if (id) {
        await this.watch(id);
        return id;
      }
      await sleep(100);
    }
    throw new Error(`no daemon channel for caller ${callerId}`);
  }

  async channelNames(): Promise<string[]> {
    return (await this.line.connection.api.channels.list()).map((c) => `${c.name} (${c.state})`);
  }

  /**
   * "No channel left up without an owner": once the people hang up (`calls`: the callers and customers
   * the test still holds), the daemon must end everything of its own — Asterisk ends with no channel.
   */
  async settlesEmpty(calls: Array<TestCall | { hangup(): Promise<void> }> = [], timeoutMs = 8000): Promise<void> {
    for (const c of calls) await c.hangup();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.channelNames();
      if (left.length === 0) return;
      if (Date.now() > deadline) expect(left, 'channels left after everyone hung up').to.deep.equal([]);
      await sleep(200);
    }
  }

  // ---- steps of the flow ----------------------------------------------------------------------------

  /** A new caller: the call once the daemon answered it, and how long that took from the dial (ms). */
  async timedCall(callerId: string): Promise<{ ms: number; call: TestCall }> {
    const t0 = Date.now();
    const call = await this.line.call(DID_EN, callerId);
    return { ms: Date.now() - t0, call };
  }

  /** After a fault a new caller is answered at once: measured from the dial to the answer. */
  async answeredAtOnce(callerId: string): Promise<TestCall> {
    const { ms, call } = await this.timedCall(callerId);
    expect(ms, `a new caller answered within a second of the fault (took ${ms} ms)`).to.be.below(1000);
    return call;
  }

  /** The callback slot rings `agentId`'s phone (with the customer's number), is answered and its
   *  request read out; returns the agent's call and the daemon's leg to the phone. */
  async announced(slot: string, customer: string, agentId = '1001'): Promise<{ agent: PhoneCall; agentLeg: string }> {
    const agent = await this.phones[agentId].waitForCall({ callerId: customer });
    const agentLeg = await this.agentLeg(slot);
    const mark = this.mark;
    await agent.answer();
    await this.playing(agentLeg, 'en/agent-callback-request', { from: mark });
    return { agent, agentLeg };
  }

  /** The customer answers: the callback is done and agent and customer share one bridge. */
  async connects(slot: string, agentLeg: string, customer: TestCall): Promise<void> {
    await customer.answer();
    const customerLeg = await this.customerLeg(slot);
    await eventually(() => this.entry(slot).state === 'done', 'callback done');
    await eventually(() => this.bridged(agentLeg, customerLeg), 'agent and customer bridged');
  }
}
