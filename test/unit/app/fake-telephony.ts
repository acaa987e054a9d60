// An in-memory PBX behind the Telephony port (src/app/telephony.ts), for unit tests of src/app. It
// models what the call flows rely on from Asterisk, no more:
// - every request is recorded (in order, with its outcome) and answered asynchronously like ARI: the
//   events a request causes (channel-state Up after answer, the hangup sequence after hangup, playback
//   events) arrive on a later turn of the event loop, never inside the request;
// - channels and bridges are kept, so listChannels/listBridges and "gone" answers reflect them: a
//   request on a channel, playback or bridge that no longer exists fails with CHANNEL_GONE (ARI's 404);
//   `failNext` makes the next matching request fail with any TelephonyError code;
// - prompts: by default a playback starts and finishes by itself ('finish'); 'start' leaves finishing
//   to the test, 'fail' reports it failed (a missing sound file), 'silent' never reports anything;
// - dialled legs are created in our app (call-entered), ring, and are destroyed with cause 19 after
//   their ring time (fake timers) unless the test answers them (channel-state Up) or ends them;
// - a party hanging up produces Asterisk's order: hangup, (playback failed), call-left, channel-destroyed.
import {
  TelephonyError,
  type BridgeInfo,
  type ChannelInfo,
  type DialRequest,
  type Telephony,
  type TelephonyErrorCode,
  type TelephonyEvent,
  type TelephonyListener,
} from '../../../src/app/telephony';

export type PlayMode = 'finish' | 'start' | 'fail' | 'silent';

export interface FakeChannel extends ChannelInfo {
  endpoint: string | null;
  moh: boolean;
  /** Set for legs we dialled. */
  dial?: DialRequest;
  ringTimer?: ReturnType<typeof setTimeout>;
}

export interface FakePlayback {
  id: string;
  channelId: string;
  media: string[];
  state: 'queued' | 'playing' | 'done' | 'failed' | 'stopped';
}

export interface FakeRequest {
  op: Exclude<keyof Telephony, 'on' | 'connected' | 'outages'>;
  channelId?: string;
  playbackId?: string;
  media?: string[];
  bridgeId?: string;
  channelIds?: string[];
  dial?: DialRequest;
  detail?: string;
  /** Set when the request was refused. */
  failed?: TelephonyErrorCode;
}

const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'No answer',
  21: 'Call Rejected',
  34: 'Circuit/channel congestion',
};
const HANGUP_CAUSE = { normal: 16, busy: 17, congestion: 34, no_answer: 19 } as const;

export class FakeTelephony implements Telephony {
  connected = true;
  /** Times the test cut the event connection (with `connected`: events meanwhile count as lost). */
  outages = 0;
  readonly requests: FakeRequest[] = [];
  private readonly heldOps = new Set<FakeRequest['op']>();
  private readonly heldWaiters: Array<() => void> = [];
  readonly channels = new Map<string, FakeChannel>();
  readonly bridges = new Map<string, Set<string>>();
  readonly playbacks: FakePlayback[] = [];
  playMode: PlayMode = 'finish';
  /** Per-prompt override: the first rule whose text occurs in the media wins. */
  private readonly playRules: Array<{ match: string; mode: PlayMode }> = [];
  /** dialplanHas answers this (default: every extension exists). */
  routeExists: (context: string, extension: string) => boolean = () => true;
  readonly endpoints = new Map<string, string>();
  /** Called synchronously as a request arrives (to look at the store at that very moment). */
  onRequest: ((request: FakeRequest) => void) | undefined;
  private readonly failures: Array<{ op: FakeRequest['op']; code: TelephonyErrorCode; channelId?: string }> = [];
  private readonly listeners = new Set<TelephonyListener>();
  /** Listener failures (the port promises to catch and log them; the router does). */
  readonly listenerErrors: unknown[] = [];
  private pending = 0;
  private closed = false;
  private seq = 0;

  constructor(private readonly app = 'callbackd') {}

  // ---- the port ------------------------------------------------------------------------------------

