// Wait-time rules. `now` is always passed in: the domain never reads the clock.
import type { Millis, QueueConfig, QueueEntry } from '../model';

/**
 * How long the entry has held its place. For a callback slot this counts from the original call,
 * since the slot inherits `enteredAt`. Clamped at 0 so clock skew between callers cannot go negative.
 */
export function waitedMs(entry: QueueEntry, now: Millis): Millis {
  return Math.max(0, now - entry.enteredAt);
}

/**
 * True when a live caller has waited the queue's maximum and should overflow. Callback slots are
 * exempt: the caller already hung up on the promise of keeping their place, overflowing them would
 * break that promise. Inclusive (>=) so a timer set for exactly enteredAt + max fires successfully.
 */
export function isPastMaxWait(entry: QueueEntry, queue: QueueConfig, now: Millis): boolean {
  if (entry.kind !== 'live' || entry.state !== 'waiting') return false;
  if (queue.maxWaitSeconds === null) return false;
  return waitedMs(entry, now) >= queue.maxWaitSeconds * 1000;
}
