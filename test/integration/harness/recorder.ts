// Buffers telephony events from the moment it is attached, so a test can wait for "the next event
// like X" without racing the event itself.
import type { Telephony, TelephonyEvent } from '../../../src/app/telephony';

export class EventRecorder {
  readonly events: TelephonyEvent[] = [];
  private waiters: Array<() => void> = [];
  private readonly detach: () => void;

  constructor(telephony: Telephony) {
    this.detach = telephony.on((e) => {
      this.events.push(e);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  stop(): void {
    this.detach();
  }

  /** Waits for an event matching `pred` recorded at index >= `from`; returns it and its index. */
  async waitFor<T extends TelephonyEvent>(
    pred: (e: TelephonyEvent) => e is T,
    opts?: { timeoutMs?: number; from?: number; what?: string },
  ): Promise<{ event: T; index: number }>;
  async waitFor(
    pred: (e: TelephonyEvent) => boolean,
    opts?: { timeoutMs?: number; from?: number; what?: string },
  ): Promise<{ event: TelephonyEvent; index: number }>;
  async waitFor(pred: (e: TelephonyEvent) => boolean, opts: { timeoutMs?: number; from?: number; what?: string } = {}) {
    const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
    let from = opts.from ?? 0;
    for (;;) {
      for (let i = from; i < this.events.length; i++) if (pred(this.events[i])) return { event: this.events[i], index: i };
      from = this.events.length;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${opts.what ?? 'event'}; last events: ${JSON.stringify(this.events.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
