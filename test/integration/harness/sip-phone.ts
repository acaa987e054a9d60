// Real SIP phones for the tests (one headless baresip each, see baresip.ts), with the API a test reads:
//
//   const phone = await SipPhone.agent('1001');          // registers with username/password
//   const call = await phone.waitForCall({ callerId: '+4915112345702' });
//   await call.answer(); await call.press('1'); await call.hangup(); await call.ended();
//   await phone.unregister(); await phone.register();
//   const login = await phone.dial('*45');                // feature code; login.ended() after the prompt
//   const caller = await SipPhone.caller('+4915112345799'); // unregistered UA on the "PSTN" side
//   const c = await caller.dial(DID_EN); await c.established();
//   await phone.stop();                                   // always; stopAllPhones() in afterEach
import { Baresip, type BaresipEvent } from './baresip';

/** The sandbox's SIP address (asterisk-config/sandbox/pjsip.conf, transport-loopback). */
export const SIP_SERVER = '127.0.0.1:5062';

/** Registration passwords of the sandbox's agent phones (asterisk-config/sandbox/pjsip.conf). */
export const AGENT_PASSWORDS: Readonly<Record<string, string>> = { '1001': 'sandbox-1001', '1002': 'sandbox-1002' };

export type CallState = 'ringing' | 'established' | 'closed';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The user part of a SIP URI: the number of the other side ("sip:+4915…@127.0.0.1" → "+4915…"). */
export function uriUser(uri: string): string {
  const m = /^sips?:([^@;>]*)@/.exec(uri);
  return m ? decodeURIComponent(m[1]) : uri;
}

export class PhoneCall {
  /** baresip's call id (the SIP Call-ID); known once the call exists on the wire. */
  id: string | undefined;
  state: CallState = 'ringing';
  /** Why it ended, as baresip says it ("Connection reset by peer", "486 Busy Here", …). */
  closeReason: string | undefined;
  /** Keys the other side sent us as RFC 4733 events. */
  readonly received: string[] = [];

  constructor(
    private readonly phone: SipPhone,
    readonly direction: 'incoming' | 'outgoing',
    /** The other side's number: the caller ID of an incoming call, the dialled target of an outgoing one. */
    readonly callerId: string,
    id?: string,
  ) {
    this.id = id;
  }

  /** Picks up a ringing incoming call; resolves when it is up. */
  async answer(timeoutMs = 5000): Promise<void> {
    if (this.direction !== 'incoming') throw new Error('only an incoming call can be answered');
    await this.phone.control('accept');
    await this.established(timeoutMs);
  }

  /** Keys pressed one at a time, like a person would, each sent as an RFC 4733 event. */
  async press(keys: string, gapMs = 200): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(keys)) throw new Error(`not phone keys: '${keys}'`);
    for (const key of keys) {
      if (this.state === 'closed') throw new Error(`cannot press ${key}: the call with ${this.callerId} has ended (${this.closeReason})`);
      await this.phone.control('sndcode', key);
      await sleep(gapMs);
    }
  }

  /** Hangs up (or rejects, while it rings); resolves when the call is gone. */
  async hangup(): Promise<void> {
    if (this.state === 'closed') return;
    await this.phone.control('hangup').catch(() => undefined);
    await this.ended();
  }

  /** Resolves when the call is up (an outgoing call answered by Asterisk). */
  async established(timeoutMs = 15_000): Promise<void> {
    await this.phone.until(() => this.state !== 'ringing', timeoutMs, `call with ${this.callerId} to come up`);
    if (this.state === 'closed') throw new Error(`call with ${this.callerId} ended before it came up: ${this.closeReason}`);
  }

  /** Resolves with the reason once the call has ended (the far end hung up, or we did). */
  async ended(timeoutMs = 15_000): Promise<string> {
    await this.phone.until(() => this.state === 'closed', timeoutMs, `end of the call with ${this.callerId}`);
    return this.closeReason ?? '';
  }

  /** @internal baresip's events for this call. */
  update(e: BaresipEvent): void {
    if (e.type === 'CALL_ESTABLISHED' && this.state === 'ringing') this.state = 'established';
    else if (e.type === 'CALL_CLOSED') {
      this.state = 'closed';
      this.closeReason = e.param;
    } else if (e.type === 'CALL_DTMF_START' && e.param) this.received.push(e.param);
  }
}

