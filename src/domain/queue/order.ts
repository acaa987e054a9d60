// Who is where in a queue. Live callers and callback slots share one ordering: a slot keeps the
// `enteredAt` of the call it came from, which is how a caller "keeps their place".
// All functions expect the entries of ONE queue; mixing queues would interleave their positions.
import { OPEN_STATES, type QueueEntry } from '../model';

const OPEN = new Set(OPEN_STATES);

function byArrival(a: QueueEntry, b: QueueEntry): number {
  if (a.enteredAt !== b.enteredAt) return a.enteredAt - b.enteredAt;
  // Ties (same millisecond) are broken by id with a plain code-unit comparison rather than
  // localeCompare, so the order never depends on the host's locale settings.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Entries still holding a place (waiting, pending, offered, dialing), first in line first. */
export function openInOrder(entries: readonly QueueEntry[]): QueueEntry[] {
  return entries.filter((e) => OPEN.has(e.state)).sort(byArrival);
}

/** 1-based place of the entry among the open ones; undefined if unknown or no longer open. */
export function positionOf(entries: readonly QueueEntry[], id: string): number | undefined {
  const index = openInOrder(entries).findIndex((e) => e.id === id);
  return index === -1 ? undefined : index + 1;
}

/** The entry whose turn it is, or undefined when nobody holds a place. */
export function headOf(entries: readonly QueueEntry[]): QueueEntry | undefined {
  return openInOrder(entries)[0];
}
