// One daemon round: a fresh callbackd in this process (app `callbackd-bench`, temporary SQLite file,
// queue `bench`, callback on, no agents so nothing is dispatched), N SIP callers from the caller process
// dialling +4931000001, each pressing 1 during the callback offer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import winston from 'winston';
import { loadConfig } from '../../src/config/load';
import { Daemon } from '../../src/daemon';
import { ari, CallerPool } from './callers';
import { asteriskCpuPercent, asteriskCpuSeconds, callerIdFor, CallTracker, ramp, type RoundOptions, waitUntil } from './common';
import { ariTime } from './stats';

export const BENCH_APP = 'callbackd-bench';
export const DAEMON_DID = '+4931000001';
const QUEUE = 'bench';
const OFFER = 'sound:callbackd/en/offer';
const CONFIRMATION = 'sound:callbackd/en/confirmation';
/** Pressing 1 this long after the offer started: the caller interrupts the offer, as most do. */
const PRESS_AFTER_OFFER_MS = 1000;

interface DaemonCall {
  key: string;
  callerId: string;
  up: boolean;
  daemonChannel?: string;
  pressed: boolean;
  upAtPress?: number;
  dtmfAt?: number;
  confirmAt?: number;
  /** A prompt other than the confirmation that started after the key (e.g. request-failed). */
  otherPrompt?: string;
  ended: boolean;
  /** Answered, then hung up before the confirmation started: not by the flow itself. */
  early?: boolean;
  failure?: string;
}

export interface DaemonRoundResult {
  n: number;
  completed: boolean;
  message?: string;
  /** ms per caller: Asterisk timestamp of ChannelDtmfReceived('1') → PlaybackStarted(confirmation). */
  latencies: number[];
  /** ms per requestCallback() call (the fsync'd SQLite transaction), measured around the call. */
  commits: number[];
  answered: number;
  pressed: number;
  confirmed: number;
  failures: string[];
  /** Calls that were up but ended before their confirmation started (see EARLY in common.ts). */
  endedEarly: number;
  found: number;
  lost: number;
  peakUp: number;
  upAtPress: number[];
  cpuMs: number;
  wallMs: number;
  rssIdleMb: number;
  rssPeakMb: number;
  asteriskCpuPct?: number;
  daemonWarnings: string[];
}

