// The Telephony port over ARI REST. Every call has a deadline that aborts its request, because
// ari-client's requests never settle when Asterisk goes away, and every failure becomes the port's
// TelephonyError. Requests go through one bounded pool (request-pool.ts), so a storm of them can never
// open more HTTP sessions than Asterisk serves.
import { randomUUID } from 'node:crypto';
import {
  isChannelGone,
  TelephonyError,
  type BridgeInfo,
  type ChannelInfo,
  type DialRequest,
  type Telephony,
  type TelephonyListener,
} from '../app/telephony';
import type { AriConnection } from './connection';
import { endpointOf } from './events';
import { PlaybackTracker } from './playback-resync';
import { translateAriError } from './errors';
import { withAriDeadline } from './request-deadline';
import { AriRequestPool } from './request-pool';

/** A test phone placing a call through ARI (the test harness and the benchmark, not the daemon). */
export interface OriginateRequest {
  endpoint: string;
  callerId?: string;
  app: string;
  appArgs?: string[];
  timeoutSeconds?: number;
  channelId?: string;
  variables?: Record<string, string>;
}

/** Channel variable naming (space-separated) the prompt a daemon process last started on the channel
 *  and the ids it will give the next ones. */
const PLAYBACK_VAR = 'CALLBACKD_PLAYBACK';
/** How many prompt ids each write of PLAYBACK_VAR names in advance. */
const IDS_AHEAD = 4;
/** A dial that finds its just created channel not in the app yet is sent again, after 50, 100, … ms
 *  (about 1.8 s in all). */
const DIAL_TRIES = 9;
const DIAL_RETRY_MS = 50;

export class AriTelephony implements Telephony {
  /**
   * Channels this process dialled or saw enter its app. Any other channel it plays to was taken over
   * from an earlier process (a restart re-adopted it), and a prompt that process started may still be
   * playing there: Asterisk queues new media behind it (a re-read announcement would wait for the old
   * one to end, music on hold too), so the first media request stops it (see takeOver).
   */
  private readonly known = new Set<string>();
  /** Ids already named in a channel's PLAYBACK_VAR for prompts not started yet (see play). */
  private readonly ahead = new Map<string, string[]>();
  /** Prompts whose end has not been heard of: looked up after every reconnect. */
  private readonly playbacks: PlaybackTracker;

  constructor(
    private readonly conn: AriConnection,
    private readonly pool = new AriRequestPool(),
  ) {
    this.playbacks = new PlaybackTracker(
      (playbackId) =>
        this.call('getPlayback', () => this.conn.api.playbacks.get({ playbackId })).then(
          () => true,
          (err: unknown) => (isChannelGone(err) ? false : undefined),
        ),
      (event) => conn.deliver(event),
    );
    conn.on((event) => {
      this.playbacks.observe(event);
      if (event.type === 'connected' && event.reconnect) {
        void this.playbacks.resync().then(
          (ended) =>
            ended > 0 && conn.opts.log.warn('prompts ended while events were lost, resumed from the PBX state', { prompts: ended }),
          () => undefined,
        );
      }
      if (event.type === 'call-entered') this.known.add(event.channelId);
      else if (event.type === 'call-left' || event.type === 'channel-destroyed') {
        this.known.delete(event.channelId);
        this.ahead.delete(event.channelId);
      }
    });
  }

  on(listener: TelephonyListener): () => void {
    return this.conn.on(listener);
  }

  get connected(): boolean {
    return this.conn.isOnline;
  }

  /** Every outage ends in a reconnect (or is still going on: then `connected` is false). */
  get outages(): number {
    return this.conn.reconnects;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const ms = this.conn.opts.requestTimeoutMs;
    const timeout = () => new TelephonyError('TELEPHONY_TIMEOUT', `${operation}: no answer from ARI within ${ms} ms`);
    try {
      // The deadline (queue wait included) destroys the call's HTTP request rather than leaving it open
      // on its socket.
      return await this.pool.run(ms, (remainingMs) => withAriDeadline(remainingMs, run, timeout), {
        timeout,
        busy: () =>
          new TelephonyError(
            'TELEPHONY_BUSY',
            `${operation}: not sent, ${this.pool.queued} ARI requests already waiting behind ${this.pool.inFlight} in flight`,
          ),
      });
    } catch (err) {
      throw translateAriError(operation, err);
    }
  }

