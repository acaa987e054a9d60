// The one place that says how a place in a queue changes (DESIGN.md §1): a live caller joins, leaves
// or asks for a callback; a callback slot is offered, accepted, dialled, returned to its place, closed.
// Every store adapter asks this machine inside the transaction that writes the entry, so SQLite,
// PostgreSQL and the CLI refuse the same things for the same reason (a cancel cannot land on a slot an
// agent holds). Pure: no I/O, no clock; the adapter keeps its SQL guards as a second line of defence.
import type { EntryKind, EntryState } from '../model';

/** What the machine needs to know about an entry (a QueueEntry fits). */
export interface EntryStatus {
  id: string;
  kind: EntryKind;
  state: EntryState;
  /** The agent a callback slot is offered to / executed by. */
  agentId: string | null;
  /** Customer dials of a callback that reached the network. */
  attempts: number;
}

export type EntryEvent =
  /** A live caller enters the queue (the entry does not exist yet). */
  | { type: 'join' }
  /** A live caller hung up or overflowed without a callback. */
  | { type: 'leave' }
  /** A live caller asked for a callback: the same entry becomes a slot at the same place. */
  | { type: 'request' }
  /** A live caller asked for a callback while the number already has one open in this queue: the live
   *  entry closes as merged, `into` (that open callback) keeps the earlier place. */
  | { type: 'merge'; into: EntryStatus | undefined }
  /** An agent is rung for this entry. */
  | { type: 'offer'; agentId: string }
  /** Declined, rung out, or interrupted by a fault: back to its own place. `agentId`: the agent giving
   *  it back (absent: whoever holds it, e.g. a fault found after a restart). */
  | { type: 'return'; agentId?: string }
  /** The agent pressed Call on the offered slot. */
  | { type: 'accept'; agentId: string }
  /** A customer dial ended without a conversation; `counted` when it really reached the network. */
  | { type: 'attempt'; counted: boolean }
  /** Agent and the other party are bridged. */
  | { type: 'connect'; agentId: string }
  /** A callback's execution ends without a bridge: reached (`done`) or not (`unanswered`); `agentId`:
   *  the agent whose execution ends (absent: whoever executes it). */
  | { type: 'finish'; outcome: 'done' | 'unanswered'; agentId?: string }
  /** A pending callback was not executed within the expiry time. */
  | { type: 'expire' }
  /** A supervisor cancels a callback. */
  | { type: 'cancel' };

export type EntryEventType = EntryEvent['type'];

/** Why the machine said no. Stable API: adapters, the CLI and tests branch on it; `message` is for humans. */
export type EntryRefusal =
  | 'not-found' // there is no such entry
  | 'exists' // join of an id that is already taken
  | 'not-a-callback' // a callback verb on a live caller's entry
  | 'not-live' // a live caller's verb on a callback slot
  | 'closed' // the entry is already closed (left, merged, done, unanswered, expired, cancelled)
  | 'merge-target-not-open' // merge into something that is not an open callback
  | 'not-pending' // offer/expire of a slot that is not waiting for its turn
  | 'not-offered' // accept of a slot that is not being offered
  | 'held-by-another-agent' // accept, connect, return or finish by an agent who does not hold the slot
  | 'not-in-flight' // return of a slot no agent holds
  | 'not-dialing' // attempt/connect/finish of a slot whose customer is not being dialled
  | 'being-offered' // cancel while an agent is being offered the slot
  | 'being-dialled'; // cancel while the customer is being dialled

export type EntryTransition =
  ({ ok: true; closed: boolean } & Omit<EntryStatus, 'id'>) | { ok: false; reason: EntryRefusal; message: string };

const CLOSED_STATES: readonly EntryState[] = ['left', 'merged', 'done', 'unanswered', 'expired', 'cancelled'];

export const isClosedState = (state: EntryState): boolean => CLOSED_STATES.includes(state);

const no = (reason: EntryRefusal, message: string): EntryTransition => ({ ok: false, reason, message });

const to = (e: Omit<EntryStatus, 'id'>, change: Partial<Omit<EntryStatus, 'id'>>): EntryTransition => {
  const next = { kind: e.kind, state: e.state, agentId: e.agentId, attempts: e.attempts, ...change };
  return { ok: true, closed: isClosedState(next.state), ...next };
};

const name = (e: EntryStatus): string => `${e.kind === 'callback' ? 'callback' : 'entry'} ${e.id}`;

const closed = (e: EntryStatus): EntryTransition => no('closed', `${name(e)} is already closed (${e.state})`);

/** The live caller's verbs (leave, request, merge) need a live caller still on hold. */
function whileWaiting(e: EntryStatus, verb: string, then: () => EntryTransition): EntryTransition {
  if (isClosedState(e.state)) return closed(e);
  if (e.kind !== 'live') return no('not-live', `${name(e)} is a callback (${e.state}); a live caller cannot ${verb} it`);
  return then();
}

