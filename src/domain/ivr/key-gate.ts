// How many of a caller's keys are taken per second: a token bucket per channel, pure (the time is passed
// in). Each key the menu acts on can cost ARI requests (stop the prompt, play the next), so a phone or an
// attacker sending hundreds of RFC 4733 events a second would otherwise turn into hundreds of requests a
// second against the one PBX every caller shares. A person types at most a few keys a second, and a
// phone dialling a stored number about ten: the burst lets a whole number through at that speed, the
// rate keeps a storm to a handful of decisions.

export interface KeyGateSettings {
  /** Keys taken back to back before the rate applies. */
  burst: number;
  /** Keys per second taken after that. */
  perSecond: number;
}

/** The longest whole answer at once — menu key, 00, 15 digits, # and the confirming 1: 20 keys — and
 *  after that 8 keys a second, above any person's typing and still a handful of requests. */
export const DEFAULT_KEY_GATE: KeyGateSettings = { burst: 20, perSecond: 8 };

export interface KeyGateState {
  /** Keys that may be taken now (fractional: the bucket refills continuously). */
  tokens: number;
  /** When `tokens` was computed (epoch ms). */
  at: number;
  /** Keys refused since the storm began (the bucket last ran dry): the app logs a storm, not each key. */
  dropped: number;
}

export function initialKeyGate(now: number, s: KeyGateSettings = DEFAULT_KEY_GATE): KeyGateState {
  return { tokens: s.burst, at: now, dropped: 0 };
}

export interface KeyVerdict {
  take: boolean;
  state: KeyGateState;
  /** On the first key after a storm (the bucket had refilled completely): how many keys it lost. */
  stormDropped: number;
}

/** Whether a key arriving at `now` is taken, and the bucket after it. */
export function admitKey(state: KeyGateState, now: number, s: KeyGateSettings = DEFAULT_KEY_GATE): KeyVerdict {
  // A clock stepping backwards must not refill the bucket nor drain it.
  const elapsed = Math.max(0, now - state.at);
  const tokens = Math.min(s.burst, state.tokens + (elapsed * s.perSecond) / 1000);
  const at = Math.max(now, state.at);
  // A full bucket means the keys have been slow again for a while: the storm, if any, is over.
  const stormDropped = tokens >= s.burst ? state.dropped : 0;
  const dropped = state.dropped - stormDropped;
  if (tokens >= 1) return { take: true, state: { tokens: tokens - 1, at, dropped }, stormDropped };
  return { take: false, state: { tokens, at, dropped: dropped + 1 }, stormDropped };
}
