// Executes one callback slot: rings the agent with the customer's number, lets the agent choose
// Call/Decline, dials the customer through the number's outbound route and bridges them. The decisions
// are the pure callback machine's (domain/agent/callback-machine.ts); every leg is recorded before it
// is dialled, and every business step is one store transition.
import {
  initialCallbackState,
  transitionCallback,
  type CallbackCommand,
  type CallbackEvent,
  type CallbackState,
} from '../../domain/agent/callback-machine';
import { classifyDialEnd } from '../../domain/agent/dial-outcome';
import type { Agent, NumberConfig, QueueEntry, Ticket } from '../../domain/model';
import { prompt } from '../../domain/prompts';
import { callLogger, type Logger } from '../../log';
import { Flow } from '../flow';
import { Leg } from '../leg';
import type { ChannelHandler } from '../router';
import type { TelephonyEvent } from '../telephony';
import { Timers } from '../timers';
import { ConversationBridge } from './conversation-bridge';
import { acceptedTicket, dialCustomer } from './customer-dial';
import { isUp, type CallbackResume, type DeliveryDeps, type ResumeStep } from './deps';

type Side = 'agent' | 'customer';

export class CallbackSession implements ChannelHandler {
  readonly agentLegId: string;
  private readonly agentLeg: Leg;
  private customerLeg: Leg | undefined;
  private readonly bridge: ConversationBridge;
  private readonly flow: Flow<CallbackState, CallbackEvent, CallbackCommand>;
  private readonly timers = new Timers<'menu' | 'retry'>();
  private readonly log: Logger;
  private readonly ended = new Set<string>();
  /** Legs seen answered (tracked here, synchronously, so a hangup racing the answer is judged right). */
  private readonly up = new Set<string>();
  /** The slot vanished under us (cancelled/expired): carry out nothing more of the machine's plan. */
  private aborted = false;
  /** Given up after an ARI outage (abandon()): the reconciliation owns the entry now. */
  private abandoned = false;
  private ringStartedAt = 0;
  /** Why the PBX refused to ring the agent at all (not the agent's miss), if it did. */
  private ringRefused: string | undefined;
  /** The ticket comment the machine asked for, written together with the finish. */
  private pendingComment: string | null = null;
  private language = 'en';
  private settle!: () => void;
  readonly done = new Promise<void>((resolve) => (this.settle = resolve));

  get agentId(): string {
    return this.agent.id;
  }

  /** Offered but not yet taken by the agent: a logout still withdraws it. */
  get offerPending(): boolean {
    return this.flow.state.phase === 'ringing-agent' || this.flow.state.phase === 'announcing';
  }

  constructor(
    private readonly entry: QueueEntry,
    private readonly agent: Agent,
    private readonly number: NumberConfig | undefined,
    private readonly deps: DeliveryDeps,
    agentLegId: string,
    resume?: CallbackResume,
  ) {
    this.agentLegId = agentLegId;
    this.log = callLogger(deps.log, entry.id, this.agentLegId).child({ agentId: agent.id, callbackNumber: entry.callbackNumber });
    this.agentLeg = new Leg(this.agentLegId, deps.telephony, this.log, deps.leg);
    if (resume?.customerLegId) this.customerLeg = this.adoptCustomerLeg(resume.customerLegId);
    for (const id of resume?.upLegs ?? []) this.up.add(id);
    this.bridge = new ConversationBridge(deps.telephony, this.log, resume?.bridgeId);
    this.flow = new Flow(
      {
        name: 'callback',
        transition: (state, event) =>
          transitionCallback(state, event, deps.callback, {
            number: entry.callbackNumber ?? '',
            waitedMinutes: (deps.clock.now() - (entry.firstRequestedAt ?? entry.requestedAt ?? entry.enteredAt)) / 60_000,
          }),
        execute: (command) => this.execute(command),
        afterEvent: (state) => this.afterEvent(state),
      },
      resume?.state ?? initialCallbackState(),
      this.log,
    );
    deps.router.attach(this.agentLegId, this, { untilDestroyed: true });
  }

  /** Rings the agent; the agent's display shows whom they would call. */
  async ring(): Promise<void> {
    this.language = await this.deps.media.languageFor(undefined); // agents hear the system language
    this.ringStartedAt = this.deps.clock.now();
    try {
      await this.deps.telephony.dial({
        channelId: this.agentLegId,
        endpoint: this.agent.endpoint,
        callerId: this.entry.callbackNumber ?? undefined,
        app: this.deps.app,
        appArgs: ['agent-leg'],
        timeoutSeconds: this.deps.agentRingSeconds,
      });
      this.log.info('ringing agent with a callback request');
    } catch (err) {
      this.log.warn('could not ring agent', { error: (err as Error).message });
      this.ringRefused = (err as Error).message;
      await this.flow.dispatch({ type: 'agent-unreached' });
    }
  }

