// What a supervisor or sysadmin does to one callback outside the call flows: cancel it. One store
// operation that acts only on a slot still waiting for an agent, so a cancel can never land on a
// callback an agent has taken (offered, dialing) or one already closed.
import type { EntryState, Millis } from '../../domain/model';

export type CancelOutcome =
  | { kind: 'cancelled' }
  | { kind: 'not-found' }
  /** The slot is not pending: `state` says where it is, `message` says so in words for the CLI/console. */
  | { kind: 'refused'; state: EntryState; message: string };

export interface CallbackStore {
  /** Closes a pending callback as cancelled ("cancelled by <by>"); no ticket is created. */
  cancel(entryId: string, at: Millis, by: string): Promise<CancelOutcome>;
}
