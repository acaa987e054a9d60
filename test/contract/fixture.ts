// What an adapter hands the store contract suite (store-contract.ts). One file per adapter builds it:
// sqlite.test.ts here, a PostgreSQL one beside it. Every subject is a fresh, empty, migrated database
// with the ticket outbox on (every ticket and comment is queued for delivery), so the suite can seed
// it only through the Store port.
import type { Store } from '../../src/app/ports';

export interface ContractSubject {
  /** Adapter under test, fresh empty migrated database. */
  store: Store;
  /** Another independent Store/connection on the SAME database (a second process or node). */
  second(): Promise<Store>;
  /** Closes everything it opened, removes the database. */
  close(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractSubject>;