  on(listener: TelephonyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  answer(channelId: string): Promise<void> {
    return this.request({ op: 'answer', channelId }, () => {
      const channel = this.live(channelId);
      channel.state = 'Up';
      this.soon({ type: 'channel-state', channelId, state: 'Up' });
    });
  }

  hangup(channelId: string, reason: keyof typeof HANGUP_CAUSE = 'normal'): Promise<void> {
    return this.request({ op: 'hangup', channelId, detail: reason }, () => {
      this.live(channelId);
      void this.end(channelId, HANGUP_CAUSE[reason], { hangupRequest: true, later: true });
    });
  }

  playbackIdFor(channelId: string): string {
    return `playback-${channelId}-${++this.seq}`;
  }

  play(channelId: string, media: string[], playbackId: string): Promise<void> {
    return this.request({ op: 'play', channelId, media, playbackId }, () => {
      this.live(channelId);
      const playback: FakePlayback = { id: playbackId, channelId, media, state: 'queued' };
      this.playbacks.push(playback);
      const mode = this.playRules.find((r) => media.some((m) => m.includes(r.match)))?.mode ?? this.playMode;
      if (mode === 'silent') return;
      playback.state = 'playing';
      const events: TelephonyEvent[] = [{ type: 'playback-started', channelId, playbackId, media: media.join(',') }];
      if (mode !== 'start') {
        playback.state = mode === 'fail' ? 'failed' : 'done';
        events.push({ type: 'playback-finished', channelId, playbackId, media: media.join(','), failed: mode === 'fail' });
      }
      this.soon(...events);
    });
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.request({ op: 'stopPlayback', playbackId }, () => {
      const playback = this.playbacks.find((p) => p.id === playbackId && (p.state === 'queued' || p.state === 'playing'));
      if (!playback || !this.channels.has(playback.channelId)) throw gone(`playback ${playbackId} not found`);
      playback.state = 'stopped';
      const { channelId, media } = playback;
      this.soon({ type: 'playback-finished', channelId, playbackId, media: media.join(','), failed: false });
    });
  }

  startMoh(channelId: string, mohClass?: string): Promise<void> {
    return this.request({ op: 'startMoh', channelId, detail: mohClass }, () => void (this.live(channelId).moh = true));
  }

  stopMoh(channelId: string): Promise<void> {
    return this.request({ op: 'stopMoh', channelId }, () => void (this.live(channelId).moh = false));
  }

  dial(req: DialRequest): Promise<void> {
    return this.request({ op: 'dial', channelId: req.channelId, dial: req }, () => {
      const channel = this.addChannel({
        id: req.channelId,
        state: 'Down',
        callerId: req.callerId ?? '',
        appData: [req.app, ...req.appArgs].join(','),
        endpoint: req.endpoint,
      });
      channel.dial = req;
      // Asterisk gives up after the ring time: the channel is destroyed with cause 19.
      channel.ringTimer = setTimeout(() => void this.noAnswer(req.channelId, 19), req.timeoutSeconds * 1000);
      this.soon(entered(channel, req.appArgs), { type: 'channel-state', channelId: req.channelId, state: 'Ringing' });
      channel.state = 'Ringing';
    });
  }

  listChannels(): Promise<ChannelInfo[]> {
    return this.request({ op: 'listChannels' }, () => [...this.channels.values()].map((c) => ({ ...c })));
  }

  listBridges(): Promise<BridgeInfo[]> {
    return this.request({ op: 'listBridges' }, () => [...this.bridges].map(([id, members]) => ({ id, channelIds: [...members] })));
  }

  getVariable(channelId: string, name: string): Promise<string | undefined> {
    return this.request({ op: 'getVariable', channelId, detail: name }, () => void this.live(channelId));
  }

  dialplanHas(context: string, extension: string): Promise<boolean> {
    return this.request({ op: 'dialplanHas', detail: `${extension}@${context}` }, () => this.routeExists(context, extension));
  }

  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void> {
    return this.request({ op: 'continueInDialplan', channelId, detail: `${context},${extension},${priority}` }, () => {
      const channel = this.live(channelId);
      channel.app = 'Dial';
      channel.appData = '';
      this.soon({ type: 'call-left', channelId });
    });
  }

  createBridge(bridgeId: string): Promise<void> {
    return this.request({ op: 'createBridge', bridgeId }, () => {
      if (this.bridges.has(bridgeId)) throw new TelephonyError('TELEPHONY_FAILED', `bridge ${bridgeId} exists`);
      this.bridges.set(bridgeId, new Set());
    });
  }

  addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.request({ op: 'addToBridge', bridgeId, channelIds }, () => {
      const bridge = this.bridges.get(bridgeId);
      if (!bridge) throw gone(`bridge ${bridgeId} not found`);
      for (const id of channelIds) this.live(id);
      for (const id of channelIds) bridge.add(id);
    });
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.request({ op: 'destroyBridge', bridgeId }, () => {
      if (!this.bridges.delete(bridgeId)) throw gone(`bridge ${bridgeId} not found`);
    });
  }

  endpointStates(): Promise<Array<{ endpoint: string; state: string }>> {
    return this.request({ op: 'endpointStates' }, () => [...this.endpoints].map(([endpoint, state]) => ({ endpoint, state })));
  }

  // ---- arranging -----------------------------------------------------------------------------------

