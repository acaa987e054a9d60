// A live caller at the head of the queue, delivered to an agent: the decisions are the pure live
// machine's (domain/agent/live-machine.ts); this session rings the agent on a durable leg, asks the
// callers feature for the caller, bridges, and records each step as one store transition.
import {
  connectedLiveState,
  initialLiveState,
  transitionLive,
  type LiveCommand,
  type LiveEvent,
  type LiveState,
} from '../../domain/agent/live-machine';
import type { Agent, QueueEntry } from '../../domain/model';
import { callLogger, type Logger } from '../../log';
import { Flow } from '../flow';
import { Leg } from '../leg';
import type { ChannelHandler } from '../router';
import { isChannelGone, type TelephonyEvent } from '../telephony';
import { ConversationBridge } from './conversation-bridge';
import { isUp, type DeliveryDeps } from './deps';

/** A conversation found after a restart: its bridge if the PBX still has it, and whether both parties
 *  are in it. */
export interface LiveResume {
  callerChannelId: string;
  bridgeId: string | null;
  bridged: boolean;
}

export class LiveSession implements ChannelHandler {
  readonly agentLegId: string;
  private readonly agentLeg: Leg;
  private callerChannelId: string | undefined;
  private readonly bridge: ConversationBridge;
  private readonly flow: Flow<LiveState, LiveEvent, LiveCommand>;
  private readonly log: Logger;
  private ringStartedAt = 0;
  /** The PBX refused to ring the agent at all: not the agent's miss. */
  private ringRefused = false;
  /** A re-adopted conversation whose parties are still in their bridge. */
  private readonly bridged: boolean;
  private agentEnded = false;
  /** Given up after an ARI outage (abandon()): the reconciliation owns the entry now. */
  private abandoned = false;
  /** Set synchronously on answer, so a hangup racing the answer is judged right. */
  private agentUp = false;
  private stopListening: () => void = () => undefined;
  private settle!: () => void;
  /** Resolves when the delivery is over. */
  readonly done = new Promise<void>((resolve) => (this.settle = resolve));

  get agentId(): string {
    return this.agent.id;
  }

  /** Offered but not yet taken by the agent: a logout still withdraws it. */
  get offerPending(): boolean {
    return this.flow.state.phase === 'ringing-agent';
  }

  constructor(
    private readonly entry: QueueEntry,
    private readonly agent: Agent,
    private readonly deps: DeliveryDeps,
    agentLegId: string,
    resume?: LiveResume,
  ) {
    this.agentLegId = agentLegId;
    this.callerChannelId = resume?.callerChannelId;
    this.agentUp = resume !== undefined;
    this.bridged = resume?.bridged ?? false;
    this.log = callLogger(deps.log, entry.id, this.agentLegId).child({ entryId: entry.id, agentId: agent.id });
    this.agentLeg = new Leg(this.agentLegId, deps.telephony, this.log, deps.leg);
    this.bridge = new ConversationBridge(deps.telephony, this.log, resume?.bridgeId ?? undefined);
    this.flow = new Flow(
      {
        name: 'live delivery',
        transition: transitionLive,
        execute: (command) => this.execute(command),
        afterEvent: (state) => this.afterEvent(state),
      },
      resume ? connectedLiveState() : initialLiveState(),
      this.log,
    );
    // A caller who hangs up (or is gone otherwise) while the agent rings or talks.
    this.stopListening = deps.events.on('caller-ended', ({ entryId }) => {
      if (entryId === entry.id) void this.flow.dispatch({ type: 'caller-hangup' });
    });
    deps.router.attach(this.agentLegId, this, { untilDestroyed: true });
    // Re-adopted conversation: no caller session owns the caller's channel any more, we do.
    this.ownsCallerChannel = resume !== undefined;
    if (resume) deps.router.attach(resume.callerChannelId, this);
  }

  /** Rings the agent (the leg and the agent's ringing state were recorded by the offer). */
  async ring(): Promise<void> {
    const { telephony, app } = this.deps;
    this.ringStartedAt = this.deps.clock.now();
    try {
      await telephony.dial({
        channelId: this.agentLegId,
        endpoint: this.agent.endpoint,
        // The agent's display shows who is waiting.
        callerId: this.entry.callerId ?? this.entry.did,
        app,
        appArgs: ['agent-leg'],
        timeoutSeconds: this.deps.agentRingSeconds,
      });
      this.log.info('ringing agent for a live caller');
    } catch (err) {
      this.log.warn('could not ring agent', { error: (err as Error).message });
      this.ringRefused = true;
      await this.flow.dispatch({ type: 'agent-unreached', cause: `dial refused: ${(err as Error).message}` });
    }
  }

  /** A re-adopted conversation: agent and caller back into one bridge if the restart lost it. */
  async resume(): Promise<void> {
    this.log.info('conversation re-adopted after restart', { bridged: this.bridged });
    if (this.bridged) return;
    try {
      await this.bridge.rejoin([this.callerChannelId!, this.agentLegId]);
    } catch (err) {
      await this.flow.dispatch({ type: 'bridge-failed', cause: (err as Error).message });
    }
  }

  /** The channels of this delivery: the agent's leg and, once known, the caller's. */
  channels(): string[] {
    const ids = this.agentEnded ? [] : [this.agentLegId];
    if (this.callerChannelId && !this.callerGone) ids.push(this.callerChannelId);
    return ids;
  }

