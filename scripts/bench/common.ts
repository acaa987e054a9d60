// What both kinds of round share: settings, caller IDs, ramping, waiting with a deadline, and how much
// CPU the sandbox Asterisk used meanwhile.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FarEvent, PoolHandlers } from './callers';
import { sleep } from './stats';

export interface RoundOptions {
  /** This script's path, forked as the caller process. */
  script: string;
  /** New calls per second. */
  rate: number;
  /** A round that has not finished after this many seconds fails. */
  timeoutSeconds: number;
  /** Keep the temporary directory (database, daemon log) of each round. */
  keep: boolean;
}

/** Distinct, valid German mobile numbers (+49 151 000 1xxxx), one per caller; `round` keeps rounds apart. */
export function callerIdFor(round: number, i: number): string {
  return `+49151000${String(round % 10)}${String(i).padStart(4, '0')}`;
}

/** Calls `start(i)` for i in 0..n-1 at `rate` per second. */
export async function ramp(n: number, rate: number, start: (i: number) => void, stop: () => boolean): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    if (stop()) return;
    const due = t0 + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    start(i);
  }
}

/** Resolves true once `done()` holds, false at the deadline. */
export async function waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** CPU seconds used so far by the sandbox Asterisk (utime+stime from /proc), if we can see its pid. */
export function asteriskCpuSeconds(): number | undefined {
  try {
    const dir = process.env.CALLBACKD_SANDBOX_DIR ?? path.resolve(__dirname, '..', '..', '.sandbox');
    const pid = fs.readFileSync(path.join(dir, 'asterisk.pid'), 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 is index 0: utime = field 14 → index 11, stime = field 15 → index 12.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Asterisk CPU over a wall-clock window, in percent of one core ("150%" = 1.5 cores busy). */
export function asteriskCpuPercent(before: number | undefined, after: number | undefined, wallMs: number): number | undefined {
  if (before === undefined || after === undefined || wallMs <= 0) return undefined;
  return ((after - before) * 1000 * 100) / wallMs;
}

/** Why a call that was up can end before its confirmation: something outside the flow hung it up. */
export const EARLY =
  'hung up before the confirmation started — not by the flow; another ARI client hanging up channels ' +
  '(e.g. an integration test run: TestLine.hangupAll() ends every channel) or Asterisk giving up on it';

/** What both kinds of round record per call for the tracker below. */
export interface TrackedCall {
  key: string;
  up: boolean;
  ended: boolean;
  confirmAt?: number;
  /** Answered, then hung up before the confirmation started: not by the flow itself. */
  early?: boolean;
  failure?: string;
}

/** The calls of one round and how many are up at once: the same bookkeeping for daemon and baseline. */
export class CallTracker<C extends TrackedCall> {
  readonly calls = new Map<string, C>();
  up = 0;
  peakUp = 0;

  add(call: C): void {
    this.calls.set(call.key, call);
  }

  /** The call is over: by failure, or ended without a confirmation (EARLY), or normally. */
  settle(call: C, failure?: string): void {
    if (call.ended) return;
    call.ended = true;
    if (call.up) this.up--;
    if (failure) call.failure = failure;
    else if (call.confirmAt === undefined) {
      call.failure = EARLY;
      call.early = true;
    }
  }

  allEnded(n: number): boolean {
    return this.calls.size === n && [...this.calls.values()].every((c) => c.ended);
  }

  /** Caller-pool handlers that keep this tracker up to date; `far` for rounds that watch the far leg. */
  handlers(far?: (call: C, event: FarEvent) => void): PoolHandlers {
    const each = (key: string, fn: (call: C) => void) => {
      const call = this.calls.get(key);
      if (call) fn(call);
    };
    return {
      up: (key) =>
        each(key, (call) => {
          call.up = true;
          this.up++;
          this.peakUp = Math.max(this.peakUp, this.up);
        }),
      failed: (key, error) => each(key, (call) => this.settle(call, error)),
      ended: (key) => each(key, (call) => this.settle(call)),
      far: far ? (key, event) => each(key, (call) => far(call, event)) : undefined,
      pressFailed: (key, error) => each(key, (call) => (call.failure ??= `pressing 1 failed: ${error}`)),
    };
  }
}