  /** Continues a re-adopted execution (see reconcile.ts for the steps). */
  async resume(step: ResumeStep | undefined, cause?: string): Promise<void> {
    this.language = await this.deps.media.languageFor(undefined);
    this.log.info('callback re-adopted after restart', { phase: this.flow.state.phase, step: step ?? 'wait' });
    switch (step) {
      case 'announce':
        return this.flow.dispatch({ type: 'agent-answered' });
      case 'customer-answered':
        return this.flow.dispatch({ type: 'customer-answered' });
      case 'retry':
        // When the last attempt ended is not recorded on the open legs: wait the whole delay rather
        // than ring the customer again right after a restart (they may have just rejected the call).
        this.timers.set('retry', this.deps.callback.retryDelaySeconds, () => void this.flow.dispatch({ type: 'retry-due' }));
        return;
      case 'unreached':
        return this.flow.dispatch({ type: 'customer-unreached', cause: cause ?? 'not answered' });
      case 'rebridge':
        return this.flow.run(async () => {
          try {
            await this.bridge.rejoin(this.conversationLegs());
          } catch (err) {
            this.log.error('could not bridge agent and customer again after restart', { error: (err as Error).message });
            await this.flow.dispatch({ type: 'bridge-failed', cause: (err as Error).message });
          }
        });
      case undefined:
        return;
    }
  }

  /** The channels of this call that are still up as far as it knows. */
  channels(): string[] {
    const ids = [this.agentLegId, ...(this.customerLeg ? [this.customerLeg.channelId] : [])];
    return ids.filter((id) => !this.ended.has(id));
  }

