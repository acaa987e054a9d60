// A Prometheus histogram kept in memory (cumulative buckets, _sum, _count). It starts from zero at
// every daemon start; Prometheus treats that as a counter reset, so rate() and histogram_quantile()
// stay right across restarts.
import { family, type Sample } from './exposition';

export class Histogram {
  private readonly bounds: readonly number[];
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
  ) {
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || (i > 0 && b === sorted[i - 1]))) {
      throw new RangeError(`histogram ${name}: buckets must be distinct finite numbers`);
    }
    this.bounds = sorted;
    this.counts = sorted.map(() => 0);
  }

  /** Records one observation. Non-finite values are dropped (they would poison _sum for good); a
   *  negative duration (clock stepped back) counts as 0. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = Math.max(0, value);
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]) this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  render(): string[] {
    const samples: Sample[] = this.bounds.map((le, i) => ({ suffix: '_bucket', labels: { le: String(le) }, value: this.counts[i] }));
    samples.push(
      { suffix: '_bucket', labels: { le: '+Inf' }, value: this.count },
      { suffix: '_sum', value: this.sum },
      { suffix: '_count', value: this.count },
    );
    return family(this.name, 'histogram', this.help, samples);
  }
}

/** Key press that accepts the callback → the confirmation prompt starts. The request's fsync'd commit
 *  is in this path; the benchmark measures p99 of a few ms, so the buckets are fine at the low end and
 *  reach far enough to show a slow disk or a struggling Asterisk. */
export const CONFIRMATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function confirmationLatencyHistogram(): Histogram {
  return new Histogram(
    'callbackd_request_confirmation_seconds',
    'Time from the key press that accepts a callback until its confirmation prompt starts.',
    CONFIRMATION_BUCKETS,
  );
}
