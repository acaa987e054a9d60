// The callers feature: every inbound caller's session, keyed by queue entry, plus what happens to
// callers across a restart or an ARI outage (recover). Other features reach a caller only through
// `take()` (an agent answered for them) and the 'caller-ended' event.
import { randomUUID } from 'node:crypto';
import type { NumberConfig, QueueConfig, QueueEntry } from '../../domain/model';
import { callLogger } from '../../log';
import { Announcement } from '../announcement';
import type { DirectoryStore, Store } from '../ports';
import type { CallRouter } from '../router';
import type { ChannelInfo } from '../telephony';
import { CallerSession, type CallerCall, type CallerDeps } from './caller-session';
import { callerCall } from './inbound';

export interface CallersFeatureDeps extends CallerDeps {
  store: Pick<Store, 'callers' | 'directory'>;
  router: CallRouter;
  /** Our ARI application name: channels whose Stasis data starts with it are ours. */
  app: string;
}

/** What delivery may ask of a waiting caller. */
export interface CallerDirectory {
  /** An agent answered for this entry: the caller stops hearing menus. Undefined when the caller can no
   *  longer be connected (gone, or became a callback slot). */
  take(entryId: string): Promise<{ channelId: string } | undefined>;
}

export class CallersFeature implements CallerDirectory {
  private readonly byEntry = new Map<string, CallerSession>();

  constructor(private readonly deps: CallersFeatureDeps) {
    deps.events.on('caller-ended', ({ entryId }) => this.byEntry.delete(entryId));
  }

  get active(): number {
    return this.byEntry.size;
  }

  /** Whether this entry's caller is on the line in this process. */
  has(entryId: string): boolean {
    return this.byEntry.has(entryId);
  }

  /** A new caller on a served number (from inbound routing). */
  async startCaller(call: CallerCall): Promise<void> {
    const session = this.add(call, randomUUID());
    await session.begin();
  }

  async take(entryId: string): Promise<{ channelId: string } | undefined> {
    const session = this.byEntry.get(entryId);
    if (!session) return undefined;
    return (await session.takeForAgent()) ? { channelId: session.channelId } : undefined;
  }

  /**
   * After a restart or an ARI outage: callers still on the line whose place is waiting are re-adopted
   * at that place; waiting places whose call is gone are closed; callers of ours found on the line whose
   * request is already stored (killed mid-confirmation) hear the confirmation again and are hung up.
   * Returns the channels it took care of.
   */
  async recover(channels: readonly ChannelInfo[]): Promise<{ adopted: number; gone: number; confirmed: number }> {
    const { store, router, clock, log } = this.deps;
    const alive = new Map(channels.map((c) => [c.id, c]));
    let adopted = 0;
    let gone = 0;
    let confirmed = 0;
    for (const entry of await store.callers.waitingLive()) {
      if (entry.channelId && router.has(entry.channelId)) continue; // ours already
      const found = await this.numberAndQueue(entry.did);
      if (!entry.channelId || !alive.has(entry.channelId) || !found) {
        await store.callers.leave(entry.id, clock.now(), 'abandoned');
        gone++;
        continue;
      }
      const session = this.add(await this.callOf(entry.channelId, entry.callerId, found.number, found.queue), entry.id);
      await session.resume(entry);
      adopted++;
    }
    for (const channel of channels) {
      if (router.has(channel.id) || !this.isCallerOfOurs(channel)) continue;
      const entry = await store.callers.entryByChannel(channel.id);
      if (!entry || entry.kind !== 'callback') continue;
      // The request is stored; the caller may not have heard so. Say it again, then end the call.
      await this.confirmAgain(channel.id, entry);
      confirmed++;
    }
    if (adopted + gone + confirmed > 0) log.info('callers found after the restart', { adopted, gone, confirmed });
    return { adopted, gone, confirmed };
  }

  /** Inbound channels of our app (Stasis(<app>,<DID>)), as opposed to legs we dialled. */
  private isCallerOfOurs(channel: ChannelInfo): boolean {
    return channel.app.toLowerCase() === 'stasis' && channel.appData.split(',')[0] === this.deps.app;
  }

  private async confirmAgain(channelId: string, entry: QueueEntry): Promise<void> {
    const { telephony, router, log, media, store } = this.deps;
    const callLog = callLogger(log, entry.id, channelId);
    const number = await store.directory.number(entry.did);
    const language = entry.language ?? (await media.languageFor(number));
    const a = new Announcement(channelId, telephony, callLog, this.deps.leg);
    router.attach(channelId, a);
    callLog.info('caller found on the line after the restart with the request stored: confirming again');
    void a.say(await media.mediaList([{ kind: 'greeting', which: 'confirmation' }], language, number), { answer: false });
  }

  private add(call: CallerCall, entryId: string): CallerSession {
    const session = new CallerSession(call, entryId, this.deps);
    this.byEntry.set(entryId, session);
    this.deps.router.attach(call.channelId, session);
    return session;
  }

  private async numberAndQueue(did: string): Promise<{ number: NumberConfig; queue: QueueConfig } | undefined> {
    const directory: DirectoryStore = this.deps.store.directory;
    const number = await directory.number(did);
    const queue = number ? await directory.queue(number.queue) : undefined;
    return number && queue ? { number, queue } : undefined;
  }

  private callOf(channelId: string, callerId: string | null, number: NumberConfig, queue: QueueConfig): Promise<CallerCall> {
    const { store, media } = this.deps;
    return callerCall({ directory: store.directory, media }, { channelId, callId: randomUUID(), callerId, number, queue });
  }
}
