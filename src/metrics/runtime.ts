// The families beside the queue figures of prometheus.ts: what is running, the ARI link, calls in
// progress, the ticket outbox, agents per state and the request→confirmation latency. Each group is
// rendered only when its source is wired, so a partial composition never exports made-up zeros.
import type { ReportStore } from '../app/ports';
import type { BuildInfo } from './build-info';
import { family } from './exposition';
import type { Histogram } from './histogram';
import type { LiveMetrics } from './live';

export interface RuntimeSources {
  build: BuildInfo;
  live?: LiveMetrics;
  figures?: Pick<ReportStore, 'outboxCounts' | 'agentsByState'>;
  confirmation?: Histogram;
}

export async function renderRuntimeMetrics(src: RuntimeSources): Promise<string[]> {
  const lines = family('callbackd_build_info', 'gauge', 'Always 1; the labels say which callbackd and Node.js are running.', [
    { labels: { version: src.build.version, node: src.build.node }, value: 1 },
  ]);
  if (src.live) {
    const live = src.live;
    lines.push(
      ...family('callbackd_ari_connected', 'gauge', '1 while the ARI event socket is up, else 0.', [
        { value: live.ariConnected() ? 1 : 0 },
      ]),
      ...family('callbackd_ari_reconnects_total', 'counter', 'Times the ARI event socket came back after being lost.', [
        { value: live.ariReconnects() },
      ]),
      ...family('callbackd_active_calls', 'gauge', 'Calls the daemon is handling right now.', [{ value: live.activeCalls() }]),
    );
  }
  if (src.figures) {
    const [outbox, agents] = await Promise.all([src.figures.outboxCounts(), src.figures.agentsByState()]);
    lines.push(
      ...family('callbackd_ticket_outbox_pending', 'gauge', 'Tickets and comments not yet delivered to tickets.webhookUrl.', [
        { value: outbox.pending },
      ]),
      ...family(
        'callbackd_ticket_outbox_failed',
        'gauge',
        'Undelivered outbox items whose last delivery attempt failed (part of _pending; retried with backoff).',
        [{ value: outbox.failed }],
      ),
      ...family(
        'callbackd_agents',
        'gauge',
        'Agents per state.',
        Object.entries(agents).map(([state, n]) => ({ labels: { state }, value: n })),
      ),
    );
  }
  if (src.confirmation) lines.push(...src.confirmation.render());
  return lines;
}
