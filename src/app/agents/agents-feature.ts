// The agents feature: state changes by the shared rules (domain/agent/agent-state.ts) through the store,
// wrap-up timers, phones going offline and back (endpoint states), and the *45/*46 feature codes.
// Delivery changes agents inside its own store transitions and announces it with 'agent-changed';
// this feature then arms the wrap-up timer or asks for a dispatch round.
import { randomUUID } from 'node:crypto';
import type { AgentRules } from '../../domain/agent/agent-state';
import type { Agent, AgentEvent } from '../../domain/model';
import type { PromptId } from '../../domain/prompts';
import { callLogger, type Logger } from '../../log';
import { Announcement } from '../announcement';
import type { AppEvents } from '../events';
import type { LegOptions } from '../leg';
import type { Clock, Store } from '../ports';
import type { PromptMedia } from '../prompt-media';
import type { CallRouter } from '../router';
import type { CallEntered, Telephony } from '../telephony';
import { boundedTimeout, type TimerHandle } from '../timers';

export interface AgentsFeatureDeps {
  store: Pick<Store, 'agents'>;
  telephony: Telephony;
  clock: Clock;
  log: Logger;
  events: AppEvents;
  media: PromptMedia;
  router: CallRouter;
  rules: AgentRules;
  leg: LegOptions;
  endpointPollMs: number;
}

export class AgentsFeature {
  private readonly wrapUps = new Map<string, TimerHandle>();
  private poll: TimerHandle | undefined;
  private stopped = true;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: AgentsFeatureDeps) {}

  /** Feature codes by Stasis argument, for inbound routing. */
  featureCodes(): Map<string, (entered: CallEntered) => Promise<void>> {
    return new Map([
      ['agent-login', (entered) => this.featureCode(entered, { type: 'login' })],
      ['agent-logout', (entered) => this.featureCode(entered, { type: 'logout' })],
    ]);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe.push(this.deps.events.on('agent-changed', ({ agentId }) => void this.settle(agentId)));
    this.schedulePoll();
    void this.resumeWrapUps();
  }

  /** Idempotent. Wrap-ups pending in the store are armed again at the next start, for what is left. */
  stop(): void {
    this.stopped = true;
    this.poll?.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
    for (const timer of this.wrapUps.values()) timer.cancel();
    this.wrapUps.clear();
  }

  /** Applies an event by the shared rules; the agent afterwards. */
  async apply(agentId: string, event: AgentEvent): Promise<Agent | undefined> {
    const agent = await this.deps.store.agents.apply(agentId, event, this.deps.clock.now(), this.deps.rules);
    if (agent) await this.settle(agent.id, agent);
    return agent;
  }

  /** After a restart: agents marked ringing/busy without a live call of ours are free again; agents
   *  whose call is still up (re-adopted by delivery) stay as they are. An agent in wrap-up has no call
   *  by definition and keeps the rest of it: a restart must not hand them the next caller early (the
   *  timer is armed again from when the wrap-up began, at start or at once after a reconnect). */
  async recover(onCall: ReadonlySet<string>): Promise<number> {
    let freed = 0;
    for (const agent of await this.deps.store.agents.list()) {
      if (agent.state === 'wrap-up') {
        if (!this.stopped) this.armWrapUp(agent);
        continue;
      }
      if (onCall.has(agent.id) || !['ringing', 'busy'].includes(agent.state)) continue;
      await this.apply(agent.id, { type: 'recovered' });
      freed++;
    }
    if (freed > 0) this.deps.log.info('agents without a call of ours are available again', { freed });
    return freed;
  }

  /** Wrap-ups found in the store at start (a restart lost their timers): each ends when it would have. */
  private async resumeWrapUps(): Promise<void> {
    try {
      for (const agent of await this.deps.store.agents.list()) if (agent.state === 'wrap-up') this.armWrapUp(agent);
    } catch (err) {
      this.deps.log.error('wrap-ups could not be resumed', { error: (err as Error).message });
    }
  }

  /** Reacts to the agent's stored state: a wrap-up gets its timer, a free agent a dispatch round. */
  private async settle(agentId: string, known?: Agent): Promise<void> {
    try {
      const agent = known ?? (await this.deps.store.agents.agent(agentId));
      if (!agent) return;
      if (agent.state === 'wrap-up') this.armWrapUp(agent);
      else this.clearWrapUp(agent.id);
      if (agent.state === 'available') this.deps.events.emit({ type: 'dispatch-needed', reason: `agent ${agent.id} available` });
    } catch (err) {
      this.deps.log.error('agent state could not be read', { agentId, error: (err as Error).message });
    }
  }

  private armWrapUp(agent: Agent): void {
    if (this.stopped || this.wrapUps.has(agent.id)) return;
    const left = this.deps.rules.wrapUpSeconds * 1000 - (this.deps.clock.now() - agent.stateSince);
    this.wrapUps.set(
      agent.id,
      boundedTimeout(() => {
        this.wrapUps.delete(agent.id);
        if (!this.stopped) void this.apply(agent.id, { type: 'wrap-up-ended' }).catch((err: unknown) => this.failed(agent.id, err));
      }, left),
    );
  }

  private clearWrapUp(agentId: string): void {
    this.wrapUps.get(agentId)?.cancel();
    this.wrapUps.delete(agentId);
  }

  private failed(agentId: string, err: unknown): void {
    this.deps.log.error('agent state change failed', { agentId, error: (err as Error).message });
  }

  /** Agent phones that went offline (unregistered, unreachable) leave the rotation until back. Polled:
   *  an ARI endpoint subscription would deliver every channel event of those endpoints twice. */
  private schedulePoll(): void {
    if (this.stopped) return;
    this.poll = boundedTimeout(() => {
      void this.pollEndpoints().finally(() => this.schedulePoll());
    }, this.deps.endpointPollMs);
  }

  async pollEndpoints(): Promise<void> {
    const { telephony, store, log, events } = this.deps;
    try {
      const agents = new Map((await store.agents.list()).map((a) => [a.endpoint, a]));
      for (const { endpoint, state } of await telephony.endpointStates()) {
        const agent = agents.get(endpoint);
        if (!agent) continue;
        const online = state !== 'offline';
        if (agent.online === online || !(await store.agents.setOnline(endpoint, online))) continue;
        log.info(online ? 'agent phone back online' : 'agent phone offline, out of rotation', { agentId: agent.id, endpoint });
        if (online) events.emit({ type: 'dispatch-needed', reason: `agent ${agent.id} phone online` });
      }
    } catch (err) {
      log.warn('could not read endpoint states', { error: (err as Error).message });
    }
  }

  private async featureCode(entered: CallEntered, event: AgentEvent): Promise<void> {
    const { telephony, store, media, router } = this.deps;
    const log = callLogger(this.deps.log, randomUUID(), entered.channelId);
    const announcement = new Announcement(entered.channelId, telephony, log, this.deps.leg);
    router.attach(entered.channelId, announcement);
    const agent = entered.endpoint ? await store.agents.byEndpoint(entered.endpoint) : undefined;
    let reply: PromptId;
    if (!agent) {
      log.warn('feature code from a phone that is not an agent', { endpoint: entered.endpoint, action: event.type });
      reply = 'agent-unknown';
    } else {
      await this.apply(agent.id, event);
      log.info(event.type === 'login' ? 'agent logged in' : 'agent logged out', {
        agentId: agent.id,
        endpoint: agent.endpoint,
        via: 'feature code',
      });
      reply = event.type === 'login' ? 'agent-logged-in' : 'agent-logged-out';
    }
    await announcement.say([media.shipped(reply, await media.languageFor(undefined))]);
  }
}