  /** The next `op` request (on `channelId`, if given) fails with `code`. */
  failNext(op: FakeRequest['op'], code: TelephonyErrorCode = 'TELEPHONY_FAILED', channelId?: string): void {
    this.failures.push({ op, code, channelId });
  }

  /** Prompts whose media contain `match` behave as `mode` (e.g. 'welcome' → 'fail'). */
  whenPlaying(match: string, mode: PlayMode): void {
    this.playRules.unshift({ match, mode });
  }

  /** A channel that exists without any event (a call already there when the daemon starts). */
  addChannel(c: Partial<FakeChannel> & { id: string }): FakeChannel {
    const channel: FakeChannel = {
      state: 'Up',
      callerId: '',
      dialed: '',
      createdAt: Date.now(),
      app: 'Stasis',
      appData: this.app,
      endpoint: null,
      moh: false,
      ...c,
    };
    if (channel.app === 'Stasis' && !channel.appData.startsWith(this.app)) channel.appData = `${this.app},${channel.appData}`;
    this.channels.set(channel.id, channel);
    return channel;
  }

  // ---- the PBX side, as the test drives it -----------------------------------------------------------

  /** A caller dials `did` and enters Stasis(callbackd,<did>); resolves once the daemon handled it. */
  async call(opts: { did?: string; callerId?: string; args?: string[]; endpoint?: string; channelId?: string } = {}): Promise<string> {
    const id = opts.channelId ?? `caller-${++this.seq}`;
    const args = opts.args ?? [opts.did ?? '+4930123456'];
    const channel = this.addChannel({
      id,
      state: 'Ring',
      callerId: opts.callerId ?? '',
      dialed: args[0] ?? '',
      appData: args.join(','),
      endpoint: opts.endpoint ?? null,
    });
    await this.deliver(entered(channel, args));
    await this.settle();
    return id;
  }

  async press(channelId: string, digits: string): Promise<void> {
    for (const digit of digits) {
      await this.deliver({ type: 'dtmf', channelId, digit, durationMs: 120 });
      await this.settle();
    }
  }

  /** Requests of these kinds are recorded as they arrive but answered only on releaseRequests() (a
   *  slow PBX: the answer is still on its way). */
  holdRequests(...ops: FakeRequest['op'][]): void {
    for (const op of ops) this.heldOps.add(op);
  }

  async releaseRequests(): Promise<void> {
    this.heldOps.clear();
    this.heldWaiters.splice(0).forEach((wake) => wake());
    await this.settle();
  }

  /** All the keys arrive in one turn of the event loop, before the PBX answered any request they cause
   *  (a key storm faster than the round trip to Asterisk); resolves once the daemon handled them. */
  async pressAtOnce(channelId: string, digits: string): Promise<void> {
    await Promise.all([...digits].map((digit) => this.deliver({ type: 'dtmf', channelId, digit, durationMs: 120 })));
    await this.settle();
  }

  /** The current (latest unfinished) playback of a channel starts / finishes (failed: Asterisk could not play it). */
  async startPlayback(channelId: string): Promise<void> {
    const p = this.current(channelId);
    p.state = 'playing';
    await this.deliver({ type: 'playback-started', channelId, playbackId: p.id, media: p.media.join(',') });
    await this.settle();
  }

  async finishPlayback(channelId: string, opts: { failed?: boolean } = {}): Promise<void> {
    const p = this.current(channelId);
    p.state = opts.failed ? 'failed' : 'done';
    await this.deliver({ type: 'playback-finished', channelId, playbackId: p.id, media: p.media.join(','), failed: opts.failed === true });
    await this.settle();
  }

  /** A dialled leg is answered. */
  async answerLeg(channelId: string): Promise<void> {
    const channel = this.live(channelId);
    clearTimeout(channel.ringTimer);
    channel.state = 'Up';
    await this.deliver({ type: 'channel-state', channelId, state: 'Up' });
    await this.settle();
  }

  /** A dialled leg ends unanswered: 19 no answer, 17 busy, 21 rejected, 3 no route, ... */
  async noAnswer(channelId: string, cause = 19): Promise<void> {
    await this.end(channelId, cause, { hangupRequest: false });
    await this.settle();
  }

  /** The party on `channelId` hangs up (the caller, the agent, the customer). */
  async hangUp(channelId: string, cause = 16): Promise<void> {
    await this.end(channelId, cause, { hangupRequest: true });
    await this.settle();
  }

  /** The channel disappears without any event reaching us (events lost in an ARI outage). */
  vanish(channelId: string): void {
    this.forget(channelId);
  }