  /**
   * A channel of this call vanished while events could not reach us (an ARI outage, Asterisk restarted):
   * what happened to it is unknown, so the session must not guess (a made-up hangup would read as the
   * agent declining or hanging up on the customer). It stops here, without another command or store
   * write; DeliveryFeature.recover() then plans the entry from the store and the PBX, as after a restart.
   */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = this.aborted = true;
    this.timers.close();
    this.deps.router.detach(this.agentLegId);
    if (this.customerLeg) this.deps.router.detach(this.customerLeg.channelId);
    this.log.warn('callback lost a call while events were not reaching us; reconciling it with the PBX', { phase: this.flow.state.phase });
    this.settle();
  }

  /** The agent was logged out before pressing Call: the offer ends, the slot keeps its place. */
  withdraw(cause: string): Promise<void> {
    return this.flow.dispatch({ type: 'offer-withdrawn', cause });
  }

  handle(event: TelephonyEvent): Promise<void> | void {
    if (!('channelId' in event) || this.abandoned) return;
    const side: Side = event.channelId === this.agentLegId ? 'agent' : 'customer';
    this.log.debug('leg event', { side, event });
    (side === 'agent' ? this.agentLeg : this.customerLeg)?.handle(event);
    switch (event.type) {
      case 'channel-state':
        if (!isUp(event.state) || this.up.has(event.channelId)) return;
        this.up.add(event.channelId);
        return this.flow.dispatch({ type: side === 'agent' ? 'agent-answered' : 'customer-answered' });
      case 'dtmf':
        return side === 'agent' ? this.flow.dispatch({ type: 'dtmf', digit: event.digit }) : undefined;
      case 'hangup':
      case 'call-left':
      case 'channel-destroyed':
        return this.legEnded(side, event);
      default:
        return;
    }
  }

  private legEnded(side: Side, event: TelephonyEvent): Promise<void> | void {
    if (!('channelId' in event) || this.ended.has(event.channelId)) return;
    // A hangup request is followed by the destroy with the real cause: wait for that one when the leg
    // was never answered, the cause tells no-answer from a failed route.
    const answered = this.up.has(event.channelId);
    if (!answered && event.type !== 'channel-destroyed') return;
    this.ended.add(event.channelId);
    if (side === 'agent') return this.flow.dispatch(answered ? { type: 'agent-hangup' } : { type: 'agent-unreached' });
    if (answered) return this.flow.dispatch({ type: 'customer-hangup' });
    return this.customerDialEnded(event as Extract<TelephonyEvent, { type: 'channel-destroyed' }>);
  }

  private async customerDialEnded(event: Extract<TelephonyEvent, { type: 'channel-destroyed' }>): Promise<void> {
    const outcome = classifyDialEnd(event.cause, event.causeText);
    const counted = outcome.kind === 'customer';
    const attempts = await this.deps.store.delivery.customerDialEnded(
      this.entry.id,
      event.channelId,
      this.deps.clock.now(),
      outcome.reason,
      counted,
    );
    this.log.info(counted ? 'customer did not answer' : 'customer dial failed on our side', { cause: outcome.reason, attempts });
    await this.flow.dispatch(
      counted ? { type: 'customer-unreached', cause: outcome.reason } : { type: 'customer-dial-failed', cause: outcome.reason },
    );
  }

  private async execute(command: CallbackCommand): Promise<CallbackEvent | void> {
    const { store, clock, media, rules, events } = this.deps;
    if (this.aborted) return;
    switch (command.type) {
      case 'play-agent': {
        const list = await media.mediaList(command.prompts, this.language);
        void this.agentLeg.play(list).then((result) => {
          if (result === 'finished') void this.flow.dispatch({ type: 'prompt-finished' });
          else if (result === 'failed' || result === 'timeout') void this.flow.dispatch({ type: 'prompt-failed' });
        });
        return;
      }
      case 'stop-agent-prompt':
        await this.agentLeg.stopPrompt();
        return;
      case 'set-menu-timer':
        {
          const outages = this.deps.telephony.outages;
          this.timers.set('menu', command.seconds, () => {
            const { telephony } = this.deps;
            const keysMayBeLost = telephony.outages !== outages || !telephony.connected;
            if (keysMayBeLost) this.log.warn('menu timed out while events may have been lost: asking the agent again');
            void this.flow.dispatch({ type: 'menu-timeout', keysMayBeLost });
          });
        }
        return;
      case 'clear-menu-timer':
        this.timers.clear('menu');
        return;
      case 'set-retry-timer':
        this.timers.set('retry', command.seconds, () => void this.flow.dispatch({ type: 'retry-due' }));
        return;
      case 'create-ticket':
        return this.accept();
      case 'dial-customer':
        return this.dialCustomer(command.attempt);
      case 'bridge':
        return this.connect();
      case 'hangup-agent':
        await this.agentLeg.hangup();
        return;
      case 'hangup-customer':
        await this.customerLeg?.hangup();
        return;
      case 'return-to-queue': {
        const at = clock.now();
        // A dial the PBX refused never reached the phone: no miss for the agent, but a pause like a phone
        // that rejects at once, so a PBX that keeps refusing cannot make the slot bounce in a tight loop.
        const refused = this.ringRefused !== undefined;
        const missed = command.missed && !refused;
        const cause =
          command.cause ??
          (refused ? `the PBX refused to ring the agent: ${this.ringRefused}` : missed ? 'agent did not answer' : 'agent declined');
        await store.delivery.returnToQueue(this.entry.id, this.agent.id, at, { type: missed ? 'missed' : 'released' }, cause, rules);
        const fast = refused || (missed && at - this.ringStartedAt < this.deps.fastRejectMs);
        const seconds = fast
          ? Math.max(this.deps.rejectPauseSeconds, this.deps.callback.declineCooldownSeconds)
          : this.deps.callback.declineCooldownSeconds;
        events.emit({ type: 'cooldown', entryId: this.entry.id, agentId: this.agent.id, seconds });
        if (fast) events.emit({ type: 'agent-pause', agentId: this.agent.id, seconds: this.deps.rejectPauseSeconds });
        events.emit({ type: 'agent-changed', agentId: this.agent.id });
        if (command.cause) this.log.info('callback offer withdrawn; the slot keeps its place', { cause: command.cause });
        else
          this.log.info(
            refused ? 'agent could not be rung' : missed ? 'agent did not answer the callback offer' : 'agent declined the callback',
          );
        return;
      }
      case 'add-ticket-comment':
        this.pendingComment = command.body;
        return;
      case 'finish':
        await this.bridge.end();
        if (command.outcome === 'unanswered') {
          await store.delivery.finishUnanswered(
            this.entry.id,
            this.agent.id,
            clock.now(),
            command.detail ?? 'not answered',
            this.pendingComment,
            rules,
          );
        } else {
          await store.delivery.conversationEnded(
            this.entry.id,
            this.agent.id,
            clock.now(),
            command.detail ?? 'call ended',
            rules,
            this.pendingComment,
          );
        }
        events.emit({ type: 'agent-changed', agentId: this.agent.id });
        return;
      case 'requeue':
        await store.delivery.returnAfterFault(this.entry.id, this.agent.id, clock.now(), command.cause, rules);
        this.log.warn('callback could not be placed; back in the queue at its place', { cause: command.cause });
        events.emit({ type: 'agent-changed', agentId: this.agent.id });
        // Held back from every agent for the retry delay: an immediate retry would fail the same way.
        events.emit({ type: 'entry-hold', entryId: this.entry.id, seconds: this.deps.callback.retryDelaySeconds });
        return;
    }
  }

  private async accept(): Promise<CallbackEvent | void> {
    const { store, clock, rules, events } = this.deps;
    const now = clock.now();
    let ticket: Ticket | null;
    try {
      ticket = await store.delivery.acceptCallback(
        this.entry.id,
        this.agent.id,
        acceptedTicket(this.entry, this.agent.id, now, this.deps.ticketSubject),
        rules,
      );
    } catch (err) {
      // Nothing was recorded (no ticket, the slot still offered): the customer must not be dialled
      // behind the store's back. The agent hears that the call could not be placed.
      this.aborted = true;
      this.log.error('callback could not be accepted: the store failed; the slot goes back to its place', {
        error: (err as Error).message,
      });
      await this.agentLeg.play(await this.deps.media.mediaList([prompt('agent-dial-failed')], this.language));
      await this.release(now, 'the acceptance could not be recorded');
      return { type: 'slot-gone' };
    }
    if (!ticket) {
      // Cancelled or expired between the offer and the key press: nothing was written. The rest of the
      // plan (dialling the customer) must not run.
      this.aborted = true;
      this.log.warn('callback abandoned: the slot was cancelled or expired meanwhile');
      await this.release(now, 'slot no longer offered');
      return { type: 'slot-gone' };
    }
    events.emit({ type: 'agent-changed', agentId: this.agent.id });
    this.log.info('agent accepted callback; ticket created', { ticketId: ticket.id });
  }

  /** An accept that did not happen: the agent is hung up and released, the slot (if still offered) back. */
  private async release(at: number, cause: string): Promise<void> {
    const { store, rules, events } = this.deps;
    await this.agentLeg.hangup();
    try {
      await store.delivery.returnToQueue(this.entry.id, this.agent.id, at, { type: 'released' }, cause, rules);
    } catch (err) {
      // The restart reconciliation puts the slot back (offered, agent leg gone); the session must end now.
      this.log.error('slot could not be put back', { error: (err as Error).message });
    }
    events.emit({ type: 'agent-changed', agentId: this.agent.id });
  }

  private dialCustomer(attempt: number): Promise<CallbackEvent | void> {
    return dialCustomer(
      {
        deps: this.deps,
        entry: this.entry,
        agentId: this.agent.id,
        number: this.number,
        log: this.log,
        adopt: (legId) => (this.customerLeg = this.adoptCustomerLeg(legId)),
        refused: (legId) => this.ended.add(legId),
        abandoned: () => this.abandoned,
      },
      attempt,
    );
  }

  private async connect(): Promise<CallbackEvent | void> {
    const { store, clock, rules } = this.deps;
    const at = clock.now();
    const legs = [
      { id: this.agentLegId, role: 'agent' as const },
      { id: this.customerLeg!.channelId, role: 'customer' as const },
    ];
    try {
      await this.bridge.connect(
        (bridgeId) => store.delivery.connected(this.entry.id, legs, bridgeId, this.agent.id, at, rules),
        this.conversationLegs(),
      );
    } catch (err) {
      this.log.error('could not bridge agent and customer', { error: (err as Error).message });
      return { type: 'bridge-failed', cause: (err as Error).message };
    }
    this.log.info('customer called back and connected');
  }

  private conversationLegs(): [string, string] {
    return [this.agentLegId, this.customerLeg!.channelId];
  }

  private adoptCustomerLeg(legId: string): Leg {
    this.deps.router.attach(legId, this, { untilDestroyed: true });
    return new Leg(legId, this.deps.telephony, this.log, this.deps.leg);
  }

  private afterEvent(state: CallbackState): void {
    // An abandoned session's channels may already belong to the session that re-adopted them.
    if (state.phase !== 'ended' || this.abandoned) return;
    this.timers.close();
    this.deps.router.detach(this.agentLegId);
    if (this.customerLeg) this.deps.router.detach(this.customerLeg.channelId);
    this.settle();
  }
}
