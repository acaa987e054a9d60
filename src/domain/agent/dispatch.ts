// Who gets the next call (DESIGN.md §1 step 5): the oldest open place of a queue — live caller or
// callback slot alike — goes to the longest-idle available agent serving that queue. Pure: the
// caller passes everything, including `now`.
import type { Agent, Millis, QueueEntry } from '../model';

export interface DispatchInput {
  /** Open entries of all queues (any order). */
  entries: readonly QueueEntry[];
  agents: readonly Agent[];
  /** Entries already being offered or connected right now. */
  inFlight: ReadonlySet<string>;
  /** entryId → agentId → until: an agent who declined is not offered that entry again before `until`;
   *  under ANY_AGENT nobody is. */
  cooldowns: ReadonlyMap<string, ReadonlyMap<string, Millis>>;
  now: Millis;
}

/** Cool-down key that holds an entry back from every agent. */
export const ANY_AGENT = '*';

export interface Assignment {
  entry: QueueEntry;
  agent: Agent;
}

/** Can this entry be offered at all right now? A live caller waiting, or a callback slot pending. */
export function isDispatchable(entry: QueueEntry, inFlight: ReadonlySet<string>): boolean {
  if (inFlight.has(entry.id)) return false;
  return (entry.kind === 'live' && entry.state === 'waiting') || (entry.kind === 'callback' && entry.state === 'pending');
}

export function isAgentFree(agent: Agent): boolean {
  return agent.state === 'available' && agent.online;
}

function byIdleTime(a: Agent, b: Agent): number {
  const ai = a.idleSince ?? 0;
  const bi = b.idleSince ?? 0;
  return ai - bi || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function byPlace(a: QueueEntry, b: QueueEntry): number {
  return a.enteredAt - b.enteredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The next (entry, agent) pair, or undefined when nothing can be dispatched. */
export function pickNext(input: DispatchInput): Assignment | undefined {
  const free = input.agents.filter(isAgentFree).sort(byIdleTime);
  if (free.length === 0) return undefined;
  const candidates = input.entries.filter((e) => isDispatchable(e, input.inFlight)).sort(byPlace);
  for (const entry of candidates) {
    const cooling = input.cooldowns.get(entry.id);
    const until = (agentId: string) => Math.max(cooling?.get(agentId) ?? -Infinity, cooling?.get(ANY_AGENT) ?? -Infinity);
    const agent = free.find((a) => a.queues.includes(entry.queue) && !(until(a.id) > input.now));
    if (agent) return { entry, agent };
  }
  return undefined;
}
