// The daemon as operators run it: `bin/callbackd start` in a separate process, on a database file of
// the test's own, so a test can kill it with SIGKILL (no shutdown code runs) and start a new one on the
// same file. What it logs (JSON, stderr) is kept for the test to wait on and to show when it fails.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { ari } from './env';
import { DID_EN } from './test-daemon';

const root = path.resolve(__dirname, '../../..');

/** One JSON log line of the daemon. */
export interface LogLine {
  level: string;
  message: string;
  timestamp: string;
  [key: string]: unknown;
}

/** A fresh directory with a database holding queue `support`, DID_EN (callbacks on, outbound over the default
 *  callbackd-outbound route) and the sandbox's agents 1001/1002 (logged out). */
export function seededDatabase(prefix = 'callbackd-proc-'): { dir: string; dbPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dbPath = path.join(dir, 'callbackd.db');
  const store = openStore(dbPath);
  try {
    store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    store.numbers.upsert({
      did: DID_EN,
      kind: 'voice',
      queue: 'support',
      callbackEnabled: true,
      callbackLanguage: 'en',
      callbackGreeting: null,
      confirmationGreeting: null,
      outboundTrunk: null,
    });
    store.agents.add({ id: '1001', name: 'Agent One', endpoint: 'PJSIP/1001', queues: ['support'] }, Date.now());
    store.agents.add({ id: '1002', name: 'Agent Two', endpoint: 'PJSIP/1002', queues: ['support'] }, Date.now());
  } finally {
    store.close();
  }
  return { dir, dbPath };
}

/** Rows straight from the database file, through a read-only connection of the test's own. */
export function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export interface DaemonProcessOptions {
  dbPath: string;
  /** Config as environment variables, over the defaults below (short IVR timers, metrics off). */
  env?: Record<string, string>;
  /** How long to wait for "callbackd started". */
  startTimeoutMs?: number;
}

export class DaemonProcess {
  /** Every line this process logged, parsed. */
  readonly lines: LogLine[] = [];
  private text = '';
  readonly exit: Promise<number | null>;
  private exited = false;
  private waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const s = chunk.toString();
      this.text += s;
      partial += s;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const raw of parts) {
        try {
          this.lines.push(JSON.parse(raw) as LogLine);
        } catch {
          /* not a log line (a crash trace): kept in the text */
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exited = true;
        running.delete(this);
        for (const w of this.waiters.splice(0)) w();
        resolve(code);
      }),
    );
    running.add(this);
  }

  /** `callbackd start` on `dbPath`; resolves once it logged that it started (reconciliation done). */
  static async start(opts: DaemonProcessOptions): Promise<DaemonProcess> {
    const p = new DaemonProcess(spawnDaemon(opts));
    try {
      await p.waitForLog((l) => l.message === 'callbackd started', opts.startTimeoutMs ?? 30_000, 'callbackd started');
    } catch (err) {
      await p.kill();
      throw err;
    }
    return p;
  }

  /** `callbackd start` that is expected to refuse: resolves with its exit code and what it wrote once it
   *  has exited; a process still running after `timeoutMs` is killed and the test fails. */
  static async refused(opts: DaemonProcessOptions, timeoutMs = 20_000): Promise<{ code: number | null; log: string; ms: number }> {
    const t0 = Date.now();
    const p = new DaemonProcess(spawnDaemon(opts));
    const timer = setTimeout(() => void p.kill(), timeoutMs);
    const code = await p.exit;
    clearTimeout(timer);
    const ms = Date.now() - t0;
    if (p.lines.some((l) => l.message === 'callbackd started')) throw new Error(`daemon started instead of refusing:\n${p.tail()}`);
    if (ms >= timeoutMs) throw new Error(`daemon neither started nor exited within ${timeoutMs} ms:\n${p.tail()}`);
    return { code, log: p.log, ms };
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything it wrote to stderr (for failure messages). */
  get log(): string {
    return this.text;
  }

  /** A mark in its log: "lines after this moment" for waitForLog. */
  get mark(): number {
    return this.lines.length;
  }

  /** Resolves with the first log line matching `pred`, from line `from` on (default: all it logged). */
  async waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 15_000, what = 'log line', from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(pred);
      if (found) return found;
      if (this.exited) throw new Error(`daemon exited while waiting for ${what}:\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; daemon said:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** kill -9: no shutdown code runs, nothing is flushed or hung up. Resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM, the orderly stop; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.exited) this.child.kill('SIGTERM');
    return this.exit;
  }

  /** The last lines it logged. */
  tail(n = 15): string {
    return this.text.split('\n').slice(-n).join('\n');
  }
}

function spawnDaemon(opts: DaemonProcessOptions): ChildProcess {
  return spawn(path.join(root, 'bin/callbackd'), ['start'], {
    env: {
      ...process.env,
      CALLBACKD_ARI_URL: ari.url,
      CALLBACKD_ARI_USER: ari.user,
      CALLBACKD_ARI_PASSWORD: ari.password,
      CALLBACKD_DB_PATH: opts.dbPath,
      CALLBACKD_LOG_FORMAT: 'json',
      CALLBACKD_LOG_LEVEL: 'info',
      CALLBACKD_METRICS_BIND: '',
      CALLBACKD_IVR_OFFER_DELAY_SECONDS: '1',
      CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '2',
      CALLBACKD_IVR_MENU_TIMEOUT_SECONDS: '4',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Daemon processes started and not gone yet. */
const running = new Set<DaemonProcess>();

/** Kills every daemon process still running (afterEach, also after a failed test). */
export async function killAllDaemons(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

process.on('exit', () => {
  for (const p of running) process.kill(p.pid, 'SIGKILL');
});
