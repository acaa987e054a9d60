// Turns the dispatcher's choice into a delivery: ring the agent for a live caller, or execute a
// callback slot. Marks the agent ringing synchronously so the next pick does not choose them again.
import type { Assignment } from '../domain/agent/dispatch';
import type { AgentService } from './agent-service';
import { type CallbackDeps, CallbackExecution } from './callback-execution';
import { CallerSession } from './caller-session';
import type { Delivery, Dispatcher } from './dispatcher';
import { LiveDelivery } from './live-delivery';

export type DeliveryDeps = Omit<CallbackDeps, 'dispatcher'> & { agents: AgentService };

export function deliveryFactory(deps: DeliveryDeps): (a: Assignment, dispatcher: Dispatcher) => Delivery | undefined {
  return ({ entry, agent }, dispatcher) => {
    const { store, clock, router, agents } = deps;
    if (entry.kind === 'live') {
      const session = entry.channelId ? router.get(entry.channelId) : undefined;
      if (!(session instanceof CallerSession)) {
        // The DB says waiting but we hold no such call (e.g. it ended while the daemon was down).
        store.entries.close(entry.id, 'left', clock.now(), 'call no longer present');
        return undefined;
      }
      agents.ringing(agent.id);
      return new LiveDelivery(entry, agent, session, deps);
    }
    if (!store.entries.markOffered(entry.id, agent.id, clock.now())) return undefined;
    agents.ringing(agent.id);
    return new CallbackExecution(entry, agent, store.numbers.get(entry.did), { ...deps, dispatcher });
  };
}
