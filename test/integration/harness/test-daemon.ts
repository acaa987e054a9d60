// Starts the real daemon in-process against the sandbox Asterisk, on a fresh SQLite file with the
// numbers the sandbox dialplan routes to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/schema';
import { Daemon } from '../../../src/daemon';
import { createLogger } from '../../../src/log';
import type { Clock } from '../../../src/app/ports';
import { EventRecorder } from './recorder';
import { ari } from './env';

export const DID_EN = '+4930123456';
export const DID_DE = '+4930123457';
export const DID_UNKNOWN = '+4930999999';

export interface TestDaemon {
  daemon: Daemon;
  events: EventRecorder;
  config: Config;
  dir: string;
  /** keepDb: leave the database for a restarted daemon. */
  stop(keepDb?: boolean): Promise<void>;
}

export interface TestDaemonOptions {
  /** Config overrides as environment variables. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse the database of an earlier daemon (a restart); it is then neither seeded nor deleted. */
  dir?: string;
}

/** A clock the test moves by hand; starts at the real time so Asterisk-side times look sane. */
export class ManualClock implements Clock {
  private t = Date.now();
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export async function startTestDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const reused = opts.dir !== undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-it-'));
  const config = loadConfig({
    env: {
      CALLBACKD_ARI_URL: ari.url,
      CALLBACKD_ARI_USER: ari.user,
      CALLBACKD_ARI_PASSWORD: ari.password,
      CALLBACKD_DB_PATH: path.join(dir, 'callbackd.db'),
      CALLBACKD_LOG_LEVEL: process.env.CALLBACKD_TEST_LOG_LEVEL ?? 'error',
      CALLBACKD_LOG_FORMAT: 'json',
      // Short timers keep the suite fast; the flow is the same as with production values.
      CALLBACKD_IVR_OFFER_DELAY_SECONDS: '1',
      CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '30',
      CALLBACKD_IVR_MENU_TIMEOUT_SECONDS: '4',
      CALLBACKD_IVR_FIRST_DIGIT_TIMEOUT_SECONDS: '6',
      CALLBACKD_IVR_INTER_DIGIT_TIMEOUT_SECONDS: '4',
      CALLBACKD_AGENTS_RING_TIMEOUT_SECONDS: '8',
      CALLBACKD_AGENTS_WRAP_UP_SECONDS: '1',
      CALLBACKD_METRICS_BIND: '',
      ...opts.env,
    },
  });
  const log = createLogger(config.log);
  const daemon = await Daemon.start({ config, log, clock: opts.clock });
  if (!reused) seed(daemon);
  const events = new EventRecorder(daemon.telephony);
  return {
    daemon,
    events,
    config,
    dir,
    async stop(keepDb = false) {
      events.stop();
      // A prompt that Asterisk could not play (missing file) would pass a test silently: treat it as a
      // failure. Asterisk also reports "failed" when the call hangs up mid-prompt; those are fine.
      const all = events.events;
      const endedNear = (channelId: string, i: number) =>
        all.slice(0, i + 4).some((e) => (e.type === 'hangup' || e.type === 'call-left') && e.channelId === channelId);
      const failed = all.filter((e, i) => e.type === 'playback-finished' && e.failed && !endedNear(e.channelId, i));
      await daemon.stop();
      if (!keepDb) fs.rmSync(dir, { recursive: true, force: true });
      if (failed.length > 0) throw new Error(`prompts failed to play: ${failed.map((e) => (e as { media: string }).media).join(', ')}`);
    },
  };
}

function seed(daemon: Daemon): void {
  const store = daemon.sqlite;
  store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  const base = {
    kind: 'voice' as const,
    queue: 'support',
    callbackEnabled: true,
    callbackGreeting: null,
    confirmationGreeting: null,
    // Default route: Local/<E.164>@callbackd-outbound/n, the sandbox's dialplan sends it over the loop trunk.
    outboundTrunk: null,
  };
  store.numbers.upsert({ ...base, did: DID_EN, callbackLanguage: 'en' });
  store.numbers.upsert({ ...base, did: DID_DE, callbackLanguage: 'de' });
  // The sandbox's two agent phones, logged out until a test logs them in.
  store.agents.add({ id: '1001', name: 'Agent One', endpoint: 'PJSIP/1001', queues: ['support'] }, Date.now());
  store.agents.add({ id: '1002', name: 'Agent Two', endpoint: 'PJSIP/1002', queues: ['support'] }, Date.now());
}

/** Logs an agent in as *45 from the phone would (the same rule as the CLI), and dispatch reacts at once. */
export async function logIn(d: TestDaemon, agentId: string): Promise<void> {
  await d.daemon.agents.apply(agentId, { type: 'login' });
}
