// `callbackd stats [--queue Q] [--since 24h] [--json]`: the supervisor's figures (DESIGN.md §1 step 9),
// the same computation as /metrics but over a chosen period.
import type { Command } from 'commander';
import { computeStats, type QueueStats, type StatsReport } from '../domain/stats';
import type { CliDeps } from './context';
import { withContext } from './context';
import { notFound } from './errors';
import { formatDuration, formatTime, printJson, sink, table, type Column } from './output';
import { parseName, parseSince } from './validate';

export interface StatsOptions {
  queue?: string;
  since?: string;
}

export function parseStatsOptions(opts: StatsOptions, now: number): { queue?: string; since: number; label: string } {
  const label = opts.since ?? '24h';
  return { queue: opts.queue === undefined ? undefined : parseName('queue', opts.queue), since: parseSince(label, now), label };
}

const COLUMNS: Column<QueueStats>[] = [
  { header: 'queue', value: (s) => (s.queue === '*' ? 'total' : s.queue) },
  { header: 'callbacks in queue', value: (s) => s.callbacksInQueue },
  { header: 'live callers', value: (s) => s.liveCallers },
  { header: 'longest wait', value: (s) => formatDuration(s.longestWaitSeconds) },
  { header: 'total callbacks', value: (s) => s.callbacksTotal },
  { header: 'avg callback wait', value: (s) => formatDuration(s.avgCallbackWaitSeconds) },
  { header: 'done', value: (s) => s.done },
  { header: 'unanswered', value: (s) => s.unanswered },
  { header: 'expired', value: (s) => s.expired },
  { header: 'cancelled', value: (s) => s.cancelled },
  // Appended, not interleaved: scripts reading the older columns by position keep working.
  { header: 'open at start', value: (s) => s.callbacksOpenAtStart },
  { header: 'live answered', value: (s) => s.liveAnswered },
  { header: 'live abandoned', value: (s) => s.liveAbandoned },
  { header: 'live overflowed', value: (s) => s.liveOverflowed },
];

export function renderStats(report: StatsReport, label: string): string {
  const head = `now: queue state at ${formatTime(report.now)}; period (last ${label}): since ${formatTime(report.since)}\n`;
  const rows = report.queues.length > 1 ? [...report.queues, report.total] : report.queues;
  return head + (rows.length ? table(rows, COLUMNS) : 'no queues configured\n');
}

export function registerStats(program: Command, deps: CliDeps): void {
  program
    .command('stats')
    .description(
      'callbacks in queue, total callbacks, average callback wait, how callbacks ended, live callers answered/abandoned/overflowed',
    )
    .option('--queue <name>', 'only this queue')
    .option('--since <duration>', 'period for totals, e.g. 15m, 24h, 7d', '24h')
    .option('--json', 'print JSON')
    .action((opts: StatsOptions, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const now = ctx.clock.now();
          const p = parseStatsOptions(opts, now);
          const input = await ctx.store.reports.statsInput(now, p.since, p.queue);
          if (p.queue !== undefined && !input.queues.includes(p.queue)) throw notFound(`queue ${p.queue} does not exist`);
          const report = computeStats(input);
          if (ctx.json) printJson(report);
          else sink.out(renderStats(report, p.label));
        },
        { mustExist: true },
      ),
    );
}
