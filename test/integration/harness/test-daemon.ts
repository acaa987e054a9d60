// Starts the real daemon in-process against the sandbox Asterisk, on a fresh SQLite file with the
// numbers the sandbox dialplan routes to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/schema';
import { Daemon } from '../../../src/daemon';
import { createLogger } from '../../../src/log';
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
  stop(): Promise<void>;
}

export async function startTestDaemon(overrides: Record<string, string> = {}): Promise<TestDaemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-it-'));
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
      ...overrides,
    },
  });
  const log = createLogger(config.log);
  const daemon = await Daemon.start({ config, log });
  seed(daemon);
  const events = new EventRecorder(daemon.telephony);
  return {
    daemon,
    events,
    config,
    dir,
    async stop() {
      events.stop();
      await daemon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function seed(daemon: Daemon): void {
  const { store } = daemon;
  store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  const base = { kind: 'voice' as const, queue: 'support', callbackEnabled: true, callbackGreeting: null, confirmationGreeting: null, outboundTrunk: 'loop' };
  store.numbers.upsert({ ...base, did: DID_EN, callbackLanguage: 'en' });
  store.numbers.upsert({ ...base, did: DID_DE, callbackLanguage: 'de' });
}
