// Read-only operational figures for /metrics: the ticket outbox backlog and agents per state. Only
// SELECTs, cheap enough for every scrape (ticket_outbox has an index on delivered_at, agents is small).
import type { OutboxCounts } from '../../app/store-ports/report-store';
import type { AgentState } from '../../domain/model';
import type { Db } from './db';

export type { OutboxCounts } from '../../app/store-ports/report-store';

export interface OpsRepo {
  outboxCounts(): OutboxCounts;
  /** Every agent state with its count, zeros included, so a dashboard sees a state drop to 0. */
  agentsByState(): Record<AgentState, number>;
}

export function createOpsRepo(db: Db): OpsRepo {
  // attempts > 0 on an undelivered row means every attempt so far failed (delivery sets delivered_at).
  const outboxStmt = db.prepare<[], { pending: number; failed: number }>(`
    SELECT count(*) AS pending, coalesce(sum(attempts > 0), 0) AS failed
    FROM ticket_outbox WHERE delivered_at IS NULL`);
  const agentsStmt = db.prepare<[], { state: AgentState; count: number }>('SELECT state, count(*) AS count FROM agents GROUP BY state');
  return {
    outboxCounts: () => outboxStmt.get() ?? { pending: 0, failed: 0 },
    agentsByState: () => {
      // A Record literal: adding a state to AgentState makes this a compile error until it is listed.
      const counts: Record<AgentState, number> = { 'logged-out': 0, available: 0, ringing: 0, busy: 0, 'wrap-up': 0 };
      for (const row of agentsStmt.all()) counts[row.state] = row.count;
      return counts;
    },
  };
}
