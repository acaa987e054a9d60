// The one module that talks to ari-client. It hides the library's traps (DESIGN.md §3):
// credentials checked first, events dispatched through our own typed union with every listener wrapped,
// no per-instance listeners (they leak), reconnect forever with capped backoff, and a `connected
// {reconnect:true}` event so the app can reconcile what it missed during the outage. REST goes through
// ARI's own HTTP agent (http-agent.ts) and a heartbeat notices a dead event socket (heartbeat.ts).
import ari from 'ari-client';
import type { Logger } from '../log';
import type { TelephonyEvent, TelephonyListener } from '../app/telephony';
import { AriError, toAriError } from './errors';
import { claimApp } from './app-registration';
import { AppLease } from './app-lease';
import { type AriCredentials, preflight } from './preflight';
import { translateEvent } from './events';
import { Heartbeat, type HeartbeatSocket } from './heartbeat';
import { useAriHttpAgent } from './http-agent';
import { withAriDeadline } from './request-deadline';

// swagger-client (inside ari-client) logs through a global `log` that prints a deprecation notice on
// every connect and keeps every message in an ever-growing `log.history`. Replace it once.
(globalThis as { log?: unknown }).log = () => undefined;

export type AriClient = ari.Client;

const SUBSCRIBED = [
  'StasisStart',
  'StasisEnd',
  'ChannelHangupRequest',
  'ChannelDtmfReceived',
  'PlaybackStarted',
  'PlaybackFinished',
  'ChannelStateChange',
  'ChannelDestroyed',
] as const;

export interface ConnectionOptions extends AriCredentials {
  app: string;
  requestTimeoutMs: number;
  /** Start even while another event socket holds the app (test harness only: its own observer). */
  allowAppTakeover?: boolean;
  /** Receive events of every channel, not only this app's (test harness only). */
  subscribeAll?: boolean;
  log: Logger;
  maxBackoffMs?: number;
  /** Loading the REST API description at start (a dozen documents); default 15 s. */
  connectTimeoutMs?: number;
  /** Event socket ping period and the silence after which it counts as dead (defaults 2 s / 6 s). */
  heartbeatIntervalMs?: number;
  heartbeatSilenceMs?: number;
  /** How often the app lease (app-lease.ts) is renewed; a lease on another host is stale after 3.5 beats. */
  leaseBeatMs?: number;
}

// Ping every 2 s, dead after 6 s without a pong: a dead socket is noticed within 8 s (< 10 s).
const HEARTBEAT_INTERVAL_MS = 2000;
const HEARTBEAT_SILENCE_MS = 6000;
const CONNECT_TIMEOUT_MS = 15_000;
const LEASE_BEAT_MS = 2000;

export class AriConnection {
  private client: AriClient | undefined;
  private readonly listeners = new Set<TelephonyListener>();
  private everConnected = false;
  private online = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private reconnectCount = 0;
  /** Set when another connection registered our app (ApplicationReplaced): why we are deaf now. */
  private replaced: string | undefined;
  private readonly heartbeat: Heartbeat;
  private lease: AppLease | undefined;

  constructor(readonly opts: ConnectionOptions) {
    this.heartbeat = new Heartbeat(() => this.eventSocket(), {
      intervalMs: opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      silenceMs: opts.heartbeatSilenceMs ?? HEARTBEAT_SILENCE_MS,
      onDead: (silentMs, wasOpen) => {
        opts.log.warn(wasOpen ? 'ARI event socket silent, closing it to reconnect' : 'ARI event socket handshake stalled, retrying', {
          app: opts.app,
          silentMs,
        });
        this.onSocketDown();
      },
    });
  }

  get api(): AriClient {
    if (!this.client) throw new AriError('ARI_UNREACHABLE', 'ARI is not connected yet');
    return this.client;
  }

  /** Up and still the app's registered event socket: calls can be taken and delivered. */
  get isOnline(): boolean {
    return this.online && this.replaced === undefined;
  }

  /** Why the app is no longer ours (another connection registered it), if it is not. For /readyz. */
  get replacedBy(): string | undefined {
    return this.replaced;
  }

  /** For /metrics: the event socket is up. */
  get connected(): boolean {
    return this.online;
  }

  /** For /metrics: how often the event socket came back after it was lost. */
  get reconnects(): number {
    return this.reconnectCount;
  }

