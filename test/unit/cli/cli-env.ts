// A throw-away CLI environment per test: temp database path, a sounds.dir with every shipped prompt
// (empty files suffice: only their presence is checked), a config file, and an in-process runner that
// captures what the command prints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../../../src/app/ports';
import { buildProgram } from '../../../src/cli/index';
import { sink } from '../../../src/cli/output';
import { PROMPT_IDS } from '../../../src/domain/prompts';
import { CallbackdError } from '../../../src/errors';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';

export interface CliEnv {
  dir: string;
  db: string;
  soundsDir: string;
  configFile: string;
  /** Runs `callbackd --config <file> --db <db> ...args` in-process; rejects with the command's error. */
  run(args: string[], clock?: Clock): Promise<string>;
  /** Like run, but returns the error the command failed with (throws if it succeeded). */
  fail(args: string[], clock?: Clock): Promise<CallbackdError>;
  /** Output and error of a command that may fail after printing (doctor). */
  attempt(args: string[], clock?: Clock): Promise<{ out: string; error?: CallbackdError }>;
  /** Opens the same database directly (close it before the next run is not required: WAL). */
  store(): SqliteStore;
  cleanup(): void;
}

/** A loopback port nothing listens on: CLI unit tests never reach a real Asterisk unless they bring one. */
const NO_ARI = 'http://127.0.0.1:9';

export function makeCliEnv(opts: { languages?: string[]; ari?: Record<string, unknown> } = {}): CliEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-cli-'));
  const soundsDir = path.join(dir, 'sounds');
  for (const lang of opts.languages ?? ['en', 'de']) {
    fs.mkdirSync(path.join(soundsDir, lang), { recursive: true });
    for (const id of PROMPT_IDS) fs.writeFileSync(path.join(soundsDir, lang, `${id}.wav`), '');
  }
  const configFile = path.join(dir, 'callbackd.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ sounds: { dir: soundsDir, prefix: 'callbackd' }, ari: { url: NO_ARI, requestTimeoutMs: 1000, ...opts.ari } }),
  );
  const db = path.join(dir, 'callbackd.db');
  const opened: SqliteStore[] = [];

  const attempt = async (args: string[], clock?: Clock): Promise<{ out: string; error?: CallbackdError }> => {
    let out = '';
    const saved = sink.out;
    sink.out = (text) => void (out += text);
    try {
      await buildProgram({ clock }).parseAsync(['node', 'callbackd', '--config', configFile, '--db', db, ...args]);
      return { out };
    } catch (err) {
      if (err instanceof CallbackdError) return { out, error: err };
      throw err;
    } finally {
      sink.out = saved;
    }
  };
  const run = async (args: string[], clock?: Clock): Promise<string> => {
    const r = await attempt(args, clock);
    if (r.error) throw r.error;
    return r.out;
  };

  return {
    dir,
    db,
    soundsDir,
    configFile,
    run,
    attempt,
    fail: async (args, clock) => {
      const r = await attempt(args, clock);
      if (!r.error) throw new Error(`expected callbackd ${args.join(' ')} to fail`);
      return r.error;
    },
    store: () => {
      const s = openStore(db);
      opened.push(s);
      return s;
    },
    cleanup: () => {
      for (const s of opened) s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests move by hand. */
export function fixedClock(start: number): Clock & { set(t: number): void } {
  let now = start;
  return { now: () => now, set: (t) => void (now = t) };
}

/** Minimal RIFF/WAVE PCM file (silence) with the given format, for conversion tests without sox. */
export function wavBytes(sampleRate: number, channels: number, bits = 16, seconds = 0.1): Buffer {
  const frames = Math.round(sampleRate * seconds);
  const blockAlign = (channels * bits) / 8;
  const data = frames * blockAlign;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * blockAlign, 28);
  b.writeUInt16LE(blockAlign, 32);
  b.writeUInt16LE(bits, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  return b;
}

let seq = 0;

/** A callback slot as the call flow leaves it: a live caller who asked for a callback. */
export function seedCallback(
  store: SqliteStore,
  e: { id: string; queue?: string; did?: string; enteredAt: number; requestedAt: number; number?: string },
): void {
  const queue = e.queue ?? 'support';
  store.entries.addLive({
    id: e.id,
    queue,
    did: e.did ?? '+4930123456',
    channelId: `chan-${e.id}`,
    callerId: null,
    enteredAt: e.enteredAt,
  });
  store.entries.requestCallback({
    entryId: e.id,
    number: e.number ?? `+4917012345${String(seq++ % 100).padStart(2, '0')}`,
    requestedAt: e.requestedAt,
    language: 'en',
  });
}