  answer(channelId: string): Promise<void> {
    return this.call('answer', () => this.conn.api.channels.answer({ channelId }));
  }

  hangup(channelId: string, reason: 'normal' | 'busy' | 'congestion' | 'no_answer' = 'normal'): Promise<void> {
    return this.call('hangup', () => this.conn.api.channels.hangup({ channelId, reason }));
  }

  playbackIdFor(channelId: string): string {
    return this.ahead.get(channelId)?.[0] ?? randomUUID();
  }

  async play(channelId: string, media: string[], playbackId: string = this.playbackIdFor(channelId)): Promise<void> {
    await this.takeOver(channelId);
    // The id must be on the channel BEFORE the prompt starts, so that a process dying at any moment of
    // it leaves the id for the next one to stop (takeOver). Asterisk runs a channel's setChannelVar only
    // between its prompts, so it cannot follow the play; it would cost a round trip before every
    // prompt — between a caller's key and the answer to it, too. So each write names the next few ids
    // as well, and a prompt whose id is already named starts at once.
    const ahead = this.ahead.get(channelId) ?? [];
    const named = ahead.indexOf(playbackId);
    if (named >= 0) {
      ahead.splice(0, named + 1);
    } else {
      const next = Array.from({ length: IDS_AHEAD }, () => randomUUID());
      // A failure here shows again in the play request; the ids ahead are then not relied on.
      const written = await this.call('setPlaybackVar', () =>
        this.conn.api.channels.setChannelVar({ channelId, variable: PLAYBACK_VAR, value: [playbackId, ...next].join(' ') }),
      ).then(
        () => true,
        () => false,
      );
      this.ahead.set(channelId, written ? next : []);
    }
    this.playbacks.requested(playbackId, channelId);
    try {
      await this.call('play', () => this.conn.api.channels.play({ channelId, media, playbackId }));
    } catch (err) {
      this.playbacks.refused(playbackId);
      throw err;
    }
  }

  /** The first media request on a channel an earlier process left us stops that process's prompt. */
  private async takeOver(channelId: string): Promise<void> {
    if (this.known.has(channelId)) return;
    this.known.add(channelId);
    const left = await this.getVariable(channelId, PLAYBACK_VAR).catch(() => undefined);
    // The earlier process's prompt is one of the ids it named; the others are over or never started.
    const ids = (left ?? '').split(' ').filter((id) => id.length > 0);
    await Promise.all(ids.map((id) => this.stopPlayback(id).catch(() => undefined)));
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.call('stopPlayback', () => this.conn.api.playbacks.stop({ playbackId }));
  }

  async startMoh(channelId: string, mohClass?: string): Promise<void> {
    await this.takeOver(channelId);
    await this.call('startMoh', () => this.conn.api.channels.startMoh(mohClass ? { channelId, mohClass } : { channelId }));
  }

  stopMoh(channelId: string): Promise<void> {
    return this.call('stopMoh', () => this.conn.api.channels.stopMoh({ channelId }));
  }

  sendDtmf(channelId: string, digits: string, durationMs = 120): Promise<void> {
    return this.call('sendDtmf', () => this.conn.api.channels.sendDTMF({ channelId, dtmf: digits, duration: durationMs, between: 120 }));
  }

  /** Places a call whose channel enters `app` when answered (test phones; the daemon uses dial()). */
  async originate(req: OriginateRequest): Promise<string> {
    const channelId = req.channelId ?? randomUUID();
    await this.call('originate', () =>
      this.conn.api.channels.originate({
        endpoint: req.endpoint,
        app: req.app,
        appArgs: (req.appArgs ?? []).join(','),
        callerId: req.callerId,
        timeout: req.timeoutSeconds ?? 30,
        channelId,
        variables: req.variables,
      }),
    );
    return channelId;
  }

