// Prometheus text exposition (format 0.0.4) of the reporting figures. Pure: takes an all-time
// StatsReport, returns the page. Names follow Prometheus conventions: callbackd_ prefix, _total on
// counters, base unit seconds, one `queue` label; the average callback wait is a summary
// (_sum / _count), so dashboards compute averages over any window with rate().
import type { QueueStats, StatsReport } from '../domain/stats';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface MetricDef {
  name: string;
  type: 'gauge' | 'counter' | 'summary';
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

/** Label values may hold any UTF-8; backslash, double quote and newline must be escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
}

export function renderMetrics(report: StatsReport): string {
  const lines: string[] = [];
  for (const m of METRICS) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of report.queues) {
      const q = `{queue="${label(s.queue)}"}`;
      const v = m.value(s);
      if (Array.isArray(v)) lines.push(`${m.name}_sum${q} ${num(v[0])}`, `${m.name}_count${q} ${num(v[1])}`);
      else lines.push(`${m.name}${q} ${num(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}
