// Bounds for every duration the daemon turns into a timer. Node's setTimeout keeps its delay in a signed
// 32-bit integer: a delay above 2^31-1 ms (about 24.8 days) is replaced by 1 ms, so a mistyped "wait a
// month" would fire at once. Settings and CLI values are therefore checked against documented ranges
// whose maxima stay far below that ceiling, and timer helpers can refuse anything above it.

/** The largest delay setTimeout honours (ms); anything above fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** MAX_TIMER_MS in whole seconds (2147483 s ≈ 24.8 days). */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** An inclusive range; `integer` refuses fractions (counts, milliseconds, whole seconds). */
export interface Range {
  min: number;
  max: number;
  integer?: boolean;
}

export type RangeFailure = 'not-a-number' | 'not-an-integer' | 'below-min' | 'above-max';

export type Bounded = { ok: true; value: number } | { ok: false; reason: RangeFailure };

/** Checks a number against an inclusive range. NaN and ±Infinity are never in range. */
export function checkRange(value: number, range: Range): Bounded {
  if (!Number.isFinite(value)) return { ok: false, reason: 'not-a-number' };
  if (range.integer && !Number.isInteger(value)) return { ok: false, reason: 'not-an-integer' };
  if (value < range.min) return { ok: false, reason: 'below-min' };
  if (value > range.max) return { ok: false, reason: 'above-max' };
  return { ok: true, value };
}

/** Milliseconds per unit of the durations we accept. */
export const UNIT_MS = { ms: 1, s: 1000, min: 60_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/** True when `ms` is a delay setTimeout honours as given (0 … MAX_TIMER_MS). */
export function fitsTimer(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIMER_MS;
}

/**
 * Checks a duration in seconds against `range`. The range itself must fit a timer: a range whose max
 * would overflow setTimeout is a programming error and throws, so no caller can declare one.
 */
export function boundSeconds(seconds: number, range: Range): Bounded {
  return boundDuration(seconds, 's', range);
}

/** Like boundSeconds for a duration in any unit we use (ms, s, min). */
export function boundDuration(value: number, unit: DurationUnit, range: Range): Bounded {
  if (!fitsTimer(range.max * UNIT_MS[unit]) || range.min < 0) {
    throw new RangeError(`duration range ${range.min}..${range.max} ${unit} does not fit a timer (0..${MAX_TIMER_MS} ms)`);
  }
  return checkRange(value, range);
}

/** "a whole number from 1 to 10", "a number from 0 to 3600": what a range accepts, for messages. */
export function describeRange(range: Range, unit?: string): string {
  const what = range.integer ? 'a whole number' : 'a number';
  return `${what}${unit ? ` of ${unit}` : ''} from ${range.min} to ${range.max}`;
}
