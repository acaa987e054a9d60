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

// The HELP texts say exactly what is counted: a counter is all-time and moves when its event happens
// (request, agent's call start, close). Callback families count callback slots only; a repeat request
// merged into an open slot is none, and live callers have their own outcome families. Over all time,
// requested_total = completed + unanswered + expired + cancelled + callbacks_in_queue.
const METRICS: readonly MetricDef[] = [
  {
    name: 'callbackd_callbacks_in_queue',
    type: 'gauge',
    help: 'Callback slots waiting to be executed now (pending, offered or dialing).',
    value: (s) => s.callbacksInQueue,
  },
  { name: 'callbackd_live_callers', type: 'gauge', help: 'Live callers on hold in the queue now.', value: (s) => s.liveCallers },
  {
    name: 'callbackd_longest_wait_seconds',
    type: 'gauge',
    help: 'Age of the oldest open place (live caller or callback slot) in the queue.',
    value: (s) => s.longestWaitSeconds,
  },
  {
    name: 'callbackd_callbacks_requested_total',
    type: 'counter',
    help: 'Callback slots requested, counted at the first request (a repeated request for the same number merged into an open slot is not counted).',
    value: (s) => s.callbacksTotal,
  },
  {
    name: 'callbackd_callback_wait_seconds',
    type: 'summary',
    help: "Time from a callback slot's first request until the agent's call started, counted when that call starts.",
    value: (s) => [s.callbackWaitSecondsSum, s.callbacksStarted],
  },
  {
    name: 'callbackd_callbacks_completed_total',
    type: 'counter',
    help: 'Callback slots closed as done: the customer answered and was bridged with the agent (live callers answered are not counted).',
    value: (s) => s.done,
  },
  {
    name: 'callbackd_callbacks_unanswered_total',
    type: 'counter',
    help: 'Callback slots closed because the customer did not answer and no attempts were left.',
    value: (s) => s.unanswered,
  },
  {
    name: 'callbackd_callbacks_expired_total',
    type: 'counter',
    help: 'Callback slots closed as not executed within callback.expiryMinutes of their latest request (turned into tickets).',
    value: (s) => s.expired,
  },
  {
    name: 'callbackd_callbacks_cancelled_total',
    type: 'counter',
    help: 'Callback slots cancelled by a sysadmin (callbackd callbacks cancel).',
    value: (s) => s.cancelled,
  },
  {
    name: 'callbackd_live_callers_answered_total',
    type: 'counter',
    help: 'Live callers bridged with an agent, counted when the call was connected.',
    value: (s) => s.liveAnswered,
  },
  {
    name: 'callbackd_live_callers_abandoned_total',
    type: 'counter',
    help: 'Live callers who left the queue without an agent or a callback: hung up while waiting, or their call was gone when the daemon recovered.',
    value: (s) => s.liveAbandoned,
  },
  {
    name: 'callbackd_live_callers_overflowed_total',
    type: 'counter',
    help: "Live callers sent to the queue's overflow action after its max wait.",
    value: (s) => s.liveOverflowed,
  },
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