  /** Lets everything the app started run: events in flight, promise chains, setImmediate rounds. */
  async settle(): Promise<void> {
    for (let round = 0; round < 30 || this.pending > 0; round++) {
      if (round > 10_000) throw new Error('fake telephony: events keep coming, never settles');
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** No more events after the test (pending ones are dropped). */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    for (const c of this.channels.values()) clearTimeout(c.ringTimer);
  }

  // ---- looking ---------------------------------------------------------------------------------------

  /** Requests of one kind (on one channel), in order. */
  ops(op: FakeRequest['op'], channelId?: string): FakeRequest[] {
    return this.requests.filter((r) => r.op === op && (channelId === undefined || r.channelId === channelId) && !r.failed);
  }

  /** Prompt names played on a channel, e.g. ['welcome', 'offer'] (one entry per playback). */
  prompts(channelId: string): string[] {
    return this.ops('play', channelId).map((r) => r.media!.map((m) => m.replace(/^sound:(callbackd\/[a-z-]+\/)?/, '')).join('+'));
  }

  get dials(): DialRequest[] {
    return this.ops('dial').map((r) => r.dial!);
  }

  // ---- internals -------------------------------------------------------------------------------------

  private async request<T>(r: FakeRequest, run: () => T): Promise<T> {
    await Promise.resolve(); // a request is answered asynchronously, like a REST call
    this.requests.push(r);
    this.onRequest?.(r);
    if (this.heldOps.has(r.op)) await new Promise<void>((resolve) => this.heldWaiters.push(resolve));
    const i = this.failures.findIndex((f) => f.op === r.op && (f.channelId === undefined || f.channelId === r.channelId));
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      r.failed = f.code;
      throw new TelephonyError(f.code, `${r.op}: refused by the fake PBX`);
    }
    try {
      return run();
    } catch (err) {
      if (err instanceof TelephonyError) r.failed = err.code;
      throw err;
    }
  }

  private live(channelId: string): FakeChannel {
    const channel = this.channels.get(channelId);
    if (!channel) throw gone(`channel ${channelId} not found`);
    return channel;
  }

  private current(channelId: string): FakePlayback {
    const p = [...this.playbacks].reverse().find((x) => x.channelId === channelId && (x.state === 'queued' || x.state === 'playing'));
    if (!p) throw new Error(`fake telephony: no playback running on ${channelId}`);
    return p;
  }

  private forget(channelId: string): FakeChannel | undefined {
    const channel = this.channels.get(channelId);
    if (!channel) return undefined;
    clearTimeout(channel.ringTimer);
    this.channels.delete(channelId);
    for (const members of this.bridges.values()) members.delete(channelId);
    return channel;
  }

  /** Ends a channel with Asterisk's event order. `later`: as the result of our own request. */
  private end(channelId: string, cause: number, opts: { hangupRequest: boolean; later?: boolean }): Promise<void> {
    const channel = this.forget(channelId);
    if (!channel) return Promise.resolve();
    const events: TelephonyEvent[] = [];
    if (opts.hangupRequest) events.push({ type: 'hangup', channelId, cause });
    for (const p of this.playbacks.filter((x) => x.channelId === channelId && (x.state === 'queued' || x.state === 'playing'))) {
      p.state = 'failed';
      events.push({ type: 'playback-finished', channelId, playbackId: p.id, media: p.media.join(','), failed: true });
    }
    if (channel.app === 'Stasis') events.push({ type: 'call-left', channelId });
    events.push({ type: 'channel-destroyed', channelId, cause, causeText: CAUSE_TEXT[cause] ?? '' });
    if (opts.later) {
      this.soon(...events);
      return Promise.resolve();
    }
    return this.deliverAll(events);
  }

  /** Events a request caused: on a later turn of the event loop, in order. */
  private soon(...events: TelephonyEvent[]): void {
    this.pending++;
    setImmediate(() => void this.deliverAll(events).finally(() => this.pending--));
  }

  private async deliverAll(events: TelephonyEvent[]): Promise<void> {
    for (const event of events) await this.deliver(event);
  }

  /** Like ARI's websocket: events are handed over in order, without waiting for what handlers do. */
  private async deliver(event: TelephonyEvent): Promise<void> {
    if (this.closed) return;
    for (const listener of this.listeners) {
      void Promise.resolve(listener(event)).catch((err: unknown) => this.listenerErrors.push(err));
    }
    await Promise.resolve();
  }
}

/** StasisStart of a channel: a caller dialling in, or a leg we created in our app. */
function entered(c: FakeChannel, args: string[]): TelephonyEvent {
  const { id: channelId, callerId, dialed, endpoint, state } = c;
  return { type: 'call-entered', channelId, args, callerId, callerName: '', dialed, endpoint, state };
}

function gone(what: string): TelephonyError {
  return new TelephonyError('CHANNEL_GONE', what);
}
