// The simulated callers, in a child process of the benchmark so that their ARI traffic and CPU are not
// counted as the daemon's. Its own ARI app (CALLER_APP) originates real SIP calls through the sandbox's
// `loop` trunk and presses keys on them as RFC 4733 DTMF. The parent drives it over IPC (CallerPool).
//
// With subscribeAll (baseline rounds) it also watches the far leg of each of its calls, the one that
// runs the `bench-baseline` dialplan, and forwards the few raw events that mark the request there, with
// Asterisk's own timestamps.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AriConnection } from '../../src/ari/connection';
import { AriTelephony } from '../../src/ari/ari-telephony';
import { silentLogger } from '../../src/log';

export const CALLER_APP = 'callbackd-bench-caller';
export const CHILD_FLAG = '--bench-callers-child';

export const ari = {
  url: process.env.CALLBACKD_ARI_URL ?? 'http://127.0.0.1:8088',
  user: process.env.CALLBACKD_ARI_USER ?? 'callbackd',
  password: process.env.CALLBACKD_ARI_PASSWORD ?? 'callbackd-dev',
};

/** A far-leg event of interest (baseline): its kind, Asterisk timestamp string, and details. */
export interface FarEvent {
  kind: 'dtmf' | 'dialplan' | 'userevent';
  timestamp: string;
  digit?: string;
  app?: string;
  data?: string;
  name?: string;
}

export type ToChild =
  | { t: 'call'; key: string; endpoint: string; callerId: string }
  | { t: 'press'; key: string; digits: string }
  | { t: 'cleanup' }
  | { t: 'stop' };

export type FromChild =
  | { t: 'ready' }
  | { t: 'up'; key: string; channelId: string }
  | { t: 'failed'; key: string; error: string }
  | { t: 'ended'; key: string }
  | { t: 'far'; key: string; event: FarEvent }
  | { t: 'press-failed'; key: string; error: string }
  | { t: 'cleaned'; own: number; far: number }
  | { t: 'fatal'; error: string };

// ---------------------------------------------------------------- child side

interface OwnCall {
  key: string;
  callerId: string;
  channelId: string;
  up: boolean;
  ended: boolean;
}

export async function runCallerChild(): Promise<void> {
  const send = (m: FromChild) => process.send?.(m);
  process.on('disconnect', () => process.exit(0));
  const subscribeAll = process.env.BENCH_SUBSCRIBE_ALL === '1';
  const conn = new AriConnection({ ...ari, app: CALLER_APP, requestTimeoutMs: 15_000, subscribeAll, log: silentLogger() });
  const tel = new AriTelephony(conn);
  try {
    await conn.start();
  } catch (err) {
    send({ t: 'fatal', error: `caller app could not connect to ARI: ${(err as Error).message}` });
    process.exit(1);
  }

  const byKey = new Map<string, OwnCall>();
  const byChannel = new Map<string, OwnCall>();
  const byCallerId = new Map<string, OwnCall>();

  const end = (call: OwnCall, failure?: string) => {
    if (call.ended) return;
    call.ended = true;
    if (!call.up) send({ t: 'failed', key: call.key, error: failure ?? 'call ended before it was answered' });
    else send({ t: 'ended', key: call.key });
  };

  conn.on((e) => {
    if (!('channelId' in e)) return;
    const call = byChannel.get(e.channelId);
    if (!call) return;
    if (e.type === 'call-entered') {
      call.up = true;
      send({ t: 'up', key: call.key, channelId: call.channelId });
    } else if (e.type === 'call-left') {
      end(call);
    } else if (e.type === 'channel-destroyed') {
      end(call, `not answered: ${e.causeText || e.cause}`);
    }
  });

  if (subscribeAll) {
    // The far leg carries our caller ID; anything else (other apps' channels) is ignored.
    const farCall = (raw: Record<string, unknown>): OwnCall | undefined => {
      const ch = raw.channel as { id?: string; caller?: { number?: string } } | undefined;
      if (!ch?.id || byChannel.has(ch.id)) return undefined;
      return byCallerId.get(ch.caller?.number ?? '');
    };
    const on = (type: string, handler: (raw: Record<string, unknown>, call: OwnCall) => void) =>
      (conn.api.on as (t: string, cb: (e: unknown) => void) => void)(type, (raw) => {
        try {
          const call = farCall(raw as Record<string, unknown>);
          if (call) handler(raw as Record<string, unknown>, call);
        } catch {
          /* never let a malformed event kill the caller process */
        }
      });
    const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    const ts = (raw: Record<string, unknown>) => str(raw.timestamp);
    on('ChannelDtmfReceived', (raw, call) =>
      send({ t: 'far', key: call.key, event: { kind: 'dtmf', timestamp: ts(raw), digit: String(raw.digit) } }),
    );
    on('ChannelDialplan', (raw, call) => {
      const app = str(raw.dialplan_app);
      if (app !== 'Read' && app !== 'Playback') return;
      send({ t: 'far', key: call.key, event: { kind: 'dialplan', timestamp: ts(raw), app, data: str(raw.dialplan_app_data) } });
    });
    on('ChannelUserevent', (raw, call) => {
      const body = (raw.userevent ?? {}) as Record<string, unknown>;
      send({
        t: 'far',
        key: call.key,
        event: { kind: 'userevent', timestamp: ts(raw), name: str(raw.eventname), digit: str(body.digit) },
      });
    });
  }

  const cleanup = async (): Promise<{ own: number; far: number }> => {
    let own = 0;
    let far = 0;
    const open = [...byKey.values()].filter((c) => !c.ended);
    await Promise.all(
      open.map((c) =>
        tel.hangup(c.channelId).then(
          () => void own++,
          () => undefined,
        ),
      ),
    );
    // Far legs of our calls end with our BYE; sweep whatever is left that carries one of our caller IDs.
    await new Promise((r) => setTimeout(r, 1500));
    try {
      const left = (await tel.listChannels()).filter((c) => byCallerId.has(c.callerId));
      await Promise.all(
        left.map((c) =>
          tel.hangup(c.id).then(
            () => void (byChannel.has(c.id) ? own++ : far++),
            () => undefined,
          ),
        ),
      );
    } catch {
      /* listing failed: the per-call hangups above are what we could do */
    }
    return { own, far };
  };

  process.on('message', (m: ToChild) => {
    switch (m.t) {
      case 'call': {
        const call: OwnCall = { key: m.key, callerId: m.callerId, channelId: randomUUID(), up: false, ended: false };
        byKey.set(m.key, call);
        byChannel.set(call.channelId, call);
        byCallerId.set(m.callerId, call);
        tel
          .originate({
            endpoint: m.endpoint,
            callerId: m.callerId,
            app: CALLER_APP,
            appArgs: ['bench'],
            channelId: call.channelId,
            timeoutSeconds: 30,
          })
          .catch((err: Error) => end(call, `originate failed: ${err.message}`));
        return;
      }
      case 'press': {
        const call = byKey.get(m.key);
        if (!call || call.ended) return send({ t: 'press-failed', key: m.key, error: 'call not up' });
        tel.sendDtmf(call.channelId, m.digits, 100).catch((err: Error) => send({ t: 'press-failed', key: m.key, error: err.message }));
        return;
      }
      case 'cleanup':
        void cleanup().then((r) => send({ t: 'cleaned', ...r }));
        return;
      case 'stop':
        void conn.stop().finally(() => process.exit(0));
        return;
    }
  });
  send({ t: 'ready' });
}