export interface SipPhoneOptions {
  /** SIP user: an agent extension ("1001") or, for a caller, the number it calls from ("+4915…"). */
  user: string;
  /** With a password the phone registers (an agent phone); without, it only places calls. */
  password?: string;
  server?: string;
  /** Safety net for tests: baresip quits by itself after this long even if nobody stops it. */
  maxLifetimeSeconds?: number;
  maxCallSeconds?: number;
  /** Audio codec: 'g711' (default) or 'g722', a wideband (HD voice) phone. */
  codec?: 'g711' | 'g722';
  onEvent?: (e: BaresipEvent) => void;
}

export class SipPhone {
  private readonly calls: PhoneCall[] = [];
  /** Incoming calls not yet handed out by waitForCall. */
  private readonly unclaimed: PhoneCall[] = [];
  private readonly wakers = new Set<() => void>();
  private lastRegistration: BaresipEvent | undefined;
  private registered = false;

  private constructor(
    private readonly baresip: Baresip,
    readonly opts: SipPhoneOptions,
  ) {
    baresip.on((e) => this.onEvent(e));
  }

  /** Starts the phone; an agent phone (with password) is registered when this resolves. */
  static async start(opts: SipPhoneOptions): Promise<SipPhone> {
    const { maxLifetimeSeconds, maxCallSeconds, codec, onEvent } = opts;
    const phone = new SipPhone(await Baresip.start({ maxLifetimeSeconds, maxCallSeconds, codec, onEvent }), opts);
    phones.add(phone);
    try {
      if (opts.password === undefined) await phone.control('uanew', phone.accountLine(0));
      else await phone.register();
    } catch (err) {
      await phone.stop();
      throw err;
    }
    return phone;
  }

  /** One of the sandbox's agent phones, registered. */
  static agent(extension: string, opts: Partial<SipPhoneOptions> = {}): Promise<SipPhone> {
    const password = AGENT_PASSWORDS[extension];
    if (password === undefined) throw new Error(`no agent phone ${extension} in the sandbox`);
    return SipPhone.start({ user: extension, password, maxLifetimeSeconds: 900, ...opts });
  }

  /** A caller on the PSTN side: calls from 127.0.0.1 that are not an agent's arrive over the loop trunk. */
  static caller(number: string, opts: Partial<SipPhoneOptions> = {}): Promise<SipPhone> {
    return SipPhone.start({ user: number, maxLifetimeSeconds: 900, ...opts });
  }

