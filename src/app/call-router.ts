// Routes telephony events to the session that owns the channel. Sessions are created on call-entered
// and forgotten on call-left, so nothing outlives its call.
import type { Logger } from '../log';
import type { CallEntered, Telephony, TelephonyEvent } from './telephony';

export interface CallSession {
  readonly channelId: string;
  handle(event: TelephonyEvent): void | Promise<void>;
  /** Called once per channel of this session when it left our app (hung up or moved on). */
  ended(channelId: string): void | Promise<void>;
}

export type SessionFactory = (entered: CallEntered) => CallSession | undefined;

export class CallRouter {
  private readonly sessions = new Map<string, CallSession>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly telephony: Telephony,
    private readonly factory: SessionFactory,
    private readonly log: Logger,
  ) {}

  /** Handlers still running; stop() lets them finish their store writes before the store closes. */
  private readonly running = new Set<Promise<void>>();

  start(): void {
    this.unsubscribe = this.telephony.on((event) => {
      const work = this.route(event);
      this.running.add(work);
      void work.finally(() => this.running.delete(work)).catch(() => undefined);
      return work;
    });
  }

  /** Stops taking events and waits (bounded) for the handlers already running. */
  async stop(graceMs = 2000): Promise<void> {
    this.unsubscribe?.();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
  }

  get activeCalls(): number {
    return this.sessions.size;
  }

  has(channelId: string): boolean {
    return this.sessions.has(channelId);
  }

  get(channelId: string): CallSession | undefined {
    return this.sessions.get(channelId);
  }

  /** Routes a channel we are about to originate to an existing session (agent or customer leg). */
  attach(channelId: string, session: CallSession): void {
    this.sessions.set(channelId, session);
  }

  detach(channelId: string): void {
    this.sessions.delete(channelId);
  }

  private async route(event: TelephonyEvent): Promise<void> {
    if (event.type === 'playback-finished' && event.failed) {
      // Usually a missing sound file: the call goes on (silence), but the sysadmin must hear of it.
      this.log.warn('prompt could not be played', { callId: event.channelId, channelId: event.channelId, media: event.media });
    }
    if (event.type === 'call-entered') {
      const attached = this.sessions.get(event.channelId);
      if (attached) return attached.handle(event); // an originated leg we are expecting
      const session = this.factory(event);
      if (!session) return;
      this.sessions.set(event.channelId, session);
      await session.handle(event);
      return;
    }
    if (!('channelId' in event)) return;
    const session = this.sessions.get(event.channelId);
    if (!session) return;
    if (event.type === 'call-left') {
      this.sessions.delete(event.channelId);
      await session.ended(event.channelId);
      return;
    }
    if (event.type === 'channel-destroyed') {
      // An originated leg that never answered never entered Stasis: this is its only ending.
      this.sessions.delete(event.channelId);
    }
    await session.handle(event);
  }

  /** After an ARI outage: channels that vanished while we were deaf are ended now. */
  async reconcile(liveChannelIds: ReadonlySet<string>): Promise<number> {
    let ended = 0;
    for (const [id, session] of [...this.sessions]) {
      if (liveChannelIds.has(id)) continue;
      this.sessions.delete(id);
      ended++;
      this.log.info('call ended during ARI outage', { callId: id, channelId: id });
      await session.ended(id);
    }
    return ended;
  }
}