// ---------------------------------------------------------------- parent side

export interface PoolHandlers {
  up?(key: string, channelId: string): void;
  failed?(key: string, error: string): void;
  ended?(key: string): void;
  far?(key: string, event: FarEvent): void;
  pressFailed?(key: string, error: string): void;
}

/** The parent's handle on the caller process. */
export class CallerPool {
  private cleaned: ((r: { own: number; far: number }) => void) | undefined;
  private exited = false;
  private fatal: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly handlers: PoolHandlers,
  ) {}

  /** Forks the caller process (this same script with CHILD_FLAG) and waits until its app is connected. */
  static open(script: string, opts: { subscribeAll: boolean }, handlers: PoolHandlers): Promise<CallerPool> {
    const child = fork(script, [CHILD_FLAG], {
      env: { ...process.env, BENCH_SUBSCRIBE_ALL: opts.subscribeAll ? '1' : '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pool = new CallerPool(child, handlers);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('caller process did not connect to ARI within 20 s')), 20_000);
      child.on('exit', (code) => {
        pool.exited = true;
        clearTimeout(timer);
        reject(new Error(pool.fatal ?? `caller process exited (code ${code}) before it was ready`));
      });
      child.on('message', (m: FromChild) => {
        if (m.t === 'ready') {
          clearTimeout(timer);
          resolve(pool);
        } else if (m.t === 'fatal') pool.fatal = m.error;
        else pool.dispatch(m);
      });
    });
  }

  private dispatch(m: FromChild): void {
    if (process.env.BENCH_DEBUG) console.log(`[callers ${new Date().toISOString()}] ${JSON.stringify(m)}`);
    const h = this.handlers;
    switch (m.t) {
      case 'up':
        return h.up?.(m.key, m.channelId);
      case 'failed':
        return h.failed?.(m.key, m.error);
      case 'ended':
        return h.ended?.(m.key);
      case 'far':
        return h.far?.(m.key, m.event);
      case 'press-failed':
        return h.pressFailed?.(m.key, m.error);
      case 'cleaned':
        this.cleaned?.({ own: m.own, far: m.far });
        return;
    }
  }

  get alive(): boolean {
    return !this.exited;
  }

  private send(m: ToChild): void {
    if (!this.exited) this.child.send(m);
  }

  call(key: string, endpoint: string, callerId: string): void {
    this.send({ t: 'call', key, endpoint, callerId });
  }

  press(key: string, digits: string): void {
    this.send({ t: 'press', key, digits });
  }

  /** Hangs up every channel this pool created (and far legs of them still up); counts what it hung up. */
  cleanup(timeoutMs = 20_000): Promise<{ own: number; far: number }> {
    if (this.exited) return Promise.resolve({ own: 0, far: 0 });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('caller process did not finish its cleanup in time')), timeoutMs);
      this.cleaned = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.send({ t: 'cleanup' });
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.send({ t: 'stop' });
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}
