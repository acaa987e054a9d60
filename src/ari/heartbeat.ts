// Liveness of the ARI event websocket. A dead Asterisk host, a frozen Asterisk or a half-open TCP
// connection sends no close frame and no RST, so ari-client would wait on that socket forever and its
// reconnect never starts. We ping it; a socket that stays silent (no pong, or an opening handshake that
// never completes) is terminated, which is exactly what makes ari-client's reconnect logic run.

/** The part of a `ws` WebSocket (the one ari-client keeps as `client._ws`) the heartbeat uses. */
export interface HeartbeatSocket {
  readonly readyState: number;
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'open', listener: () => void): unknown;
}

export interface HeartbeatOptions {
  /** How often to ping (and to check). */
  intervalMs: number;
  /** Silence after which the socket counts as dead. Detection takes at most intervalMs + silenceMs. */
  silenceMs: number;
  /** Called after a silent socket was terminated, with how long it had been silent. */
  onDead(silentMs: number, wasOpen: boolean): void;
}

// ws readyState values.
const OPEN = 1;
const CLOSED = 3;

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private watched: HeartbeatSocket | undefined;
  private lastAlive = 0;

  constructor(
    private readonly socket: () => HeartbeatSocket | undefined,
    private readonly opts: HeartbeatOptions,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check: public so tests can drive it without waiting for the interval. */
  tick(): void {
    const ws = this.socket();
    if (!ws || ws.readyState === CLOSED) return; // nothing to watch, or ari-client is already reconnecting
    if (ws !== this.watched) this.watch(ws);
    const silentMs = this.now() - this.lastAlive;
    if (silentMs >= this.opts.silenceMs) {
      const wasOpen = ws.readyState === OPEN;
      ws.terminate();
      this.opts.onDead(silentMs, wasOpen);
      return;
    }
    if (ws.readyState !== OPEN) return; // still connecting: only the silence limit applies
    try {
      ws.ping();
    } catch {
      /* socket closing under us: its close event drives the reconnect */
    }
  }

  private watch(ws: HeartbeatSocket): void {
    // ari-client replaces its socket on every reconnect: a new socket starts with a clean slate.
    this.watched = ws;
    this.lastAlive = this.now();
    const alive = () => {
      if (this.watched === ws) this.lastAlive = this.now();
    };
    ws.on('pong', alive);
    ws.on('open', alive);
  }
}