/** What `event` does to the entry (undefined = none exists yet); a refusal leaves it as it is. */
export function nextEntryState(entry: EntryStatus | undefined, event: EntryEvent): EntryTransition {
  if (!entry) {
    if (event.type === 'join') return to({ kind: 'live', state: 'waiting', agentId: null, attempts: 0 }, {});
    return no('not-found', `there is no such entry (${event.type})`);
  }
  const e = entry;
  switch (event.type) {
    case 'join':
      return no('exists', `${name(e)} already exists (${e.state})`);
    case 'leave':
      return whileWaiting(e, 'leave', () => to(e, { state: 'left' }));
    case 'request':
      return whileWaiting(e, 'request', () => to(e, { kind: 'callback', state: 'pending' }));
    case 'merge':
      return whileWaiting(e, 'merge', () => {
        const into = event.into;
        if (!into || into.kind !== 'callback' || isClosedState(into.state) || into.id === e.id)
          return no(
            'merge-target-not-open',
            `${name(e)} cannot be merged: ${into ? `${name(into)} is ${into.state}` : 'no open callback'}`,
          );
        return to(e, { state: 'merged' });
      });
    case 'offer':
      if (isClosedState(e.state)) return closed(e);
      // A live caller stays waiting (and in its place) while an agent is rung; its leg says who.
      if (e.kind === 'live') return to(e, {});
      if (e.state !== 'pending') return no('not-pending', `${name(e)} is ${e.state}, not waiting for an agent`);
      return to(e, { state: 'offered', agentId: event.agentId });
    case 'return':
      if (isClosedState(e.state)) return closed(e);
      if (e.kind === 'live') return to(e, {});
      if (e.state !== 'offered' && e.state !== 'dialing') return no('not-in-flight', `${name(e)} is ${e.state}; no agent holds it`);
      // A late give-back (a stale session, another node's reconcile) must not take the slot from the
      // agent it is offered to now.
      if (event.agentId !== undefined && e.agentId !== null && e.agentId !== event.agentId)
        return no('held-by-another-agent', `${name(e)} is held by agent ${e.agentId}, not ${event.agentId}`);
      return to(e, { state: 'pending', agentId: null });
    case 'accept':
      if (isClosedState(e.state)) return closed(e);
      if (e.kind === 'live') return no('not-a-callback', `${name(e)} is a live caller, not a callback`);
      if (e.state !== 'offered') return no('not-offered', `${name(e)} is ${e.state}, not offered to an agent`);
      if (e.agentId !== event.agentId)
        return no('held-by-another-agent', `${name(e)} is offered to agent ${e.agentId ?? '?'}, not ${event.agentId}`);
      return to(e, { state: 'dialing' });
    case 'attempt':
      if (isClosedState(e.state)) return closed(e);
      if (e.kind === 'live') return no('not-a-callback', `${name(e)} is a live caller, not a callback`);
      if (e.state !== 'dialing') return no('not-dialing', `${name(e)} is ${e.state}; its customer is not being dialled`);
      return to(e, { attempts: e.attempts + (event.counted ? 1 : 0) });
    case 'connect':
      if (isClosedState(e.state)) return closed(e);
      // A live caller answered by the agent it was offered to: done (a live caller's agent is on its leg).
      if (e.kind === 'live') return to(e, { state: 'done' });
      if (e.state !== 'dialing') return no('not-dialing', `${name(e)} is ${e.state}; its customer is not being dialled`);
      if (e.agentId !== event.agentId)
        return no('held-by-another-agent', `${name(e)} is executed by agent ${e.agentId ?? '?'}, not ${event.agentId}`);
      // The answered dial counts as an attempt like the unanswered ones.
      return to(e, { state: 'done', attempts: e.attempts + 1 });
    case 'finish':
      if (isClosedState(e.state)) return closed(e);
      if (e.kind === 'live') return no('not-a-callback', `${name(e)} is a live caller, not a callback`);
      if (e.state !== 'dialing') return no('not-dialing', `${name(e)} is ${e.state}; its customer is not being dialled`);
      if (event.agentId !== undefined && e.agentId !== null && e.agentId !== event.agentId)
        return no('held-by-another-agent', `${name(e)} is executed by agent ${e.agentId}, not ${event.agentId}`);
      return to(e, { state: event.outcome });
    case 'expire':
      if (isClosedState(e.state)) return closed(e);
      if (e.kind === 'live') return no('not-a-callback', `${name(e)} is a live caller, not a callback`);
      // An agent holds it: it is being served, so it does not expire under them.
      if (e.state !== 'pending') return no('not-pending', `${name(e)} is ${e.state}; only a waiting callback expires`);
      return to(e, { state: 'expired' });
    case 'cancel':
      if (e.kind === 'live') return no('not-a-callback', `${name(e)} is a live caller, not a callback`);
      if (e.state === 'offered')
        return no(
          'being-offered',
          `${name(e)} is being offered to an agent; it cannot be cancelled now (retry if it returns to the queue)`,
        );
      if (e.state === 'dialing') return no('being-dialled', `${name(e)} is being dialled; it cannot be cancelled now`);
      if (isClosedState(e.state)) return closed(e);
      return to(e, { state: 'cancelled' });
  }
}