  /** A channel vanished while events could not reach us: stop without another command or store write
   *  and leave the entry to DeliveryFeature.recover() (see CallbackSession.abandon). */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.stopListening();
    this.deps.router.detach(this.agentLegId);
    if (this.ownsCallerChannel && this.callerChannelId) this.deps.router.detach(this.callerChannelId);
    this.log.warn('delivery lost a call while events were not reaching us; reconciling it with the PBX', { phase: this.flow.state.phase });
    this.settle();
  }

  /** The agent was logged out while the phone rang: stop ringing, the caller keeps the place. */
  withdraw(cause: string): Promise<void> {
    return this.flow.dispatch({ type: 'offer-withdrawn', cause });
  }

  handle(event: TelephonyEvent): Promise<void> | void {
    if (this.abandoned) return;
    if ('channelId' in event && event.channelId !== this.agentLegId) return this.callerEvent(event);
    this.agentLeg.handle(event);
    switch (event.type) {
      case 'channel-state':
        if (!isUp(event.state) || this.agentUp) return;
        this.agentUp = true;
        return this.flow.dispatch({ type: 'agent-answered' });
      case 'hangup':
      case 'call-left':
      case 'channel-destroyed':
        if (this.agentEnded) return;
        this.agentEnded = true;
        if (this.agentUp) return this.flow.dispatch({ type: 'agent-hangup' });
        // Not answered: the destroy carries the cause (no answer, busy, rejected).
        if (event.type !== 'channel-destroyed') {
          this.agentEnded = false;
          return;
        }
        return this.flow.dispatch({ type: 'agent-unreached', cause: event.causeText || `cause ${event.cause}` });
      default:
        return;
    }
  }

  private callerGone = false;
  private readonly ownsCallerChannel: boolean;

  private callerEvent(event: TelephonyEvent): Promise<void> | void {
    if (event.type !== 'hangup' && event.type !== 'call-left' && event.type !== 'channel-destroyed') return;
    if (this.callerGone) return;
    this.callerGone = true;
    return this.flow.dispatch({ type: 'caller-hangup' });
  }

  private async execute(command: LiveCommand): Promise<LiveEvent | void> {
    const { store, clock, telephony, rules, events } = this.deps;
    if (this.abandoned) return;
    switch (command.type) {
      case 'take-caller': {
        const taken = await this.deps.callers.take(this.entry.id);
        if (!taken) return { type: 'caller-unavailable' };
        this.callerChannelId = taken.channelId;
        return { type: 'caller-taken' };
      }
      case 'bridge': {
        const callerChannelId = this.callerChannelId!;
        const at = clock.now();
        const legs = [
          { id: this.agentLegId, role: 'agent' as const },
          { id: callerChannelId, role: 'caller' as const },
        ];
        try {
          await this.bridge.connect(
            (bridgeId) => store.delivery.connected(this.entry.id, legs, bridgeId, this.agent.id, at, rules),
            [callerChannelId, this.agentLegId],
          );
        } catch (err) {
          this.log.error('could not bridge caller and agent', { error: (err as Error).message });
          return { type: 'bridge-failed', cause: (err as Error).message };
        } finally {
          events.emit({ type: 'agent-changed', agentId: this.agent.id });
        }
        this.log.info('caller connected to agent');
        return { type: 'bridged' };
      }
      case 'hangup-agent':
        await this.agentLeg.hangup();
        return;
      case 'hangup-caller':
        if (this.callerChannelId) await telephony.hangup(this.callerChannelId).catch((err: unknown) => ignoreGone(err));
        return;
      case 'give-back': {
        const at = clock.now();
        // A dial the PBX refused never reached the phone: no miss, but the pause of a phone rejecting at
        // once, so that a PBX that keeps refusing cannot bounce the caller between offers in a tight loop.
        const missed = command.agent === 'missed' && !this.ringRefused;
        await store.delivery.returnToQueue(
          this.entry.id,
          this.agent.id,
          at,
          { type: missed ? 'missed' : 'released' },
          command.cause,
          rules,
        );
        this.log.info(missed ? 'agent did not answer; caller keeps the place' : 'agent released', { cause: command.cause });
        if (this.ringRefused || (missed && at - this.ringStartedAt < this.deps.fastRejectMs)) {
          events.emit({ type: 'agent-pause', agentId: this.agent.id, seconds: this.deps.rejectPauseSeconds });
          events.emit({ type: 'cooldown', entryId: this.entry.id, agentId: this.agent.id, seconds: this.deps.rejectPauseSeconds });
        }
        events.emit({ type: 'agent-changed', agentId: this.agent.id });
        return;
      }
      case 'conversation-ended':
        await this.bridge.end();
        await store.delivery.conversationEnded(this.entry.id, this.agent.id, clock.now(), command.cause, rules);
        this.log.info('conversation ended', { cause: command.cause });
        events.emit({ type: 'agent-changed', agentId: this.agent.id });
        return;
    }
  }

  private afterEvent(state: LiveState): void {
    if (state.phase !== 'ended' || this.abandoned) return;
    this.stopListening();
    this.deps.router.detach(this.agentLegId);
    if (this.ownsCallerChannel && this.callerChannelId) this.deps.router.detach(this.callerChannelId);
    this.settle();
  }
}

function ignoreGone(err: unknown): void {
  if (!isChannelGone(err)) throw err;
}
