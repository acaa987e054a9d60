// Agents and the queues they serve (tables `agents`, `agent_queues`). Validation is the schema's: a
// duplicate id or endpoint, or a queue that is not configured, ends as STORE_CONSTRAINT.
import { nextAgentState, type AgentRules } from '../../domain/agent/agent-state';
import type { Agent, AgentEvent, AgentState, Millis } from '../../domain/model';
import type { Db } from './db';
import { StoreError, rethrowConstraint } from './errors';
import type { AgentsRepo, NewAgent } from './repos';

interface AgentRow {
  id: string;
  name: string;
  endpoint: string;
  state: AgentState;
  state_since: number;
  idle_since: number | null;
  missed: number;
  online: number;
}

const toModel = (r: AgentRow, queues: string[]): Agent => ({
  id: r.id,
  name: r.name,
  endpoint: r.endpoint,
  queues,
  state: r.state,
  stateSince: r.state_since,
  idleSince: r.idle_since,
  missed: r.missed,
  online: r.online === 1,
});

export function createAgentsRepo(db: Db): AgentsRepo {
  const getStmt = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE id = ?');
  const byEndpointStmt = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE endpoint = ?');
  const listStmt = db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY id');
  const queuesOfStmt = db.prepare<[string], string>('SELECT queue FROM agent_queues WHERE agent_id = ? ORDER BY queue').pluck();
  const allQueuesStmt = db.prepare<[], { agent_id: string; queue: string }>(
    'SELECT agent_id, queue FROM agent_queues ORDER BY agent_id, queue',
  );
  const insertStmt = db.prepare<[{ id: string; name: string; endpoint: string; at: Millis }]>(`
    INSERT INTO agents (id, name, endpoint, state, state_since, idle_since, missed, online)
    VALUES (@id, @name, @endpoint, 'logged-out', @at, NULL, 0, 1)`);
  const insertQueueStmt = db.prepare<[string, string]>('INSERT INTO agent_queues (agent_id, queue) VALUES (?, ?)');
  const clearQueuesStmt = db.prepare<[string]>('DELETE FROM agent_queues WHERE agent_id = ?');
  const updateStmt = db.prepare<[{ id: string; name: string | null; endpoint: string | null }]>(`
    UPDATE agents SET name = coalesce(@name, name), endpoint = coalesce(@endpoint, endpoint) WHERE id = @id`);
  // agent_queues rows go with it (ON DELETE CASCADE).
  const removeStmt = db.prepare<[string]>('DELETE FROM agents WHERE id = ?');
  const setStateStmt = db.prepare<[{ id: string; state: AgentState; at: Millis; missed: number | null }]>(`
    UPDATE agents
    SET state = @state, state_since = @at,
        idle_since = CASE WHEN @state = 'available' AND state <> 'available' THEN @at ELSE idle_since END,
        missed = coalesce(@missed, missed)
    WHERE id = @id`);
  const setOnlineStmt = db.prepare<[{ endpoint: string; online: number }]>(
    'UPDATE agents SET online = @online WHERE endpoint = @endpoint AND online <> @online',
  );

  const withQueues = (r: AgentRow): Agent => toModel(r, queuesOfStmt.all(r.id));
  const insertQueues = (id: string, queues: string[]): void => {
    for (const q of [...new Set(queues)]) insertQueueStmt.run(id, q);
  };

  const addTx = db.transaction((a: NewAgent, at: Millis) => {
    insertStmt.run({ id: a.id, name: a.name, endpoint: a.endpoint, at });
    insertQueues(a.id, a.queues);
  });
  const updateTx = db.transaction((id: string, change: { name?: string; endpoint?: string; queues?: string[] }) => {
    const changed = updateStmt.run({ id, name: change.name ?? null, endpoint: change.endpoint ?? null }).changes;
    if (changed === 0) throw new StoreError('STORE_CONSTRAINT', `agent ${id} does not exist`);
    if (change.queues) {
      clearQueuesStmt.run(id);
      insertQueues(id, change.queues);
    }
  });

  // Read, decide by the shared rules, write: one IMMEDIATE transaction, so the CLI and the daemon can
  // both change an agent without losing each other's change.
  const applyTx = db.transaction((id: string, event: AgentEvent, at: Millis, rules: AgentRules) => {
    const before = getStmt.get(id);
    if (!before) return undefined;
    const change = nextAgentState({ state: before.state, missed: before.missed }, event, rules);
    if (!change.changed) return { agent: withQueues(before), changed: false, reason: change.reason };
    setStateStmt.run({ id, state: change.state, at, missed: change.missed });
    return { agent: withQueues(getStmt.get(id)!), changed: true };
  });

  const get = (id: string): Agent | undefined => {
    const r = getStmt.get(id);
    return r && withQueues(r);
  };

  return {
    get,
    byEndpoint: (endpoint) => {
      const r = byEndpointStmt.get(endpoint);
      return r && withQueues(r);
    },
    list: () => {
      const queues = new Map<string, string[]>();
      for (const { agent_id, queue } of allQueuesStmt.all()) {
        const list = queues.get(agent_id);
        if (list) list.push(queue);
        else queues.set(agent_id, [queue]);
      }
      return listStmt.all().map((r) => toModel(r, queues.get(r.id) ?? []));
    },
    add: (a, at) => {
      try {
        addTx.immediate(a, at);
      } catch (err) {
        rethrowConstraint(err, `agent ${a.id} (endpoint ${a.endpoint}, queues ${a.queues.join(', ') || '-'})`);
      }
      return get(a.id) as Agent;
    },
    update: (id, change) => {
      try {
        updateTx.immediate(id, change);
      } catch (err) {
        rethrowConstraint(err, `update of agent ${id}`);
      }
      return get(id) as Agent;
    },
    remove: (id) => removeStmt.run(id).changes > 0,
    setState: (id, state, at, missed) => {
      try {
        setStateStmt.run({ id, state, at, missed: missed ?? null });
      } catch (err) {
        rethrowConstraint(err, `state ${state} of agent ${id}`);
      }
    },
    apply: (id, event, at, rules) => applyTx.immediate(id, event, at, rules),
    setOnline: (endpoint, online) => setOnlineStmt.run({ endpoint, online: online ? 1 : 0 }).changes > 0,
  };
}
