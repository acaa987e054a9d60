// The delivery feature: dispatch decisions, the sessions that carry them out (live caller → agent,
// callback execution), and the reconciliation of durable legs with the PBX after a restart or an ARI
// outage (reconcile.ts). Other features talk to it through AppEvents.
import { randomUUID } from 'node:crypto';
import type { Agent, QueueEntry } from '../../domain/model';
import type { Store } from '../ports';
import type { BridgeInfo, ChannelInfo } from '../telephony';
import { CallbackSession } from './callback-session';
import { isUp, type DeliveryDeps } from './deps';
import { Dispatcher } from './dispatcher';
import { LiveSession } from './live-session';
import { AWAY, openCalls, planLegs, type LegPlan } from './reconcile';

export interface DeliveryFeatureDeps extends DeliveryDeps {
  store: Pick<Store, 'delivery' | 'directory' | 'callers' | 'agents' | 'changes'>;
  /** Whether a live entry's caller is on the line in this process. */
  hasCaller: (entryId: string) => boolean;
}

export class DeliveryFeature {
  readonly dispatcher: Dispatcher;
  /** Entries with a session in this process. */
  private readonly active = new Map<string, CallbackSession | LiveSession>();
  private stopWatching: (() => void) | undefined;

  constructor(private readonly deps: DeliveryFeatureDeps) {
    this.dispatcher = new Dispatcher({
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      events: deps.events,
      hasCaller: (entryId) => deps.hasCaller(entryId),
      // While ARI is down a dial can only fail, and that would count as the agent's miss.
      canDeliver: () => deps.telephony.connected,
      dropCaller: async (entry) => {
        await deps.store.callers.leave(entry.id, deps.clock.now(), 'abandoned');
        deps.log.info('waiting place without a call closed', { entryId: entry.id });
      },
      deliver: (entry, agent) => this.deliver(entry, agent),
    });
  }

  start(): void {
    this.dispatcher.start();
    // An agent logged out elsewhere (the admin CLI, another node) while their phone rings with an offer
    // of ours: the offer ends and the entry keeps its place, instead of the agent still getting the call.
    this.stopWatching?.();
    const offLocal = this.deps.events.on('agent-changed', ({ agentId }) => void this.withdrawLoggedOut(agentId));
    const offFeed = this.deps.store.changes.subscribe(({ topic }) => {
      if (topic === 'agents' || topic === 'unknown') void this.withdrawLoggedOut();
    });
    this.stopWatching = () => {
      offLocal();
      offFeed();
    };
  }

