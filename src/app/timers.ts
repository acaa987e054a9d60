// Every timer of the call flows goes through here. Node fires a setTimeout whose delay exceeds
// 2^31-1 ms (about 24.8 days) after 1 ms, which once threw every caller out of a queue configured with
// a long max wait; a delay here is chained in safe steps instead, and NaN/negative delays fire at once.
import { MAX_TIMER_MS } from '../domain/durations';

export const MAX_TIMEOUT_MS = MAX_TIMER_MS;

export interface TimerHandle {
  cancel(): void;
}

/** setTimeout that cannot overflow: long delays are chained in steps of at most MAX_TIMEOUT_MS. */
export function boundedTimeout(fn: () => void, ms: number, opts: { unref?: boolean } = {}): TimerHandle {
  let left = Number.isFinite(ms) && ms > 0 ? ms : 0;
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = () => {
    const step = Math.min(left, MAX_TIMEOUT_MS);
    left -= step;
    handle = setTimeout(() => {
      if (cancelled) return;
      if (left > 0) arm();
      else fn();
    }, step);
    if (opts.unref) handle.unref();
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      clearTimeout(handle);
    },
  };
}

/** Named timers of one call: setting a name again replaces it; clearAll() when the call is over. */
export class Timers<Name extends string = string> {
  private readonly handles = new Map<Name, TimerHandle>();
  private closed = false;

  set(name: Name, seconds: number, fire: () => void): void {
    this.clear(name);
    if (this.closed) return;
    const handle = boundedTimeout(() => {
      this.handles.delete(name);
      fire();
    }, seconds * 1000);
    this.handles.set(name, handle);
  }

  clear(name: Name): void {
    this.handles.get(name)?.cancel();
    this.handles.delete(name);
  }

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  /** Cancels everything; later set() calls are ignored (the call is over). */
  close(): void {
    this.closed = true;
    for (const handle of this.handles.values()) handle.cancel();
    this.handles.clear();
  }
}