  get aor(): string {
    return `sip:${this.opts.user}@${this.opts.server ?? SIP_SERVER}`;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  private accountLine(regint: number): string {
    const pass = this.opts.password === undefined ? '' : `;auth_pass=${this.opts.password}`;
    return `<${this.aor}>${pass};regint=${regint}`;
  }

  /** REGISTERs with the server (username + password); resolves on 200 OK, rejects on a failure. */
  async register(timeoutMs = 5000): Promise<void> {
    if (this.opts.password === undefined) throw new Error(`phone ${this.opts.user} has no password to register with`);
    if (this.registered) return;
    this.lastRegistration = undefined;
    await this.control('uanew', this.accountLine(120));
    await this.until(() => this.lastRegistration !== undefined, timeoutMs, `registration of ${this.opts.user}`);
    const r = this.lastRegistration!;
    if (r.type !== 'REGISTER_OK') throw new Error(`registration of ${this.opts.user} failed: ${r.param ?? r.type}`);
  }

  /** Removes the registration (REGISTER with Expires: 0), as a phone does when it is switched off. */
  async unregister(): Promise<void> {
    if (!this.registered) return;
    this.lastRegistration = undefined;
    await this.control('uadel', this.aor);
    this.registered = false;
    // The un-REGISTER leaves right away; give Asterisk a moment to apply it before the caller goes on.
    await sleep(200);
  }

  /** Waits for an incoming call (optionally with this caller ID) that no earlier wait returned; it still rings. */
  async waitForCall(opts: { callerId?: string; timeoutMs?: number } = {}): Promise<PhoneCall> {
    const match = () => this.unclaimed.findIndex((c) => opts.callerId === undefined || c.callerId === opts.callerId);
    const what = `phone ${this.opts.user} ringing${opts.callerId ? ` from ${opts.callerId}` : ''}`;
    await this.until(() => match() >= 0, opts.timeoutMs ?? 20_000, what);
    return this.unclaimed.splice(match(), 1)[0];
  }

  /** Places a call: a feature code ("*45"), a number ("+4930123456") or a full SIP URI. */
  async dial(target: string): Promise<PhoneCall> {
    const uri = target.startsWith('sip:') ? target : `sip:${target}@${this.opts.server ?? SIP_SERVER}`;
    const call = new PhoneCall(this, 'outgoing', uriUser(uri));
    this.calls.push(call);
    await this.control('dial', uri);
    return call;
  }

  /** Every call this phone had, in order. */
  get history(): readonly PhoneCall[] {
    return this.calls;
  }

  /** Quits baresip (unregistering first), killing it if it hangs. Safe to call twice. */
  async stop(): Promise<void> {
    phones.delete(this);
    await this.baresip.stop();
    for (const w of this.wakers) w();
  }

  /**
   * The phone vanishes without a word (power cut, cable pulled): no un-REGISTER, no BYE. Asterisk keeps
   * its registration until it expires (aor default_expiration, 120 s in the sandbox) and calls to it go
   * unanswered on the wire.
   */
  async crash(): Promise<void> {
    phones.delete(this);
    await this.baresip.kill();
    for (const w of this.wakers) w();
  }

  /** @internal a menu command for this phone's baresip. */
  control(command: string, params = ''): Promise<string> {
    return this.baresip.command(command, params);
  }

  /** @internal resolves once `done()` holds, re-checked after each event. */
  async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0 || !this.baresip.isRunning) {
        const why = this.baresip.isRunning ? 'timed out' : 'baresip is gone';
        throw new Error(`${why} waiting for ${what}; baresip said: ${this.baresip.recentOutput()}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, Math.min(left, 1000));
        this.wakers.add(wake);
      });
    }
  }

  private onEvent(e: BaresipEvent): void {
    if (e.class === 'register') {
      if (e.type === 'REGISTER_OK') this.registered = true;
      if (e.type === 'REGISTER_OK' || e.type === 'REGISTER_FAIL') this.lastRegistration = e;
    } else if (e.type === 'CALL_INCOMING' && e.id) {
      const call = new PhoneCall(this, 'incoming', uriUser(e.peeruri ?? ''), e.id);
      this.calls.push(call);
      this.unclaimed.push(call);
    } else if (e.id) {
      // An outgoing call gets its id with its first event that carries one.
      const call =
        this.calls.find((c) => c.id === e.id) ??
        (e.direction === 'outgoing' ? this.calls.find((c) => c.direction === 'outgoing' && c.id === undefined) : undefined);
      if (call) {
        call.id ??= e.id;
        call.update(e);
      }
    }
    for (const w of [...this.wakers]) w();
  }
}

/** Phones started and not stopped yet. */
const phones = new Set<SipPhone>();

/** Stops every phone still running (afterEach of the suites, also after a failed test). */
export async function stopAllPhones(): Promise<void> {
  await Promise.all([...phones].map((p) => p.stop()));
}
