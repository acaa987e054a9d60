// The test's own ARI app ("callbackd-test") that places real SIP calls through the loop trunk: the far
// leg reaches the daemon as an inbound PJSIP call with our caller ID, and DTMF we send travels as RFC 4733.
import { randomUUID } from 'node:crypto';
import { AriConnection } from '../../../src/ari/connection';
import { AriTelephony } from '../../../src/ari/ari-telephony';
import { isChannelGone } from '../../../src/app/telephony';
import { silentLogger } from '../../../src/log';
import { ari } from './env';
import { EventRecorder } from './recorder';
import type { CallEntered, TelephonyEvent } from '../../../src/app/telephony';

export const TEST_APP = 'callbackd-test';

export class TestCall {
  constructor(
    readonly channelId: string,
    private readonly line: TestLine,
  ) {}

  /** Keys pressed one at a time, like a person would, each sent as RFC 4733 over the trunk. */
  async press(keys: string): Promise<void> {
    await this.line.telephony.sendDtmf(this.channelId, keys, 100);
  }

  /** Picks up a call ringing at the simulated PSTN (a customer). */
  async answer(): Promise<void> {
    await this.line.telephony.answer(this.channelId);
  }

  /** Rejects a ringing call as busy (a customer who is on another call). */
  async reject(): Promise<void> {
    await this.line.telephony.hangup(this.channelId, 'busy');
  }

  async hangup(): Promise<void> {
    try {
      await this.line.telephony.hangup(this.channelId);
    } catch (err) {
      if (!isChannelGone(err)) throw err;
    }
  }

  /** Resolves when the far end (the daemon) hung up on us. */
  async ended(timeoutMs = 15_000): Promise<void> {
    await this.line.recorder.waitFor((e) => (e.type === 'call-left' || e.type === 'hangup') && e.channelId === this.channelId, {
      timeoutMs,
      what: `end of test call ${this.channelId}`,
    });
  }
}

export class TestLine {
  readonly connection: AriConnection;
  readonly telephony: AriTelephony;
  readonly recorder: EventRecorder;

  /** Index of the first event of the current test: calls ringing in earlier tests don't count. */
  private testStart = 0;

  /** Call at the start of every test. */
  startTest(): void {
    this.testStart = this.recorder.events.length;
  }

  private constructor() {
    this.connection = new AriConnection({ ...ari, app: TEST_APP, requestTimeoutMs: 5000, log: silentLogger() });
    this.telephony = new AriTelephony(this.connection);
    this.recorder = new EventRecorder(this.telephony);
  }

  static async open(): Promise<TestLine> {
    const line = new TestLine();
    await line.connection.start();
    return line;
  }

  /** Dials `did` from `callerId` over the SIP loop trunk; resolves once the daemon answered. */
  async call(did: string, callerId: string, opts: { presentation?: string } = {}): Promise<TestCall> {
    const placed = await this.dial(did, callerId, opts);
    await placed.answered();
    return placed.call;
  }

  /** Dials without waiting for the answer (a call placed while no daemon listens): `answered()` waits. */
  async dial(
    did: string,
    callerId: string,
    opts: { presentation?: string; timeoutSeconds?: number } = {},
  ): Promise<{ call: TestCall; answered: (timeoutMs?: number) => Promise<void> }> {
    const channelId = randomUUID();
    const from = this.recorder.events.length;
    await this.telephony.originate({
      endpoint: `PJSIP/${did}@loop`,
      callerId,
      app: TEST_APP,
      appArgs: ['caller'],
      channelId,
      timeoutSeconds: opts.timeoutSeconds ?? 15,
      // e.g. 'prohib': the number is sent, marked as withheld (SIP Privacy: id), as carriers do.
      variables: opts.presentation ? { 'CALLERID(pres)': opts.presentation, 'CONNECTEDLINE(pres)': opts.presentation } : undefined,
    });
    const answered = async (timeoutMs?: number) => {
      await this.recorder.waitFor((e) => e.type === 'call-entered' && e.channelId === channelId, {
        from,
        timeoutMs,
        what: `answer of call ${callerId} → ${did}`,
      });
    };
    return { call: new TestCall(channelId, this), answered };
  }

  /**
   * Waits for a call to a number on the simulated PSTN (a customer being called back: from-trunk hands
   * it to this app with args customer,<number>). Returns it still ringing, with the caller ID it arrived
   * with. (Agents' phones are real SIP phones: see sip-phone.ts.)
   */
  async ringing(kind: 'customer', id: string, opts: { from?: number; timeoutMs?: number } = {}): Promise<TestCall & { callerId: string }> {
    const { event } = await this.recorder.waitFor(
      (e: TelephonyEvent): e is CallEntered => e.type === 'call-entered' && e.args[0] === kind && e.args[1] === id,
      { from: opts.from ?? this.testStart, timeoutMs: opts.timeoutMs ?? 20_000, what: `${kind} ${id} ringing` },
    );
    return Object.assign(new TestCall(event.channelId, this), { callerId: event.callerId });
  }

  /** Hangs up every channel still up in Asterisk, so one test cannot leak calls into the next. */
  async hangupAll(): Promise<void> {
    for (const c of await this.telephony.listChannels()) {
      await this.telephony.hangup(c.id).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.connection.stop();
    this.recorder.stop();
  }
}
