// The sandbox Asterisk as a test may treat it: stopped, started, or killed outright (kill -9 of the
// process scripts/asterisk-sandbox started, as a crash would end it). Only for tests that own the
// sandbox (env.ts ownsSandbox): an external Asterisk cannot be killed from here.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ownsSandbox } from './env';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'scripts/asterisk-sandbox');
const pidFile = path.join(process.env.CALLBACKD_SANDBOX_DIR ?? path.join(root, '.sandbox'), 'asterisk.pid');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startSandbox(): Promise<void> {
  await run('bash', [script, 'start'], { timeout: 60_000 });
}

/** Starts the sandbox again if a test left it down (only when it is ours to start). */
export async function ensureSandbox(): Promise<void> {
  if (!ownsSandbox) return;
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : 0;
  if (pid > 0 && alive(pid)) return;
  await startSandbox();
}

export async function stopSandbox(): Promise<void> {
  await run('bash', [script, 'stop'], { timeout: 30_000 });
}

/** kill -9 of Asterisk: every call ends on the spot without a BYE or a hangup event. Resolves once
 *  the process is gone. */
export async function crashSandbox(): Promise<void> {
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no Asterisk pid in ${pidFile}`);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`Asterisk (pid ${pid}) still alive 10 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