  stop(): void {
    this.dispatcher.stop();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** Ends the pending offers (not yet accepted) of agents the store now has logged out. */
  private async withdrawLoggedOut(onlyAgent?: string): Promise<void> {
    for (const session of [...this.active.values()]) {
      if (onlyAgent !== undefined && session.agentId !== onlyAgent) continue;
      if (!session.offerPending) continue;
      try {
        const agent = await this.deps.store.agents.agent(session.agentId);
        if (agent && agent.state !== 'logged-out') continue;
        await session.withdraw(agent ? 'agent logged out while the offer rang' : 'agent removed while the offer rang');
      } catch (err) {
        this.deps.log.error('could not check a ringing agent after a change', {
          agentId: session.agentId,
          error: (err as Error).message,
        });
      }
    }
  }

  /** Agents on a call of ours right now (they stay busy through a restart). */
  agentsOnCalls(): Set<string> {
    return new Set([...this.active.values()].map((s) => s.agentId));
  }

  get activeCalls(): number {
    return this.active.size;
  }

  private async deliver(entry: QueueEntry, agent: Agent): Promise<{ done: Promise<void> } | undefined> {
    const { store, clock, rules } = this.deps;
    const agentLegId = randomUUID();
    // The leg is recorded in the same transaction that makes the agent ringing and the slot offered.
    const offered = await store.delivery.offer(
      entry,
      agent.id,
      { id: agentLegId, entryId: entry.id, role: 'agent', agentId: agent.id, at: clock.now() },
      rules,
    );
    if (!offered) return undefined;
    const number = entry.kind === 'callback' ? await store.directory.number(entry.did) : undefined;
    const session =
      entry.kind === 'callback'
        ? new CallbackSession(entry, agent, number, this.deps, agentLegId)
        : new LiveSession(entry, agent, this.deps, agentLegId);
    this.track(entry.id, session);
    await session.ring();
    return { done: session.done };
  }

  private track(entryId: string, session: CallbackSession | LiveSession): void {
    this.active.set(entryId, session);
    // Only this session: after abandon() the entry may already have its re-adopting successor.
    void session.done.finally(() => {
      if (this.active.get(entryId) === session) this.active.delete(entryId);
    });
  }

  /**
   * After an ARI outage, before anything else is reconciled: sessions that lost a channel while events
   * could not reach us give up (abandon()), so that no made-up hangup is judged as the agent's or the
   * customer's doing, and recover() plans their entries like those of a restart. Sessions whose
   * channels are all still up go on. Returns how many gave up.
   */
  releaseLost(alive: ReadonlySet<string>): number {
    let released = 0;
    for (const [entryId, session] of [...this.active]) {
      if (session.channels().every((id) => alive.has(id))) continue;
      this.active.delete(entryId);
      session.abandon();
      released++;
    }
    return released;
  }

  /** Compares our open legs with the PBX and re-adopts or ends each call in flight (reconcile.ts);
   *  `why` words the causes of what ended unseen. */
  async recover(
    channels: readonly ChannelInfo[],
    bridges: readonly BridgeInfo[],
    why: 'start' | 'reconnect' = 'start',
  ): Promise<{ adopted: number; ended: number }> {
    const { store, log } = this.deps;
    const alive = new Map(channels.map((c) => [c.id, c]));
    const away = why === 'start' ? AWAY.restart : AWAY.outage;
    let adopted = 0;
    let ended = 0;
    // Calls still ours (all their channels survived an ARI outage): a leg answered meanwhile sent its
    // event into the void; the PBX's channel state tells it again (the sessions ignore a repeat).
    for (const session of [...this.active.values()]) {
      for (const channelId of session.channels()) {
        if (isUp(alive.get(channelId)?.state ?? '')) await session.handle({ type: 'channel-state', channelId, state: 'Up' });
      }
    }
    for (const { entry, legs } of await openCalls(store)) {
      if (entry && this.active.has(entry.id)) continue; // still ours: its session heard (or hears) what happened
      const plan = planLegs({ entry, legs, alive, bridges, maxAttempts: this.deps.callback.maxAttempts, away });
      const entryId = legs[0].entryId;
      try {
        if (plan.kind === 'end') {
          await this.end(entryId, plan);
          ended++;
        } else {
          await this.adopt(entry!, plan);
          adopted++;
        }
      } catch (err) {
        log.error('call in flight could not be reconciled', { entryId, plan: plan.kind, error: (err as Error).message });
      }
    }
    if (adopted + ended > 0) log.info('calls in flight reconciled with the PBX', { adopted, ended });
    return { adopted, ended };
  }

  private async end(entryId: string, plan: Extract<LegPlan, { kind: 'end' }>): Promise<void> {
    const { telephony, store, clock, rules, events, log } = this.deps;
    for (const channelId of plan.hangup) await telephony.hangup(channelId).catch(() => undefined);
    const at = clock.now();
    if (plan.how === 'conversation' && plan.agentId) await store.delivery.conversationEnded(entryId, plan.agentId, at, plan.cause, rules);
    else if (plan.how === 'give-back' && plan.agentId)
      await store.delivery.returnToQueue(entryId, plan.agentId, at, { type: 'released' }, plan.cause, rules);
    else await store.delivery.returnAfterFault(entryId, plan.agentId, at, plan.cause, rules);
    log.info('call in flight ended unseen, closed', { entryId, cause: plan.cause, hungUp: plan.hangup.length });
    if (plan.agentId) events.emit({ type: 'agent-changed', agentId: plan.agentId });
    events.emit({ type: 'dispatch-needed', reason: 'call in flight ended' });
  }

  private async adopt(entry: QueueEntry, plan: Exclude<LegPlan, { kind: 'end' }>): Promise<void> {
    const { store } = this.deps;
    const agentId = (await store.delivery.leg(plan.agentLegId))?.agentId ?? entry.agentId;
    const agent = agentId ? await store.agents.agent(agentId) : undefined;
    if (!agent) throw new Error(`agent ${agentId ?? '?'} of the leg no longer exists`);
    if (plan.kind === 'live') {
      const session = new LiveSession(entry, agent, this.deps, plan.agentLegId, {
        callerChannelId: plan.callerChannelId,
        bridgeId: plan.bridgeId,
        bridged: plan.bridged,
      });
      this.track(entry.id, session);
      this.dispatcher.track(entry.id, session.done);
      await session.resume();
      return;
    }
    // The attempt that rang out unseen counts, as it would have had the daemon seen it end.
    if (plan.endedLegId)
      await store.delivery.customerDialEnded(entry.id, plan.endedLegId, this.deps.clock.now(), plan.cause ?? 'ended', true);
    const number = await store.directory.number(entry.did);
    const session = new CallbackSession(entry, agent, number, this.deps, plan.agentLegId, plan.resume);
    this.track(entry.id, session);
    this.dispatcher.track(entry.id, session.done);
    await session.resume(plan.then, plan.cause);
  }
}
