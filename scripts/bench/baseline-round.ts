// One baseline round: the same request done by the dialplan alone (context `bench-baseline`: Answer,
// Playback offer, Read 1 digit, UserEvent BenchKey, UserEvent BenchConfirm, Playback confirmation), N SIP
// callers dialling +4932000001. No daemon runs. The caller process subscribes to all channels so it sees
// the far leg's events, with Asterisk's timestamps.
import type { FarEvent } from './callers';
import { CallerPool } from './callers';
import { asteriskCpuPercent, asteriskCpuSeconds, callerIdFor, CallTracker, ramp, type RoundOptions, waitUntil } from './common';
import { ariTime } from './stats';

export const BASELINE_DID = '+4932000001';
const CONFIRMATION = 'callbackd/en/confirmation';
/** Playback() cannot be interrupted: the caller presses 1 this long after Read() started listening. */
const PRESS_AFTER_READ_MS = 500;

interface BaselineCall {
  key: string;
  callerId: string;
  up: boolean;
  pressed: boolean;
  upAtPress?: number;
  dtmfAt?: number;
  keyAt?: number;
  keyDigit?: string;
  confirmEventAt?: number;
  confirmAt?: number;
  ended: boolean;
  /** Answered, then hung up before the confirmation started: not by the flow itself. */
  early?: boolean;
  failure?: string;
}

export interface BaselineRoundResult {
  n: number;
  completed: boolean;
  message?: string;
  /** ms per caller: far leg's ChannelDtmfReceived('1') → ChannelDialplan Playback(confirmation). */
  latencies: number[];
  /** ms per caller: ChannelUserevent BenchKey → ChannelDialplan Playback(confirmation). */
  keyToConfirm: number[];
  answered: number;
  pressed: number;
  confirmed: number;
  failures: string[];
  /** Calls that were up but ended before their confirmation started (see EARLY in common.ts). */
  endedEarly: number;
  peakUp: number;
  upAtPress: number[];
  wallMs: number;
  asteriskCpuPct?: number;
}

export async function baselineRound(round: number, n: number, opts: RoundOptions): Promise<BaselineRoundResult> {
  const tracker = new CallTracker<BaselineCall>();
  const timers = new Set<NodeJS.Timeout>();
  let pool: CallerPool | undefined;
  const result: BaselineRoundResult = {
    n,
    completed: false,
    latencies: [],
    keyToConfirm: [],
    answered: 0,
    pressed: 0,
    confirmed: 0,
    failures: [],
    endedEarly: 0,
    peakUp: 0,
    upAtPress: [],
    wallMs: 0,
  };

  const onFar = (call: BaselineCall, e: FarEvent) => {
    const at = ariTime(e.timestamp);
    if (e.kind === 'dialplan' && e.app === 'Read' && !call.pressed) {
      call.pressed = true;
      const t = setTimeout(() => {
        timers.delete(t);
        call.upAtPress = tracker.up;
        pool?.press(call.key, '1');
      }, PRESS_AFTER_READ_MS);
      timers.add(t);
    } else if (e.kind === 'dtmf' && e.digit === '1' && call.dtmfAt === undefined) {
      call.dtmfAt = at;
    } else if (e.kind === 'userevent' && e.name === 'BenchKey' && call.keyAt === undefined) {
      call.keyAt = at;
      call.keyDigit = e.digit;
    } else if (e.kind === 'userevent' && e.name === 'BenchConfirm' && call.confirmEventAt === undefined) {
      call.confirmEventAt = at;
    } else if (e.kind === 'dialplan' && e.app === 'Playback' && e.data === CONFIRMATION && call.confirmAt === undefined) {
      call.confirmAt = at;
    }
  };

  try {
    pool = await CallerPool.open(opts.script, { subscribeAll: true }, tracker.handlers(onFar));

    const ast0 = asteriskCpuSeconds();
    const t0 = Date.now();
    const deadline = t0 + opts.timeoutSeconds * 1000;
    await ramp(
      n,
      opts.rate,
      (i) => {
        const callerId = callerIdFor(round, i);
        const call: BaselineCall = { key: callerId, callerId, up: false, pressed: false, ended: false };
        tracker.add(call);
        pool!.call(call.key, `PJSIP/${BASELINE_DID}@loop`, callerId);
      },
      () => Date.now() > deadline || !pool!.alive,
    );
    // The dialplan hangs up after the confirmation; the round is over when every call has ended.
    const finished = await waitUntil(() => tracker.allEnded(n), deadline);
    result.wallMs = Date.now() - t0;
    result.asteriskCpuPct = asteriskCpuPercent(ast0, asteriskCpuSeconds(), result.wallMs);
    result.completed = finished;
    if (!finished) {
      const open = [...tracker.calls.values()].filter((c) => !c.ended);
      result.message =
        `round not finished after ${opts.timeoutSeconds} s: ${n - tracker.calls.size} calls never placed, ${open.length} still up ` +
        `(${open.filter((c) => !c.up).length} not answered, ${open.filter((c) => c.up && !c.pressed).length} not yet in Read(), ` +
        `${open.filter((c) => c.pressed && c.confirmAt === undefined).length} pressed but no confirmation)`;
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    const cleaned = pool ? await pool.cleanup().catch(() => undefined) : undefined;
    if (cleaned && cleaned.own + cleaned.far > 0)
      result.failures.push(`cleanup hung up ${cleaned.own} caller legs and ${cleaned.far} far legs still up`);
    await pool?.close();
  }

  for (const call of tracker.calls.values()) {
    if (call.early) result.endedEarly++;
    if (call.up) result.answered++;
    if (call.dtmfAt !== undefined) result.pressed++;
    const keyed = call.keyAt !== undefined && call.keyDigit === '1';
    if (call.confirmAt !== undefined && keyed) result.confirmed++;
    if (call.confirmAt !== undefined && call.dtmfAt !== undefined && keyed) result.latencies.push(call.confirmAt - call.dtmfAt);
    if (call.confirmAt !== undefined && keyed) result.keyToConfirm.push(call.confirmAt - call.keyAt!);
    if (call.keyAt !== undefined && call.keyDigit !== '1')
      result.failures.push(`${call.callerId}: Read() got '${call.keyDigit ?? ''}', not 1 (timed out?)`);
    else if (call.failure && !call.early) result.failures.push(`${call.callerId}: ${call.failure}`);
  }
  result.peakUp = tracker.peakUp;
  result.upAtPress = [...tracker.calls.values()].flatMap((c) => (c.upAtPress === undefined ? [] : [c.upAtPress]));
  return result;
}
