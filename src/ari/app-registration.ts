// May this daemon register our Stasis app? Asterisk keeps one event socket per app: a second
// registration silently takes every new call from the first (which is then told ApplicationReplaced and
// hears nothing more). So a daemon refuses to start while another callbackd owns the app, instead of
// stealing it from a running one — and takes it over at once from one that died (app-lease.ts says why
// "registered" alone cannot tell the two apart).
import os from 'node:os';
import { processAlive } from '../process-identity';
import type { AriCredentials } from './preflight';
import { AriError } from './errors';
import { type LeaseOwner, readLease } from './app-lease';
import { ariPlainRequest } from './plain-http';

export interface AppRegistrationOptions {
  requestTimeoutMs: number;
  /** How long a lease on another host may go without a beat before it counts as dead. */
  staleMs: number;
  /** How long an app registered without any lease (not a callbackd) may take to go away. */
  graceMs?: number;
  pollMs?: number;
}

const GRACE_MS = 3000;
const POLL_MS = 250;

export type ClaimVerdict =
  | { kind: 'free' }
  | { kind: 'dead-owner'; owner: LeaseOwner }
  | { kind: 'held'; by: string }
  | { kind: 'unleased' }
  | { kind: 'watch'; owner: LeaseOwner };

export interface Here {
  host: string;
  pid: number;
  alive: (pid: number, startTicks: string | null) => boolean;
}

/** What one look at Asterisk (is the app registered, whose lease is on it) says about claiming it. */
export function judgeClaim(registered: boolean, owner: LeaseOwner | undefined, here: Here): ClaimVerdict {
  if (!registered) return { kind: 'free' };
  if (!owner) return { kind: 'unleased' };
  if (owner.host !== here.host) return { kind: 'watch', owner };
  // Our own pid: this process registered it before (a restart of the connection), not a rival.
  if (owner.pid === here.pid) return { kind: 'free' };
  if (here.alive(owner.pid, owner.startTicks)) return { kind: 'held', by: describe(owner) };
  return { kind: 'dead-owner', owner };
}

const describe = (o: LeaseOwner): string => `callbackd pid ${o.pid} on host ${o.host} (since ${o.since})`;

export type Claim = { kind: 'free' } | { kind: 'taken-over'; from: LeaseOwner; why: 'process gone' | 'lease stale' };

/** Resolves when this daemon may register `app`; throws ARI_APP_IN_USE when a live owner holds it. */
export async function claimApp(creds: AriCredentials, app: string, opts: AppRegistrationOptions): Promise<Claim> {
  const here: Here = { host: os.hostname(), pid: process.pid, alive: processAlive };
  const look = async () =>
    judgeClaim(await appRegistered(creds, app, opts.requestTimeoutMs), await readLease(creds, app, opts.requestTimeoutMs), here);
  const inUse = (by: string) =>
    new AriError(
      'ARI_APP_IN_USE',
      `ARI application '${app}' on ${creds.url} is in use by ${by}; stop it, or give this daemon its own ari.app`,
    );
  const first = await look();
  switch (first.kind) {
    case 'free':
      return { kind: 'free' };
    case 'dead-owner':
      return { kind: 'taken-over', from: first.owner, why: 'process gone' };
    case 'held':
      throw inUse(first.by);
    case 'unleased': {
      // Registered by something that is not a callbackd (or one that just stopped): give it a moment.
      const deadline = Date.now() + (opts.graceMs ?? GRACE_MS);
      while (Date.now() < deadline) {
        await sleep(opts.pollMs ?? POLL_MS);
        if (!(await appRegistered(creds, app, opts.requestTimeoutMs))) return { kind: 'free' };
      }
      throw inUse('another ARI client (it holds no callbackd lease)');
    }
    case 'watch': {
      // Another host: alive while its beat moves. Wait out one stale period.
      const deadline = Date.now() + opts.staleMs;
      while (Date.now() < deadline) {
        await sleep(opts.pollMs ?? POLL_MS);
        const now = await look();
        if (now.kind === 'free') return now;
        if (now.kind === 'dead-owner') return { kind: 'taken-over', from: now.owner, why: 'process gone' };
        if (now.kind === 'held') throw inUse(now.by);
        // Its lease cleared (an orderly stop in progress): wait for the registration to go too.
        if (now.kind === 'unleased') continue;
        if (now.owner.beat !== first.owner.beat || now.owner.pid !== first.owner.pid || now.owner.host !== first.owner.host) {
          throw inUse(describe(now.owner));
        }
      }
      return { kind: 'taken-over', from: first.owner, why: 'lease stale' };
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /ari/applications/{app}: 200 while Asterisk has it registered (active or not), 404 otherwise. */
export async function appRegistered(creds: AriCredentials, app: string, timeoutMs: number): Promise<boolean> {
  const res = await ariPlainRequest(creds, 'GET', `applications/${encodeURIComponent(app)}`, timeoutMs);
  await res.body?.cancel();
  if (res.status === 404) return false;
  if (res.ok) return true;
  throw new AriError('ARI_REQUEST_FAILED', `ARI at ${creds.url} answered HTTP ${res.status} to /ari/applications/${app}`);
}
