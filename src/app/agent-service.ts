// Agent availability: the only writer of agent state inside the daemon. Every change that can free an
// agent nudges the dispatcher; wrap-up ends on a timer.
import type { Logger } from '../log';
import type { Agent } from '../domain/model';
import type { Clock, Store } from './ports';

export interface AgentSettings {
  wrapUpSeconds: number;
  maxMissed: number;
}

export class AgentService {
  private readonly wrapUps = new Map<string, NodeJS.Timeout>();
  private onChange: () => void = () => undefined;
  /** After stop() no new timers: the store closes next, and a timer firing after that would throw. */
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: AgentSettings,
    private readonly log: Logger,
  ) {}

  /** The dispatcher subscribes here to hear "an agent may be free now". */
  subscribe(onChange: () => void): void {
    this.onChange = onChange;
  }

  login(agent: Agent): void {
    this.store.agents.setState(agent.id, 'available', this.clock.now(), 0);
    this.log.info('agent logged in', { agentId: agent.id, endpoint: agent.endpoint });
    this.onChange();
  }

  logout(agent: Agent, reason: string): void {
    this.clearWrapUp(agent.id);
    this.store.agents.setState(agent.id, 'logged-out', this.clock.now());
    this.log.info('agent logged out', { agentId: agent.id, reason });
  }

  ringing(agentId: string): void {
    this.store.agents.setState(agentId, 'ringing', this.clock.now());
  }

  busy(agentId: string): void {
    this.store.agents.setState(agentId, 'busy', this.clock.now(), 0);
  }

  /** Rang out / unreachable: back to available, or logged out after too many misses in a row. */
  missed(agentId: string): void {
    const agent = this.store.agents.get(agentId);
    if (!agent || agent.state === 'logged-out') return;
    const missed = agent.missed + 1;
    if (missed >= this.settings.maxMissed) {
      this.store.agents.setState(agentId, 'logged-out', this.clock.now(), missed);
      this.log.warn('agent logged out after missed calls', { agentId, missed });
      return;
    }
    this.store.agents.setState(agentId, 'available', this.clock.now(), missed);
    this.onChange();
  }

  /** Back to available without a call having happened (declined, or the caller vanished). */
  release(agentId: string): void {
    const agent = this.store.agents.get(agentId);
    if (!agent || agent.state === 'logged-out') return;
    this.store.agents.setState(agentId, 'available', this.clock.now());
    this.onChange();
  }

  /** A call ended: wrap-up time, then available. */
  wrapUp(agentId: string): void {
    const agent = this.store.agents.get(agentId);
    if (!agent || agent.state === 'logged-out') return;
    if (this.settings.wrapUpSeconds <= 0) return this.release(agentId);
    this.store.agents.setState(agentId, 'wrap-up', this.clock.now());
    this.clearWrapUp(agentId);
    // Stopping: the wrap-up stays in the DB and recover() makes the agent available at the next start.
    if (this.stopped) return;
    this.wrapUps.set(
      agentId,
      setTimeout(() => {
        this.wrapUps.delete(agentId);
        if (this.stopped) return;
        try {
          if (this.store.agents.get(agentId)?.state === 'wrap-up') this.release(agentId);
        } catch (err) {
          this.log.error('ending wrap-up failed', { agentId, error: (err as Error).message });
        }
      }, this.settings.wrapUpSeconds * 1000),
    );
  }

  endpointState(endpoint: string, state: string): void {
    const online = state !== 'offline';
    const agent = this.store.agents.byEndpoint(endpoint);
    if (!agent || agent.online === online) return;
    this.store.agents.setOnline(endpoint, online);
    this.log.info(online ? 'agent phone back online' : 'agent phone offline, out of rotation', { agentId: agent.id, endpoint });
    if (online) this.onChange();
  }

  /** After a restart nobody is ringing or talking through us any more. */
  recover(): void {
    for (const agent of this.store.agents.list()) {
      if (agent.state === 'ringing' || agent.state === 'busy' || agent.state === 'wrap-up') {
        this.store.agents.setState(agent.id, 'available', this.clock.now());
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.wrapUps.keys()]) this.clearWrapUp(id);
  }

  private clearWrapUp(agentId: string): void {
    clearTimeout(this.wrapUps.get(agentId));
    this.wrapUps.delete(agentId);
  }
}
