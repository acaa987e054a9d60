// The Store's per-entry ordering promise (src/app/ports.ts) over a pool. A pool runs statements on
// whichever client is free, so a `leave` submitted while its `join` is still in flight could commit
// first. Writes are therefore chained per key (the entry id, an agent, a leg's entry): each starts
// when the previous one for the same key has settled, while writes for different keys run in parallel.
export class KeyedChain {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // The next write waits for this one whether it succeeded or failed: a failed join must not stall
    // the entry's later writes forever.
    const result = previous.then(op, op);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every write submitted so far has settled (close()). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** Keys with writes in flight (tests, metrics). */
  get size(): number {
    return this.tails.size;
  }
}
