// What a supervisor or sysadmin does to one callback outside the call flows: cancel it. One store
// operation that acts only on a slot still waiting for an agent, so a cancel can never land on a
// callback an agent has taken (offered, dialing) or one already closed. Whether it may is the lifecycle
// machine's decision (domain/queue/entry-lifecycle.ts), taken inside the adapter's transaction.
import type { EntryState, Millis } from '../../domain/model';
import type { EntryRefusal } from '../../domain/queue/entry-lifecycle';

export type CancelOutcome =
  | { kind: 'cancelled' }
  | { kind: 'not-found' }
  /** The slot is not pending: `state` says where it is, `reason` is the machine's stable code
   *  ('being-offered', 'being-dialled', 'closed'), `message` says so in words for the CLI/console. */
  | { kind: 'refused'; state: EntryState; reason: EntryRefusal; message: string };

export interface CallbackStore {
  /** Closes a pending callback as cancelled ("cancelled by <by>"); no ticket is created. */
  cancel(entryId: string, at: Millis, by: string): Promise<CancelOutcome>;
}
