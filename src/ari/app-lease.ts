// Which callbackd owns our Stasis app on this Asterisk, kept in an Asterisk global variable
// (CALLBACKD_OWNER_<app>) that the owner rewrites every few seconds with a growing beat count.
//
// Why not just ask Asterisk whether the app is registered: after a daemon is killed -9 its app stays in
// Asterisk's registry (inactive) for as long as any channel or bridge it created is still there — the
// very calls the restarted daemon must adopt. So "registered" cannot tell a live rival from a dead
// predecessor; the lease can: the owner's pid (with its start time) on this host, or its beat elsewhere.
// An Asterisk restart forgets the variable together with the registrations, so it never outlives both.
import os from 'node:os';
import type { Logger } from '../log';
import { processStartTicks } from '../process-identity';
import type { AriCredentials } from './preflight';
import { ariPlainRequest, okJson } from './plain-http';

export interface LeaseOwner {
  host: string;
  pid: number;
  /** /proc start ticks of `pid` (tells a reused pid); null where /proc is not readable. */
  startTicks: string | null;
  since: string;
  /** Grows with every heartbeat: a rival on another host is alive while it keeps changing. */
  beat: number;
}

/** Asterisk global variable names are safest as [A-Za-z0-9_]: other characters (and _) become _<hex>,
 *  so that two app names never share a variable. */
export const leaseVariable = (app: string): string =>
  `CALLBACKD_OWNER_${app.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;

export async function readLease(creds: AriCredentials, app: string, timeoutMs: number): Promise<LeaseOwner | undefined> {
  const path = `asterisk/variable?variable=${encodeURIComponent(leaseVariable(app))}`;
  const { value } = await okJson<{ value?: string }>(
    await ariPlainRequest(creds, 'GET', path, timeoutMs),
    creds,
    'GET /ari/asterisk/variable',
  );
  return parseLease(value ?? '');
}

export function parseLease(value: string): LeaseOwner | undefined {
  if (value === '') return undefined;
  try {
    const o = JSON.parse(value) as Partial<LeaseOwner>;
    if (typeof o.host !== 'string' || typeof o.pid !== 'number' || typeof o.beat !== 'number') return undefined;
    return { host: o.host, pid: o.pid, startTicks: o.startTicks ?? null, since: String(o.since ?? '?'), beat: o.beat };
  } catch {
    return undefined;
  }
}

async function writeLease(creds: AriCredentials, app: string, value: string, timeoutMs: number): Promise<void> {
  const path = `asterisk/variable?variable=${encodeURIComponent(leaseVariable(app))}&value=${encodeURIComponent(value)}`;
  const res = await ariPlainRequest(creds, 'POST', path, timeoutMs);
  await res.body?.cancel();
  if (!res.ok) throw new Error(`HTTP ${res.status} setting ${leaseVariable(app)}`);
}

export interface AppLeaseOptions {
  app: string;
  requestTimeoutMs: number;
  beatMs: number;
  log: Logger;
  now?: () => Date;
}

/** This process's lease on the app: written at once, then beaten until stop(). */
export class AppLease {
  private readonly me: LeaseOwner;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly creds: AriCredentials,
    private readonly opts: AppLeaseOptions,
  ) {
    this.me = {
      host: os.hostname(),
      pid: process.pid,
      startTicks: processStartTicks(process.pid),
      since: (opts.now ?? (() => new Date()))().toISOString(),
      beat: 0,
    };
  }

  /** Writes the lease (a failure here fails the start: the app would be ours without a claim). */
  async start(): Promise<void> {
    await writeLease(this.creds, this.opts.app, JSON.stringify(this.me), this.opts.requestTimeoutMs);
    this.timer = setInterval(() => this.beat(), this.opts.beatMs);
    this.timer.unref();
  }

  private beat(): void {
    this.me.beat++;
    // One write at a time: a slow Asterisk must not pile up requests; a missed beat is only late.
    this.writing = this.writing
      .then(() => writeLease(this.creds, this.opts.app, JSON.stringify(this.me), this.opts.requestTimeoutMs))
      .catch((err: unknown) => {
        // Asterisk down or restarting: the next beat writes it again (a restart forgot the variable).
        this.opts.log.debug('ARI app lease heartbeat failed', { app: this.opts.app, error: (err as Error).message });
      });
  }

  /** Stops beating and clears the lease if it is still ours, so the next start need not check it. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    try {
      const current = await readLease(this.creds, this.opts.app, this.opts.requestTimeoutMs);
      if (current && current.host === this.me.host && current.pid === this.me.pid) {
        await writeLease(this.creds, this.opts.app, '', this.opts.requestTimeoutMs);
      }
    } catch {
      /* Asterisk gone: it forgot the lease anyway, or the next start finds our pid dead */
    }
  }
}