  on(listener: TelephonyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks credentials, loads the API and opens the event socket. Throws AriError on bad credentials. */
  async start(): Promise<void> {
    const { log } = this.opts;
    const info = await preflight(this.opts, this.opts.requestTimeoutMs);
    log.info('ARI reachable', { url: this.opts.url, asteriskVersion: info.version });
    if (!this.opts.allowAppTakeover) await this.claimApp();
    useAriHttpAgent();
    const connectMs = this.opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    // ari-client never settles connect() if Asterisk stops answering half-way through.
    this.client = await withAriDeadline(
      connectMs,
      () => ari.connect(this.opts.url, this.opts.user, this.opts.password),
      () => new AriError('ARI_TIMEOUT', `ARI at ${this.opts.url} did not deliver its API description within ${connectMs} ms`),
    ).catch((err: unknown) => {
      throw toAriError('connect', err);
    });
    for (const type of SUBSCRIBED) {
      // Typed overloads of on() are per event name; we treat all the same, as raw JSON.
      (this.client.on as (t: string, cb: (e: unknown) => void) => void)(type, (event) => this.dispatchRaw(type, event));
    }
    // Another connection registered our app: Asterisk sends it all new calls; ours stays open but deaf.
    (this.client.on as (t: string, cb: () => void) => void)('ApplicationReplaced', () => this.onAppReplaced());
    this.client.on('WebSocketConnected', () => this.onSocketUp());
    this.client.on('WebSocketReconnecting', () => this.onSocketDown());
    // ari-client gives up after ~10 tries; we never do.
    this.client.on('WebSocketMaxRetries', () => this.scheduleRestart());
    // Watching from the first handshake on: one that stalls is retried instead of hanging start().
    this.heartbeat.start();
    try {
      await this.openSocket();
    } catch (err) {
      await this.stop(); // a failed start leaves no reconnect loop behind
      throw toAriError('event socket', err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.heartbeat.stop();
    this.closeClient();
    this.online = false;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.stop();
  }

  /** Refuses the start while another live callbackd owns the app; then writes our own lease. */
  private async claimApp(): Promise<void> {
    const { app, requestTimeoutMs, log } = this.opts;
    const beatMs = this.opts.leaseBeatMs ?? LEASE_BEAT_MS;
    const claim = await claimApp(this.opts, app, { requestTimeoutMs, staleMs: Math.round(beatMs * 3.5) });
    if (claim.kind === 'taken-over') {
      log.warn('ARI application taken over from a callbackd that is gone', {
        app,
        why: claim.why,
        previousPid: claim.from.pid,
        previousHost: claim.from.host,
      });
    }
    this.lease = new AppLease(this.opts, { app, requestTimeoutMs, beatMs, log });
    await this.lease.start();
  }

  private closeClient(): void {
    try {
      this.client?.stop();
    } catch {
      /* socket already closed */
    }
  }

  private async openSocket(): Promise<void> {
    await this.api.start(this.opts.app, this.opts.subscribeAll ?? false);
  }

  /** ari-client keeps its current websocket (from the `ws` package) in `_ws`; it has no accessor. */
  private eventSocket(): HeartbeatSocket | undefined {
    return (this.client as { _ws?: HeartbeatSocket } | undefined)?._ws;
  }

  private onSocketUp(): void {
    if (this.stopped) {
      // ari-client's stop() during a handshake still schedules a reconnect; do not come back to life.
      this.closeClient();
      return;
    }
    this.attempt = 0;
    this.online = true;
    // Our (re)registration made the app ours again.
    this.replaced = undefined;
    const reconnect = this.everConnected;
    this.everConnected = true;
    if (reconnect) this.reconnectCount++;
    this.opts.log.info(reconnect ? 'ARI event socket reconnected' : 'ARI event socket connected', { app: this.opts.app });
    this.emit({ type: 'connected', reconnect });
  }

  private onAppReplaced(): void {
    if (this.stopped) return;
    this.replaced = `ARI application '${this.opts.app}' was registered by another connection (another callbackd on this Asterisk?); this daemon no longer receives its calls`;
    this.opts.log.error('ARI application taken over by another connection; not ready until it is ours again', { app: this.opts.app });
  }

  private onSocketDown(): void {
    if (!this.online) return;
    this.online = false;
    this.opts.log.warn('ARI event socket lost, reconnecting', { app: this.opts.app });
    this.emit({ type: 'disconnected' });
  }

  private scheduleRestart(): void {
    if (this.stopped) return;
    this.onSocketDown();
    const max = this.opts.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, 1000 * 2 ** Math.min(this.attempt++, 5));
    this.opts.log.warn('ARI still unreachable, retrying', { delayMs: delay, attempt: this.attempt });
    this.retryTimer = setTimeout(() => {
      this.openSocket().catch(() => {
        /* failure surfaces again as WebSocketMaxRetries */
      });
    }, delay);
  }

  private dispatchRaw(type: string, raw: unknown): void {
    let event: TelephonyEvent | undefined;
    try {
      event = translateEvent(type, raw as Record<string, unknown>);
    } catch (err) {
      this.opts.log.error('could not translate ARI event', { eventType: type, error: (err as Error).message });
      return;
    }
    if (event) this.emit(event);
  }

  /** An event derived from the PBX's state after one was lost (playback-resync.ts), delivered to the
   *  listeners exactly like one Asterisk sent. */
  deliver(event: TelephonyEvent): void {
    this.emit(event);
  }

  /** Every listener runs isolated: a throw or rejection is logged, never kills the process. */
  private emit(event: TelephonyEvent): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(event);
        if (result && typeof result.catch === 'function') {
          result.catch((err) => this.reportListenerError(event, err));
        }
      } catch (err) {
        this.reportListenerError(event, err);
      }
    }
  }

  private reportListenerError(event: TelephonyEvent, err: unknown): void {
    const channelId = 'channelId' in event ? event.channelId : undefined;
    this.opts.log.error('event handler failed', {
      eventType: event.type,
      channelId,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
}
