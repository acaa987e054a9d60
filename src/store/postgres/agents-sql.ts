// Agents and the queues they serve. Agent state changes go through the shared rules
// (domain/agent/agent-state.ts) inside the transaction, on the agent row locked FOR UPDATE: the CLI,
// this daemon and another node can all change one agent without losing each other's change (SQLite
// gets the same from its single writer).
import type { AdminStore, AgentStore } from '../../app/ports';
import { nextAgentState, type AgentRules } from '../../domain/agent/agent-state';
import type { Agent, AgentEvent, Millis } from '../../domain/model';
import type { PgDb, Q } from './db';
import { agentFromRow, type AgentRow } from './rows';

async function queuesOf(q: Q, id: string): Promise<string[]> {
  return (await q.rows<{ queue: string }>('SELECT queue FROM agent_queues WHERE agent_id = $1 ORDER BY queue', [id])).map((r) => r.queue);
}

export async function agentIn(q: Q, id: string): Promise<Agent | undefined> {
  const r = await q.one<AgentRow>('SELECT * FROM agents WHERE id = $1', [id]);
  return r && agentFromRow(r, await queuesOf(q, id));
}

export async function listAgentsIn(q: Q): Promise<Agent[]> {
  const queues = new Map<string, string[]>();
  for (const { agent_id, queue } of await q.rows<{ agent_id: string; queue: string }>(
    'SELECT agent_id, queue FROM agent_queues ORDER BY agent_id, queue',
  )) {
    const list = queues.get(agent_id);
    if (list) list.push(queue);
    else queues.set(agent_id, [queue]);
  }
  return (await q.rows<AgentRow>('SELECT * FROM agents ORDER BY id')).map((r) => agentFromRow(r, queues.get(r.id) ?? []));
}

export interface Applied {
  agent: Agent;
  changed: boolean;
  reason?: string;
}

/** Read (locked), decide by the shared rules, write — inside the caller's transaction. */
export async function applyAgentIn(q: Q, id: string, event: AgentEvent, at: Millis, rules: AgentRules): Promise<Applied | undefined> {
  const before = await q.one<AgentRow>('SELECT * FROM agents WHERE id = $1 FOR UPDATE', [id]);
  if (!before) return undefined;
  const change = nextAgentState({ state: before.state, missed: before.missed }, event, rules);
  if (!change.changed) return { agent: agentFromRow(before, await queuesOf(q, id)), changed: false, reason: change.reason };
  await q.run(
    `UPDATE agents
     SET state = $2, state_since = $3,
         idle_since = CASE WHEN $2 = 'available' AND state <> 'available' THEN $3 ELSE idle_since END,
         missed = $4
     WHERE id = $1`,
    [id, change.state, at, change.missed],
  );
  q.touched('agents');
  return { agent: (await agentIn(q, id))!, changed: true };
}

export function agentStore(db: PgDb): AgentStore {
  return {
    agent: (id) => db.read('agent', (q) => agentIn(q, id)),
    byEndpoint: (endpoint) =>
      db.read('agent by endpoint', async (q) => {
        const r = await q.one<AgentRow>('SELECT * FROM agents WHERE endpoint = $1', [endpoint]);
        return r && agentFromRow(r, await queuesOf(q, r.id));
      }),
    list: () => db.read('agents', listAgentsIn),
    apply: async (agentId, event, at, rules) =>
      (await db.tx(`agent ${agentId} ${event.type}`, (q) => applyAgentIn(q, agentId, event, at, rules)))?.agent,
    setOnline: (endpoint, online) =>
      db.tx(`endpoint ${endpoint} online`, async (q) => {
        const n = await q.run('UPDATE agents SET online = $2 WHERE endpoint = $1 AND online <> $2', [endpoint, online]);
        if (n > 0) q.touched('agents');
        return n > 0;
      }),
  };
}

export type AgentAdmin = Pick<AdminStore, 'addAgent' | 'removeAgent'>;

export function agentAdmin(db: PgDb): AgentAdmin {
  return {
    addAgent: (a, at) =>
      db.tx(`agent ${a.id} (endpoint ${a.endpoint}, queues ${a.queues.join(', ') || '-'})`, async (q) => {
        await q.run(
          `INSERT INTO agents (id, name, endpoint, state, state_since, idle_since, missed, online)
         VALUES ($1, $2, $3, 'logged-out', $4, NULL, 0, TRUE)`,
          [a.id, a.name, a.endpoint, at],
        );
        for (const queue of [...new Set(a.queues)])
          await q.run('INSERT INTO agent_queues (agent_id, queue) VALUES ($1, $2)', [a.id, queue]);
        q.touched('agents');
        return (await agentIn(q, a.id))!;
      }),
    // agent_queues rows go with it (ON DELETE CASCADE).
    removeAgent: (id) =>
      db.tx(`removal of agent ${id}`, async (q) => {
        const n = await q.run('DELETE FROM agents WHERE id = $1', [id]);
        if (n > 0) q.touched('agents');
        return n > 0;
      }),
  };
}