  async dial(req: DialRequest): Promise<void> {
    // The channel is created inside our app first (so it stays ours even if it is answered while we are
    // away), then dialled. The number the called phone shows is this channel's connected line.
    // (CALLERID too, so the channel itself reads as coming from that number, e.g. in channel lists.)
    const variables: Record<string, string> = {};
    if (req.callerId) variables['CONNECTEDLINE(num)'] = variables['CALLERID(num)'] = req.callerId;
    if (req.callerName) variables['CONNECTEDLINE(name)'] = variables['CALLERID(name)'] = req.callerName;
    this.known.add(req.channelId);
    await this.call('create', () =>
      this.conn.api.channels.create({
        endpoint: req.endpoint,
        app: req.app,
        appArgs: req.appArgs.join(','),
        channelId: req.channelId,
        variables,
      } as never),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await this.call('dial', () => this.conn.api.channels.dial({ channelId: req.channelId, timeout: req.timeoutSeconds }));
        return;
      } catch (err) {
        // Asterisk moves a created channel into the app on a thread of its own: a dial sent at once may
        // find it "not in Stasis application" yet (seen on a busy PBX, e.g. right after it restarted).
        if (attempt < DIAL_TRIES && /not in stasis/i.test((err as Error).message)) {
          await new Promise((resolve) => setTimeout(resolve, DIAL_RETRY_MS * attempt));
          continue;
        }
        await this.hangup(req.channelId).catch(() => undefined);
        throw err;
      }
    }
  }

  async listChannels(): Promise<ChannelInfo[]> {
    const channels = await this.call('listChannels', () => this.conn.api.channels.list());
    // Ends unseen during an outage would otherwise stay in `known` for good.
    const alive = new Set(channels.map((c) => c.id));
    for (const id of this.known) if (!alive.has(id)) this.known.delete(id);
    return channels.map((c) => {
      const raw = c as unknown as { creationtime?: string; dialplan?: { exten?: string; app_name?: string; app_data?: string } };
      return {
        id: c.id,
        state: c.state,
        callerId: c.caller?.number ?? '',
        dialed: raw.dialplan?.exten ?? '',
        createdAt: raw.creationtime ? Date.parse(raw.creationtime) : 0,
        app: raw.dialplan?.app_name ?? '',
        appData: raw.dialplan?.app_data ?? '',
        endpoint: endpointOf(c.name),
      };
    });
  }

  async listBridges(): Promise<BridgeInfo[]> {
    const bridges = await this.call('listBridges', () => this.conn.api.bridges.list());
    return bridges.map((b) => ({ id: b.id, channelIds: ([] as string[]).concat(b.channels ?? []) }));
  }

  async getVariable(channelId: string, name: string): Promise<string | undefined> {
    try {
      const { value } = await this.call('getVariable', () => this.conn.api.channels.getChannelVar({ channelId, variable: name }));
      return value === '' ? undefined : value;
    } catch (err) {
      // ARI answers 404 both for an unknown channel and for an unset variable.
      if (err instanceof TelephonyError && err.code === 'CHANNEL_GONE' && /variable/i.test(err.message)) return undefined;
      throw err;
    }
  }

  async dialplanHas(context: string, extension: string): Promise<boolean> {
    // DIALPLAN_EXISTS needs a channel: a Local channel is created in our app and never dialled, so
    // nothing rings; it only lends itself to the function.
    const channelId = `probe-${randomUUID()}`;
    await this.call('probe', () =>
      this.conn.api.channels.create({ endpoint: `Local/probe@${context}`, app: this.conn.opts.app, appArgs: 'route-probe', channelId }),
    );
    try {
      return (await this.getVariable(channelId, `DIALPLAN_EXISTS(${context},${extension},1)`)) === '1';
    } finally {
      await this.hangup(channelId).catch(() => undefined);
    }
  }

  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void> {
    return this.call('continueInDialplan', () => this.conn.api.channels.continueInDialplan({ channelId, context, extension, priority }));
  }

  async createBridge(bridgeId: string): Promise<void> {
    await this.call('createBridge', () => this.conn.api.bridges.create({ type: 'mixing', bridgeId }));
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    for (const channelId of channelIds) await this.takeOver(channelId);
    await this.call('addToBridge', () => this.conn.api.bridges.addChannel({ bridgeId, channel: channelIds }));
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.call('destroyBridge', () => this.conn.api.bridges.destroy({ bridgeId }));
  }

  async endpointStates(): Promise<Array<{ endpoint: string; state: string }>> {
    const endpoints = await this.call('endpointStates', () => this.conn.api.endpoints.list());
    return endpoints.map((e) => ({ endpoint: `${e.technology}/${e.resource}`, state: e.state ?? 'unknown' }));
  }
}
