// A live caller at the head of the queue: ring the agent; on answer, bridge the two. No answer leaves
// the caller exactly where they were (DESIGN.md §1 step 5).
import { randomUUID } from 'node:crypto';
import { isChannelGone } from '../ari/errors';
import type { Logger } from '../log';
import { callLogger } from '../log';
import type { Agent, QueueEntry } from '../domain/model';
import type { AgentService } from './agent-service';
import type { CallRouter, CallSession } from './call-router';
import type { CallerSession } from './caller-session';
import type { Delivery } from './dispatcher';
import type { Clock, Store } from './ports';
import type { Telephony, TelephonyEvent } from './telephony';

type Phase = 'ringing' | 'connected' | 'done';

export interface LegDeps {
  telephony: Telephony;
  store: Store;
  clock: Clock;
  router: CallRouter;
  agents: AgentService;
  log: Logger;
  app: string;
  ringTimeoutSeconds: number;
}

/**
 * Rings an agent's phone on a leg routed to `session` (attached before the originate so its events,
 * answer or ring-out, reach the session). `unreached` runs if Asterisk refuses to place the call.
 */
export function ringAgent(deps: LegDeps, session: CallSession, agent: Agent, callerId: string, log: Logger, unreached: () => void): void {
  deps.router.attach(session.channelId, session);
  deps.telephony
    .originate({
      endpoint: agent.endpoint,
      callerId,
      app: deps.app,
      appArgs: ['agent-leg'],
      channelId: session.channelId,
      timeoutSeconds: deps.ringTimeoutSeconds,
    })
    .catch((err) => {
      log.warn('could not ring agent', { error: (err as Error).message });
      unreached();
    });
}

export class LiveDelivery implements Delivery, CallSession {
  readonly channelId = randomUUID(); // the agent leg
  private phase: Phase = 'ringing';
  private bridgeId: string | undefined;
  private finished!: () => void;
  private readonly log: Logger;

  constructor(
    private readonly entry: QueueEntry,
    private readonly agent: Agent,
    private readonly caller: CallerSession,
    private readonly deps: LegDeps,
  ) {
    this.log = callLogger(deps.log, caller.callId, this.channelId).child({ entryId: entry.id, agentId: agent.id });
  }

  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    // A caller who hangs up while the agent rings: stop ringing, the agent did nothing wrong.
    this.caller.onEnded(() => void this.callerGone());
    ringAgent(this.deps, this, this.agent, this.entry.callerId ?? this.entry.did, this.log, () => this.unreached());
    return done;
  }

  async handle(event: TelephonyEvent): Promise<void> {
    if (event.type === 'call-entered' && this.phase === 'ringing') return this.answered();
    if (event.type === 'channel-destroyed' && this.phase === 'ringing') return this.unreached();
  }

  async ended(): Promise<void> {
    // The agent hung up (or the agent leg left): end the caller's side too.
    if (this.phase === 'connected') await this.hangup(this.caller.channelId);
    this.finish(true);
  }

  private async answered(): Promise<void> {
    const { telephony, store, clock, agents } = this.deps;
    if (!(await this.caller.connectToAgent())) {
      this.log.info('caller no longer available when the agent answered');
      await this.hangup(this.channelId);
      agents.release(this.agent.id);
      return this.finish(false);
    }
    this.phase = 'connected';
    agents.busy(this.agent.id);
    store.entries.close(this.entry.id, 'done', clock.now(), `connected to agent ${this.agent.id}`);
    try {
      this.bridgeId = await telephony.createBridge();
      await telephony.addToBridge(this.bridgeId, [this.caller.channelId, this.channelId]);
      this.log.info('caller connected to agent');
    } catch (err) {
      this.log.error('could not bridge caller and agent', { error: (err as Error).message });
      await this.hangup(this.caller.channelId);
      await this.hangup(this.channelId);
    }
    // When the caller hangs up, hang up the agent (onEnded fires callerGone).
  }

  private unreached(): void {
    if (this.phase !== 'ringing') return;
    this.log.info('agent did not answer; caller keeps the place');
    this.deps.router.detach(this.channelId);
    this.deps.agents.missed(this.agent.id);
    this.phase = 'done';
    this.finished();
  }

  private async callerGone(): Promise<void> {
    if (this.phase === 'ringing') {
      await this.hangup(this.channelId);
      this.deps.agents.release(this.agent.id);
      this.phase = 'done';
      this.finished?.();
    } else if (this.phase === 'connected') {
      await this.hangup(this.channelId);
    }
  }

  private finish(talked: boolean): void {
    if (this.phase === 'done') return;
    const wasConnected = this.phase === 'connected';
    this.phase = 'done';
    if (this.bridgeId) void this.deps.telephony.destroyBridge(this.bridgeId).catch(() => undefined);
    if (wasConnected && talked) this.deps.agents.wrapUp(this.agent.id);
    this.finished();
  }

  private async hangup(channelId: string): Promise<void> {
    try {
      await this.deps.telephony.hangup(channelId);
    } catch (err) {
      if (!isChannelGone(err)) this.log.warn('hangup failed', { channelId, error: (err as Error).message });
    }
  }
}
