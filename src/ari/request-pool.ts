// A bound on the ARI requests one process has open at a time. Asterisk serves at most 100 HTTP sessions
// (http.conf sessionlimit) and, past it, drops new connections for every client: one caller's key storm
// or a burst of callers must not push the daemon there. So at most `maxInFlight` requests are sent at
// once (the HTTP agent has as many sockets, see http-agent.ts), the rest wait in a bounded queue in
// arrival order, and a request that finds the queue full fails at once with TELEPHONY_BUSY: under an
// overload the flows get a quick, typed answer instead of a socket refused by Asterisk much later.
// The caller's deadline covers the wait in the queue: a request never takes longer than it was given.

/** Requests sent to ARI at once; the ARI HTTP agent's maxSockets is the same number. */
export const ARI_MAX_IN_FLIGHT = 32;
/** Requests that may wait for a free slot; enough for a burst of a few hundred callers' first steps. */
export const ARI_MAX_QUEUED = 1000;

export interface PoolErrors {
  /** The deadline passed (in the queue or on the wire). */
  timeout: () => Error;
  /** The queue is full: the request was not sent. */
  busy: () => Error;
}

interface Waiting {
  start: () => void;
  timer: NodeJS.Timeout;
}

export class AriRequestPool {
  private active = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    readonly maxInFlight = ARI_MAX_IN_FLIGHT,
    readonly maxQueued = ARI_MAX_QUEUED,
  ) {
    if (maxInFlight < 1 || maxQueued < 0) throw new RangeError('pool needs maxInFlight >= 1 and maxQueued >= 0');
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `send(remainingMs)` once a slot is free. `send` must settle within the time it is given
   * (withAriDeadline does); its slot is held until it settles. Rejects with `errors.timeout()` when the
   * deadline passes while still queued, and with `errors.busy()` when the queue is full.
   */
  run<T>(deadlineMs: number, send: (remainingMs: number) => Promise<T>, errors: PoolErrors): Promise<T> {
    const startedAt = Date.now();
    const dispatch = (): Promise<T> => {
      this.active++;
      let sent: Promise<T>;
      try {
        sent = send(Math.max(1, deadlineMs - (Date.now() - startedAt)));
      } catch (err) {
        sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return sent.finally(() => {
        this.active--;
        this.next();
      });
    };
    if (this.active < this.maxInFlight && this.waiting.length === 0) return dispatch();
    if (this.waiting.length >= this.maxQueued) return Promise.reject(errors.busy());
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          clearTimeout(entry.timer);
          dispatch().then(resolve, reject);
        },
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(errors.timeout());
        }, deadlineMs),
      };
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.active < this.maxInFlight && this.waiting.length > 0) this.waiting.shift()?.start();
  }
}
