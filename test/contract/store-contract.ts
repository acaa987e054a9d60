// The Store port's contract (src/app/ports.ts): what every adapter must do, verb by verb, and the races
// the entry lifecycle machine forbids, run against a real database. An adapter plugs in with one file:
//   describeStoreContract('sqlite', async () => ({ store, second, close }))
// Split by concern; each file seeds only through the port.
import type { ContractFactory } from './fixture';
import { adminContract } from './suites/admin-directory';
import { agentsContract } from './suites/agents';
import { callersContract } from './suites/callers';
import { cancelContract } from './suites/cancel';
import { deliveryContract } from './suites/delivery';
import { expiryTicketsContract } from './suites/expiry-tickets';
import { outboxContract } from './suites/outbox';
import { racesContract } from './suites/races';
import { reportsContract } from './suites/reports';

export function describeStoreContract(adapter: string, factory: ContractFactory): void {
  describe(`Store contract: ${adapter}`, () => {
    callersContract(factory);
    deliveryContract(factory);
    expiryTicketsContract(factory);
    adminContract(factory);
    agentsContract(factory);
    outboxContract(factory);
    reportsContract(factory);
    cancelContract(factory);
    racesContract(factory);
  });
}
