// Runs async work one item at a time, in arrival order. A call's events must be handled in order
// (DTMF digits, a hangup after a key press) even though handling one awaits ARI.
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (err: unknown) => void) {}

  push(work: () => void | Promise<void>): Promise<void> {
    this.tail = this.tail.then(work).catch(this.onError);
    return this.tail;
  }
}
