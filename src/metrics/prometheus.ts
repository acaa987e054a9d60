// Prometheus text exposition (format 0.0.4) of the reporting figures. Pure: takes an all-time
// StatsReport, returns the page. Names follow Prometheus conventions: callbackd_ prefix, _total on
// counters, base unit seconds, one `queue` label; the average callback wait is a summary
// (_sum / _count), so dashboards compute averages over any window with rate().
import type { QueueStats, StatsReport } from '../domain/stats';
import { family, type MetricType, type Sample } from './exposition';

export { CONTENT_TYPE } from './exposition';

interface MetricDef {
  name: string;
  type: Extract<MetricType, 'gauge' | 'counter' | 'summary'>;
  help: string;
  /** One value per queue; a summary yields [sum, count]. */
  value: (s: QueueStats) => number | [number, number];
}

const METRICS: readonly MetricDef[] = [
  {
    name: 'callbackd_callbacks_in_queue',
    type: 'gauge',
    help: 'Callback slots waiting to be executed (pending, offered or dialing).',
    value: (s) => s.callbacksInQueue,
  },
  { name: 'callbackd_live_callers', type: 'gauge', help: 'Live callers on hold in the queue.', value: (s) => s.liveCallers },
  {
    name: 'callbackd_longest_wait_seconds',
    type: 'gauge',
    help: 'Age of the oldest open place (live caller or callback slot) in the queue.',
    value: (s) => s.longestWaitSeconds,
  },
  { name: 'callbackd_callbacks_requested_total', type: 'counter', help: 'Callbacks requested by callers.', value: (s) => s.callbacksTotal },
  {
    name: 'callbackd_callback_wait_seconds',
    type: 'summary',
    help: "Time from a callback request until the agent's call started.",
    value: (s) => [s.callbackWaitSecondsSum, s.callbacksStarted],
  },
  { name: 'callbackd_callbacks_completed_total', type: 'counter', help: 'Callbacks that reached the customer.', value: (s) => s.done },
  {
    name: 'callbackd_callbacks_unanswered_total',
    type: 'counter',
    help: 'Callbacks the customer did not answer (no attempts left).',
    value: (s) => s.unanswered,
  },
  {
    name: 'callbackd_callbacks_expired_total',
    type: 'counter',
    help: 'Callbacks not executed within callback.expiryMinutes (turned into tickets).',
    value: (s) => s.expired,
  },
  { name: 'callbackd_callbacks_cancelled_total', type: 'counter', help: 'Callbacks cancelled by a sysadmin.', value: (s) => s.cancelled },
];

export function renderMetrics(report: StatsReport): string {
  const lines: string[] = [];
  for (const m of METRICS) {
    const samples: Sample[] = report.queues.flatMap((s) => {
      const labels = { queue: s.queue };
      const v = m.value(s);
      return Array.isArray(v)
        ? [
            { suffix: '_sum', labels, value: v[0] },
            { suffix: '_count', labels, value: v[1] },
          ]
        : [{ labels, value: v }];
    });
    lines.push(...family(m.name, m.type, m.help, samples));
  }
  return lines.join('\n') + '\n';
}
