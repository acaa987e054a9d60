// Durable legs meet the PBX again (DESIGN.md §4): on start and after an ARI reconnect, every leg we
// recorded and that is not ended is compared with Asterisk's live channels and bridges. A call still
// in flight is re-adopted where it stands (ringing, announcing, waiting for the customer, talking) —
// never dialled again while a leg is alive; a call whose legs are gone is closed or goes back to its
// place with the cause recorded; an attempt counts only when a dial really reached the customer's side.
import { initialCallbackState, resumedCallbackState } from '../../domain/agent/callback-machine';
import type { Agent, Leg, QueueEntry } from '../../domain/model';
import type { Store } from '../ports';
import type { BridgeInfo, ChannelInfo } from '../telephony';
import { isUp, type CallbackResume, type ResumeStep } from './deps';

/** What to do with one entry's open legs. */
export type LegPlan =
  /** Hang these channels up (they belong to nothing that goes on) and close the rows. */
  | { kind: 'end'; hangup: string[]; agentId: string | null; cause: string; how: 'fault' | 'conversation' | 'give-back' }
  /** Re-adopt a callback execution. `endedLegId`: a customer leg that rang and ended unseen, to be closed
   *  as the counted attempt it was (with `cause`) before the execution goes on. */
  | { kind: 'callback'; agentLegId: string; resume: CallbackResume; then?: ResumeStep; cause?: string; endedLegId?: string }
  /** Re-adopt a live conversation; `bridgeId` is a bridge of the call still on the PBX, `bridged` says
   *  whether both parties are in it (the daemon may have stopped between creating it and adding them). */
  | { kind: 'live'; agentLegId: string; callerChannelId: string; bridgeId: string | null; bridged: boolean };

export interface PlanInput {
  entry: QueueEntry | undefined;
  legs: Leg[];
  alive: ReadonlyMap<string, ChannelInfo>;
  bridges: readonly BridgeInfo[];
  maxAttempts: number;
  /** How the causes say why we could not see the end: after a restart (default) or an ARI outage. */
  away?: string;
}

/** The words of the causes for legs that ended unseen, after a restart and after an ARI outage. */
export const AWAY = { restart: 'while callbackd was not running', outage: 'while the connection to Asterisk was lost' } as const;

/** Pure decision for one entry's open legs (unit-tested as a table). */
export function planLegs({ entry, legs, alive, bridges, maxAttempts, away = AWAY.restart }: PlanInput): LegPlan {
  const agentLeg = legs.find((l) => l.role === 'agent');
  const customerLeg = [...legs].reverse().find((l) => l.role === 'customer');
  const callerLeg = legs.find((l) => l.role === 'caller');
  const agentId = agentLeg?.agentId ?? entry?.agentId ?? null;
  const isAlive = (l: Leg | undefined): l is Leg => l !== undefined && alive.has(l.id);
  const up = (l: Leg) => isUp(alive.get(l.id)?.state ?? '');
  const allAlive = legs.filter(isAlive).map((l) => l.id);
  const end = (cause: string, how: 'fault' | 'conversation' | 'give-back'): LegPlan => ({
    kind: 'end',
    hangup: allAlive,
    agentId,
    cause,
    how,
  });

  if (!entry || !agentLeg) return end(`legs without a call ${away}`, 'fault');

  switch (entry.state) {
    case 'offered':
      if (!isAlive(agentLeg)) return end(`agent leg ended ${away}`, 'fault');
      return {
        kind: 'callback',
        agentLegId: agentLeg.id,
        resume: { state: initialCallbackState(), upLegs: up(agentLeg) ? [agentLeg.id] : [] },
        then: up(agentLeg) ? 'announce' : undefined,
      };
    case 'dialing': {
      if (!isAlive(agentLeg)) return end(`agent leg ended ${away}`, 'fault');
      const base = { agentLegId: agentLeg.id, kind: 'callback' as const };
      if (customerLeg && customerLeg.state !== 'ended') {
        const customerLegId = customerLeg.id;
        if (isAlive(customerLeg)) {
          const upLegs = [agentLeg.id, ...(up(customerLeg) ? [customerLeg.id] : [])];
          const state = resumedCallbackState({ phase: 'dialing-customer', attempts: entry.attempts + 1 });
          return {
            ...base,
            resume: { state, customerLegId: customerLeg.id, upLegs },
            then: up(customerLeg) ? 'customer-answered' : undefined,
          };
        }
        // It rang and ended unseen; the agent is still there to hear it.
        const state = resumedCallbackState({ phase: 'dialing-customer', attempts: entry.attempts + 1 });
        return {
          ...base,
          resume: { state, upLegs: [agentLeg.id] },
          then: 'unreached',
          cause: `no answer (the call ended ${away})`,
          endedLegId: customerLegId,
        };
      }
      if (entry.attempts >= maxAttempts) {
        const state = resumedCallbackState({ phase: 'dialing-customer', attempts: entry.attempts });
        return { ...base, resume: { state, upLegs: [agentLeg.id] }, then: 'unreached', cause: 'not answered' };
      }
      const state = resumedCallbackState({ phase: 'dialing-customer', attempts: entry.attempts, awaitingRetry: true });
      return { ...base, resume: { state, upLegs: [agentLeg.id] }, then: 'retry' };
    }
    case 'done': {
      const other = entry.kind === 'callback' ? customerLeg : callerLeg;
      if (!isAlive(agentLeg) || !isAlive(other)) return end(`the call ended ${away}`, 'conversation');
      const bridge = bridges.find((b) => b.channelIds.includes(agentLeg.id)) ?? bridges.find((b) => b.id === agentLeg.bridgeId);
      if (entry.kind === 'live') {
        const bridged = bridge !== undefined && bridge.channelIds.includes(agentLeg.id) && bridge.channelIds.includes(other.id);
        return { kind: 'live', agentLegId: agentLeg.id, callerChannelId: other.id, bridgeId: bridge?.id ?? null, bridged };
      }
      return {
        kind: 'callback',
        agentLegId: agentLeg.id,
        resume: {
          state: resumedCallbackState({ phase: 'connected', attempts: entry.attempts }),
          customerLegId: other.id,
          bridgeId: bridge?.id,
          upLegs: [agentLeg.id, other.id],
        },
        then: bridge && bridge.channelIds.includes(other.id) ? undefined : 'rebridge',
      };
    }
    case 'waiting':
      // The agent was ringing for a live caller: stop it, no blame; the caller keeps the place.
      return end(`offer interrupted ${away}`, 'give-back');
    default:
      return end(`legs of a ${entry.state} entry ${away}`, 'fault');
  }
}

/** Open legs grouped by entry, with each entry and its agent. */
export async function openCalls(
  store: Pick<Store, 'delivery' | 'callers'>,
): Promise<Array<{ entry: QueueEntry | undefined; legs: Leg[] }>> {
  const byEntry = new Map<string, Leg[]>();
  for (const leg of await store.delivery.openLegs()) byEntry.set(leg.entryId, [...(byEntry.get(leg.entryId) ?? []), leg]);
  const out: Array<{ entry: QueueEntry | undefined; legs: Leg[] }> = [];
  for (const [entryId, legs] of byEntry) out.push({ entry: await store.callers.entry(entryId), legs });
  return out;
}

export type AgentLookup = (id: string) => Promise<Agent | undefined>;