export async function daemonRound(round: number, n: number, opts: RoundOptions): Promise<DaemonRoundResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-bench-'));
  const dbPath = path.join(dir, 'callbackd.db');
  const config = loadConfig({
    env: {
      CALLBACKD_ARI_URL: ari.url,
      CALLBACKD_ARI_USER: ari.user,
      CALLBACKD_ARI_PASSWORD: ari.password,
      CALLBACKD_ARI_APP: BENCH_APP,
      CALLBACKD_DB_PATH: dbPath,
      CALLBACKD_LOG_LEVEL: 'info',
      CALLBACKD_LOG_FORMAT: 'json',
      // The offer comes 1 s after the welcome prompt; nobody times out of the menu during a round.
      CALLBACKD_IVR_OFFER_DELAY_SECONDS: '1',
      CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '600',
      CALLBACKD_IVR_MENU_TIMEOUT_SECONDS: '60',
      CALLBACKD_METRICS_BIND: '',
    },
  });

  // The daemon logs at info as in production, as JSON into a file in the round's directory (not the
  // terminal); warnings and errors are also collected for the report.
  const warnings: string[] = [];
  const collector = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _enc, cb) {
      const detail = ['media', 'error'].filter((k) => info[k] !== undefined).map((k) => `${k}=${String(info[k])}`);
      if (warnings.length < 1000)
        warnings.push(`${String(info.level)}: ${String(info.message)}${detail.length ? ` (${detail.join(', ')})` : ''}`);
      cb();
    },
  });
  const log = winston.createLogger({
    level: 'info',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [
      new winston.transports.File({ filename: path.join(dir, 'daemon.log') }),
      new winston.transports.Stream({ stream: collector, level: 'warn' }),
    ],
  });

  const rssIdle = process.memoryUsage().rss;
  let rssPeak = rssIdle;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 100);

  const tracker = new CallTracker<DaemonCall>();
  const byDaemonChannel = new Map<string, DaemonCall>();
  const byCallerId = new Map<string, DaemonCall>();
  const commits: number[] = [];
  let daemon: Daemon | undefined;
  let pool: CallerPool | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const result: DaemonRoundResult = {
    n,
    completed: false,
    latencies: [],
    commits,
    answered: 0,
    pressed: 0,
    confirmed: 0,
    failures: [],
    endedEarly: 0,
    found: 0,
    lost: n,
    peakUp: 0,
    upAtPress: [],
    cpuMs: 0,
    wallMs: 0,
    rssIdleMb: rssIdle / 2 ** 20,
    rssPeakMb: 0,
    daemonWarnings: warnings,
  };

  try {
    daemon = await Daemon.start({ config, log });
    seed(daemon);

    // Time every callback commit (the transaction with synchronous=FULL) where the daemon makes it.
    const entries = daemon.sqlite.entries;
    const requestCallback = entries.requestCallback.bind(entries);
    entries.requestCallback = (req) => {
      const t = performance.now();
      try {
        return requestCallback(req);
      } finally {
        commits.push(performance.now() - t);
      }
    };

    // Raw ARI events of the daemon's own connection carry Asterisk's timestamps.
    const api = daemon.connection.api as unknown as { on(type: string, cb: (e: Record<string, unknown>) => void): void };
    api.on('ChannelDtmfReceived', (e) => {
      const channel = e.channel as { id?: string } | undefined;
      const call = channel?.id ? byDaemonChannel.get(channel.id) : undefined;
      if (call && e.digit === '1' && call.dtmfAt === undefined) call.dtmfAt = ariTime(e.timestamp);
    });
    api.on('PlaybackStarted', (e) => {
      const pb = e.playback as { media_uri?: string; target_uri?: string } | undefined;
      const target = typeof pb?.target_uri === 'string' && pb.target_uri.startsWith('channel:') ? pb.target_uri.slice(8) : '';
      const call = byDaemonChannel.get(target);
      if (!call || call.dtmfAt === undefined) return;
      if (pb?.media_uri === CONFIRMATION) {
        if (call.confirmAt === undefined) call.confirmAt = ariTime(e.timestamp);
      } else if (call.confirmAt === undefined) call.otherPrompt ??= pb?.media_uri;
    });
    // The daemon's translated events tell us which of its channels is which caller, and when the offer plays.
    daemon.telephony.on((e) => {
      if (e.type === 'call-entered') {
        const call = byCallerId.get(e.callerId);
        if (call) {
          call.daemonChannel = e.channelId;
          byDaemonChannel.set(e.channelId, call);
        }
      } else if (e.type === 'playback-started' && e.media === OFFER) {
        const call = byDaemonChannel.get(e.channelId);
        if (!call || call.pressed) return;
        call.pressed = true;
        const t = setTimeout(() => {
          timers.delete(t);
          call.upAtPress = tracker.up;
          pool?.press(call.key, '1');
        }, PRESS_AFTER_OFFER_MS);
        timers.add(t);
      }
    });

    pool = await CallerPool.open(opts.script, { subscribeAll: false }, tracker.handlers());

    const cpu0 = process.cpuUsage();
    const ast0 = asteriskCpuSeconds();
    const t0 = Date.now();
    const deadline = t0 + opts.timeoutSeconds * 1000;
    await ramp(
      n,
      opts.rate,
      (i) => {
        const callerId = callerIdFor(round, i);
        const call: DaemonCall = { key: callerId, callerId, up: false, pressed: false, ended: false };
        tracker.add(call);
        byCallerId.set(callerId, call);
        pool!.call(call.key, `PJSIP/${DAEMON_DID}@loop`, callerId);
      },
      () => Date.now() > deadline || !pool!.alive,
    );
    // The daemon hangs up after the confirmation; a round is over when every call has ended.
    const finished = await waitUntil(() => tracker.allEnded(n), deadline);
    result.wallMs = Date.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    result.cpuMs = (cpu.user + cpu.system) / 1000;
    result.asteriskCpuPct = asteriskCpuPercent(ast0, asteriskCpuSeconds(), result.wallMs);
    result.completed = finished;
    if (!finished) {
      const open = [...tracker.calls.values()].filter((c) => !c.ended);
      result.message =
        `round not finished after ${opts.timeoutSeconds} s: ${n - tracker.calls.size} calls never placed, ${open.length} still up ` +
        `(${open.filter((c) => !c.up).length} not answered, ${open.filter((c) => c.up && !c.pressed).length} without offer, ` +
        `${open.filter((c) => c.pressed && c.confirmAt === undefined).length} pressed but no confirmation)`;
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    const cleaned = pool ? await pool.cleanup().catch(() => undefined) : undefined;
    if (cleaned && cleaned.own + cleaned.far > 0)
      result.failures.push(`cleanup hung up ${cleaned.own} caller legs and ${cleaned.far} far legs still up`);
    await pool?.close();
    await daemon?.stop();
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      log.on('finish', () => {
        clearTimeout(t);
        resolve();
      });
      log.end();
    });
  }

  for (const call of tracker.calls.values()) {
    if (call.early) result.endedEarly++;
    if (call.up) result.answered++;
    if (call.dtmfAt !== undefined) result.pressed++;
    if (call.confirmAt !== undefined) result.confirmed++;
    if (call.dtmfAt !== undefined && call.confirmAt !== undefined) result.latencies.push(call.confirmAt - call.dtmfAt);
    if (call.otherPrompt) result.failures.push(`${call.callerId}: heard ${call.otherPrompt} instead of the confirmation`);
    else if (call.failure && !call.early) result.failures.push(`${call.callerId}: ${call.failure}`);
  }
  result.peakUp = tracker.peakUp;
  result.upAtPress = [...tracker.calls.values()].flatMap((c) => (c.upAtPress === undefined ? [] : [c.upAtPress]));
  result.rssPeakMb = rssPeak / 2 ** 20;

  // Read back from the closed file what the daemon committed: one pending callback slot per caller.
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT DISTINCT callback_number AS n FROM queue_entries WHERE queue = ? AND kind = 'callback' AND state = 'pending'`)
      .all(QUEUE) as Array<{ n: string }>;
    result.found = rows.filter((r) => byCallerId.has(r.n)).length;
  } finally {
    db.close();
  }
  result.lost = n - result.found;
  if (opts.keep) console.log(`  (kept ${dir})`);
  else fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

function seed(daemon: Daemon): void {
  const store = daemon.sqlite;
  store.queues.upsert({ name: QUEUE, maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  store.numbers.upsert({
    did: DAEMON_DID,
    kind: 'voice',
    queue: QUEUE,
    callbackEnabled: true,
    callbackLanguage: 'en',
    callbackGreeting: null,
    confirmationGreeting: null,
    outboundTrunk: 'loop',
  });
}
