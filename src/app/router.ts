// Routes telephony events to whoever owns the channel. A session attaches each channel it owns (its
// caller's, or a leg it is about to dial: attached before the dial, so the answer can never arrive
// first); a channel entering our app that nobody owns goes to `inbound`. Handlers are forgotten when
// their channel is destroyed or leaves our app — a leg we dialled stays attached past leaving, because
// only its destroy event says why it ended (no answer, busy, no route) — so nothing outlives its call.
import type { Logger } from '../log';
import type { CallEntered, ChannelInfo, Telephony, TelephonyEvent } from './telephony';

export interface ChannelHandler {
  handle(event: TelephonyEvent): void | Promise<void>;
}

export type InboundHandler = (entered: CallEntered) => void | Promise<void>;

export class CallRouter {
  private readonly handlers = new Map<string, ChannelHandler>();
  /** Channels whose handler needs the destroy event (dialled legs). */
  private readonly untilDestroyed = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  /** Handlers still running; stop() lets them finish their store writes before the store closes. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly telephony: Telephony,
    private readonly inbound: InboundHandler,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unsubscribe ??= this.telephony.on((event) => {
      const work = this.route(event).catch((err: unknown) => {
        const channelId = 'channelId' in event ? event.channelId : undefined;
        this.log.error('call event handler failed', { eventType: event.type, callId: channelId, channelId, error: (err as Error).message });
      });
      this.running.add(work);
      void work.finally(() => this.running.delete(work));
      return work;
    });
  }

  /** Stops taking events and waits (bounded) for the handlers already running. Idempotent. */
  async stop(graceMs = 2000): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
  }

  get channels(): number {
    return this.handlers.size;
  }

  has(channelId: string): boolean {
    return this.handlers.has(channelId);
  }

  /** `untilDestroyed`: keep routing after the channel left our app, up to its destroy (dialled legs). */
  attach(channelId: string, handler: ChannelHandler, opts: { untilDestroyed?: boolean } = {}): void {
    this.handlers.set(channelId, handler);
    if (opts.untilDestroyed) this.untilDestroyed.add(channelId);
  }

  detach(channelId: string): void {
    this.handlers.delete(channelId);
    this.untilDestroyed.delete(channelId);
  }

  /** Channels we own that are not in `alive` (they ended while we could not hear it): their handlers
   *  get the ending they missed. Returns how many. */
  async endMissing(alive: ReadonlySet<string>): Promise<number> {
    let ended = 0;
    for (const [channelId, handler] of [...this.handlers]) {
      if (alive.has(channelId)) continue;
      ended++;
      this.detach(channelId);
      this.log.info('call ended while events were not reaching us', { callId: channelId, channelId });
      await handler.handle({ type: 'channel-destroyed', channelId, cause: 0, causeText: 'ended while the ARI connection was down' });
    }
    return ended;
  }

  /**
   * Channels in our app that nobody owns once recovery is done: they entered while events were not
   * reaching us (their StasisStart went into a socket that was dropped, or came during a reconnect
   * window) and would otherwise ring until the caller gives up. Each is handled as if it had just
   * entered — a caller is answered and queued as a new caller, an orphan leg of ours hung up, a feature
   * code run. `known` says which channels recovery has already dealt with (a row names them: it adopted
   * them or hung them up). Returns how many were admitted.
   */
  async admitUnowned(channels: readonly ChannelInfo[], app: string, known: (channelId: string) => Promise<boolean>): Promise<number> {
    let admitted = 0;
    for (const c of channels) {
      if (this.handlers.has(c.id) || c.app.toLowerCase() !== 'stasis') continue;
      const [name, ...args] = c.appData.split(',');
      if (name !== app || (await known(c.id))) continue;
      admitted++;
      this.log.warn('a channel entered our app while we could not hear it; handling it now', {
        callId: c.id,
        channelId: c.id,
        args: args.join(','),
      });
      const entered: CallEntered = {
        type: 'call-entered',
        channelId: c.id,
        args,
        callerId: c.callerId,
        callerName: '',
        dialed: c.dialed,
        endpoint: c.endpoint ?? null,
        state: c.state,
      };
      // One failing channel must not keep the others unanswered.
      await Promise.resolve()
        .then(() => this.inbound(entered))
        .catch((err: unknown) =>
          this.log.error('call event handler failed', {
            eventType: 'call-entered',
            callId: c.id,
            channelId: c.id,
            error: (err as Error).message,
          }),
        );
    }
    return admitted;
  }

  private async route(event: TelephonyEvent): Promise<void> {
    if (!('channelId' in event)) return;
    const handler = this.handlers.get(event.channelId);
    if (event.type === 'call-entered' && !handler) return this.inbound(event);
    if (!handler) return;
    if (event.type === 'channel-destroyed' || (event.type === 'call-left' && !this.untilDestroyed.has(event.channelId)))
      this.detach(event.channelId);
    await handler.handle(event);
  }
}
