// Steps of a caller's journey, as the tests read them: "wait until the daemon plays X to this caller".
import Database from 'better-sqlite3';
import type { CallEntered, TelephonyEvent } from '../../../src/app/telephony';
import type { QueueEntry } from '../../../src/domain/model';
import type { SipPhone } from './sip-phone';
import type { TestDaemon } from './test-daemon';
import type { TestLine } from './test-line';

/** The test's side of a caller's call: the test line's ARI leg (TestCall) or a SIP phone's (PhoneCall). */
export interface CallerLeg {
  press(keys: string): Promise<void>;
  hangup(): Promise<void>;
  ended(timeoutMs?: number): Promise<unknown>;
}

export interface Caller {
  call: CallerLeg;
  /** The daemon's side of the same SIP call. */
  channelId: string;
  callerId: string;
}

/** Dials a DID and waits until the daemon has the call. */
export async function dial(
  line: TestLine,
  d: TestDaemon,
  did: string,
  callerId: string,
  opts: { presentation?: string } = {},
): Promise<Caller> {
  const from = d.events.events.length;
  const call = await line.call(did, callerId, opts);
  // '"Anonymous" <anonymous>' arrives as number 'anonymous', as a withheld number does from many trunks.
  const number = /<([^>]*)>/.exec(callerId)?.[1] ?? callerId;
  const { event } = await d.events.waitFor((e: TelephonyEvent): e is CallEntered => e.type === 'call-entered' && e.callerId === number, {
    from,
    what: `daemon side of ${callerId} → ${did}`,
  });
  return { call, channelId: event.channelId, callerId: number };
}

/**
 * A real SIP phone (SipPhone.caller) dials a DID through the sandbox, as a caller from the PSTN would;
 * resolves once the daemon has the call and answered it.
 */
export async function dialFromPhone(phone: SipPhone, d: TestDaemon, did: string): Promise<Caller> {
  const from = d.events.events.length;
  const call = await phone.dial(did);
  await call.established();
  const number = phone.opts.user;
  const { event } = await d.events.waitFor((e: TelephonyEvent): e is CallEntered => e.type === 'call-entered' && e.callerId === number, {
    from,
    what: `daemon side of SIP phone ${number} → ${did}`,
  });
  return { call, channelId: event.channelId, callerId: number };
}

/** Waits for the daemon to start playing `prompt` (e.g. "en/offer") to this caller; returns the event index. */
export async function hears(
  d: TestDaemon,
  caller: Caller,
  prompt: string,
  opts: { from?: number; timeoutMs?: number } = {},
): Promise<number> {
  const media = `sound:callbackd/${prompt}`;
  const { index } = await d.events.waitFor((e) => e.type === 'playback-started' && e.channelId === caller.channelId && e.media === media, {
    from: opts.from,
    timeoutMs: opts.timeoutMs ?? 30_000,
    what: `${caller.callerId} hearing ${media}`,
  });
  return index;
}

/** Resolves once the daemon's side of the call has left the app. */
export async function daemonHungUp(d: TestDaemon, caller: Caller): Promise<void> {
  await d.events.waitFor((e) => e.type === 'call-left' && e.channelId === caller.channelId, { what: `${caller.callerId} leaving` });
}

/** Every queue row this caller has, open or closed, read straight from the daemon's SQLite file. */
export function rowsOf(
  d: TestDaemon,
  caller: Caller,
): Array<{ id: string; kind: string; state: string; entered_at: number; callback_number: string | null; language: string | null }> {
  const db = new Database(d.config.db.path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM queue_entries WHERE caller_id IS ? ORDER BY entered_at').all(caller.callerId) as never;
  } finally {
    db.close();
  }
}

export function openEntry(d: TestDaemon, caller: Caller): QueueEntry | undefined {
  return d.daemon.sqlite.entries.open('support').find((e) => e.callerId === caller.callerId);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a condition that the daemon reaches asynchronously (after a hangup, say). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
