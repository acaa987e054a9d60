// Routes telephony events to the session that owns the channel. Sessions are created on call-entered
// and forgotten on call-left, so nothing outlives its call.
import type { Logger } from '../log';
import type { CallEntered, Telephony, TelephonyEvent } from './telephony';

export interface CallSession {
  readonly channelId: string;
  handle(event: TelephonyEvent): void | Promise<void>;
  /** Called once when the channel left our app (hung up or moved on). */
  ended(): void | Promise<void>;
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

  start(): void {
    this.unsubscribe = this.telephony.on((event) => this.route(event));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  get activeCalls(): number {
    return this.sessions.size;
  }

  has(channelId: string): boolean {
    return this.sessions.has(channelId);
  }

  private async route(event: TelephonyEvent): Promise<void> {
    if (event.type === 'call-entered') {
      if (this.sessions.has(event.channelId)) return;
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
      await session.ended();
      return;
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
      await session.ended();
    }
    return ended;
  }
}
