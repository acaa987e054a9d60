// Executes one callback slot: rings the agent with the customer's number, lets the agent choose
// Call/Decline, creates the ticket, dials the customer through the number's trunk and bridges them.
// The decisions are in domain/agent/callback-machine.ts; this class only carries them out.
import { randomUUID } from 'node:crypto';
import { isChannelGone } from '../ari/errors';
import { callLogger, type Logger } from '../log';
import {
  type CallbackCommand,
  type CallbackEvent,
  type CallbackSettings,
  type CallbackState,
  initialCallbackState,
  transitionCallback,
} from '../domain/agent/callback-machine';
import type { Agent, NumberConfig, QueueEntry } from '../domain/model';
import type { CallSession } from './call-router';
import type { Delivery, Dispatcher } from './dispatcher';
import { type LegDeps, ringAgent } from './live-delivery';
import type { PromptMedia } from './prompt-media';
import { SerialQueue } from './serial';
import type { TelephonyEvent } from './telephony';

export interface CallbackDeps extends LegDeps {
  media: PromptMedia;
  settings: CallbackSettings & { declineCooldownSeconds: number; customerRingSeconds: number };
  dispatcher: Dispatcher;
}

export class CallbackExecution implements Delivery, CallSession {
  readonly channelId = randomUUID(); // the agent leg
  private customerChannelId: string | undefined;
  private state: CallbackState = initialCallbackState();
  private playbackId: string | undefined;
  private bridgeId: string | undefined;
  private ticketId: number | undefined;
  private menuTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private finished!: () => void;
  private cleanedUp = false;
  /** The slot was cancelled or expired under us: stop carrying out the machine's plan. */
  private aborted = false;
  private readonly serial: SerialQueue;
  private readonly log: Logger;
  private readonly number: string;
  private readonly language: string;

  constructor(
    private readonly entry: QueueEntry,
    private readonly agent: Agent,
    private readonly did: NumberConfig | undefined,
    private readonly deps: CallbackDeps,
  ) {
    this.number = entry.callbackNumber!;
    this.log = callLogger(deps.log, entry.id, this.channelId).child({ agentId: agent.id, callbackNumber: this.number });
    this.serial = new SerialQueue((err) => this.log.error('callback step failed', { error: (err as Error).message }));
    this.language = deps.media.languageFor(undefined); // agents hear the system language
  }

  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    // The agent's display shows whom they would call.
    ringAgent(
      this.deps,
      this,
      this.agent,
      this.number,
      this.log,
      () => void this.serial.push(() => this.feed({ type: 'agent-unreached' })),
    );
    return done;
  }

  handle(event: TelephonyEvent): Promise<void> {
    return this.serial.push(() => this.onTelephony(event));
  }

  ended(channelId: string): Promise<void> {
    return this.serial.push(() => this.feed({ type: channelId === this.channelId ? 'agent-hangup' : 'customer-hangup' }));
  }

  private async onTelephony(event: TelephonyEvent): Promise<void> {
    const fromAgent = 'channelId' in event && event.channelId === this.channelId;
    switch (event.type) {
      case 'call-entered':
        return this.feed({ type: fromAgent ? 'agent-answered' : 'customer-answered' });
      case 'channel-destroyed':
        if (fromAgent) return this.feed({ type: 'agent-unreached' });
        return this.feed({ type: 'customer-unreached', cause: event.causeText || `cause ${event.cause}` });
      case 'dtmf':
        return fromAgent ? this.feed({ type: 'dtmf', digit: event.digit }) : undefined;
      case 'playback-finished':
        if (event.playbackId !== this.playbackId) return;
        this.playbackId = undefined;
        return this.feed({ type: 'prompt-finished' });
      default:
        return;
    }
  }

  private async feed(event: CallbackEvent): Promise<void> {
    const waitedMinutes = (this.deps.clock.now() - (this.entry.requestedAt ?? this.entry.enteredAt)) / 60_000;
    const { state, commands } = transitionCallback(this.state, event, this.deps.settings, { number: this.number, waitedMinutes });
    if (state.phase !== this.state.phase) this.log.info('callback phase', { from: this.state.phase, to: state.phase, event: event.type });
    this.state = state;
    for (const command of commands) {
      if (this.aborted) break;
      try {
        await this.execute(command);
      } catch (err) {
        if (!isChannelGone(err)) this.log.error('callback command failed', { command: command.type, error: (err as Error).message });
      }
    }
    if (state.phase === 'ended') this.cleanup();
  }

  private async execute(command: CallbackCommand): Promise<void> {
    const { telephony, store, clock, agents, media } = this.deps;
    switch (command.type) {
      case 'play-agent': {
        const id = randomUUID();
        this.playbackId = id;
        await telephony.play(this.channelId, media.mediaList(command.prompts, this.language), id);
        return;
      }
      case 'stop-agent-prompt': {
        const id = this.playbackId;
        this.playbackId = undefined;
        if (id) await telephony.stopPlayback(id);
        return;
      }
      case 'set-menu-timer':
        clearTimeout(this.menuTimer);
        this.menuTimer = setTimeout(() => void this.serial.push(() => this.feed({ type: 'menu-timeout' })), command.seconds * 1000);
        return;
      case 'clear-menu-timer':
        clearTimeout(this.menuTimer);
        return;
      case 'create-ticket':
        return this.createTicket();
      case 'dial-customer':
        return this.dialCustomer(command.attempt);
      case 'set-retry-timer':
        this.retryTimer = setTimeout(() => void this.serial.push(() => this.feed({ type: 'retry-due' })), command.seconds * 1000);
        return;
      case 'bridge':
        this.bridgeId = await telephony.createBridge();
        await telephony.addToBridge(this.bridgeId, [this.channelId, this.customerChannelId!]);
        store.entries.close(this.entry.id, 'done', clock.now(), `connected by agent ${this.agent.id}`);
        this.log.info('customer called back and connected');
        return;
      case 'hangup-agent':
        return this.hangup(this.channelId);
      case 'hangup-customer':
        return this.customerChannelId ? this.hangup(this.customerChannelId) : undefined;
      case 'return-to-queue':
        store.entries.returnToQueue(this.entry.id, clock.now());
        this.deps.dispatcher.coolDown(this.entry.id, this.agent.id, this.deps.settings.declineCooldownSeconds);
        this.log.info(command.missed ? 'agent did not answer the callback offer' : 'agent declined the callback', {
          entryId: this.entry.id,
        });
        if (command.missed) agents.missed(this.agent.id);
        else agents.release(this.agent.id);
        return;
      case 'add-ticket-comment':
        if (this.ticketId !== undefined) store.tickets.addComment(this.ticketId, command.body, clock.now(), true);
        return;
      case 'finish':
        if (command.outcome === 'unanswered') store.entries.close(this.entry.id, 'unanswered', clock.now(), command.detail);
        agents.wrapUp(this.agent.id);
        return;
    }
  }

  private async createTicket(): Promise<void> {
    const { store, clock, agents } = this.deps;
    const now = clock.now();
    if (store.entries.get(this.entry.id)?.state !== 'offered') return this.abort('the callback was cancelled or expired meanwhile');
    const requested = this.entry.requestedAt ?? this.entry.enteredAt;
    const ticket = store.tickets.create({
      subject: 'Callback',
      requester: this.number,
      reason: 'callback-accepted',
      queue: this.entry.queue,
      did: this.entry.did,
      entryId: this.entry.id,
      agentId: this.agent.id,
      waitedSeconds: Math.round((now - requested) / 1000),
      createdAt: now,
    });
    this.ticketId = ticket.id;
    if (!store.entries.markDialing(this.entry.id, { at: now, agentId: this.agent.id, ticketId: ticket.id })) {
      return this.abort('the callback was cancelled or expired meanwhile');
    }
    agents.busy(this.agent.id);
    this.log.info('agent accepted callback; ticket created', { ticketId: ticket.id });
  }

  private async dialCustomer(attempt: number): Promise<void> {
    const { telephony, store, clock, router } = this.deps;
    const trunk = this.did?.outboundTrunk;
    this.customerChannelId = randomUUID();
    router.attach(this.customerChannelId, this);
    store.entries.countAttempt(this.entry.id, clock.now());
    this.log.info('dialling customer', { attempt, trunk, customerChannelId: this.customerChannelId });
    if (!trunk) {
      router.detach(this.customerChannelId);
      return this.feed({ type: 'customer-unreached', cause: `number ${this.entry.did} has no outbound trunk` });
    }
    try {
      await telephony.originate({
        endpoint: `PJSIP/${this.number}@${trunk}`,
        callerId: this.entry.did, // the customer sees the number they called
        app: this.deps.app,
        appArgs: ['customer-leg'],
        channelId: this.customerChannelId,
        timeoutSeconds: this.deps.settings.customerRingSeconds,
      });
    } catch (err) {
      router.detach(this.customerChannelId);
      await this.feed({ type: 'customer-unreached', cause: `originate failed: ${(err as Error).message}` });
    }
  }

  private async abort(reason: string): Promise<void> {
    this.aborted = true;
    this.log.warn('callback abandoned', { reason });
    this.state = { ...this.state, phase: 'ended' };
    await this.hangup(this.channelId);
    this.deps.agents.release(this.agent.id);
    this.cleanup();
  }

  private async hangup(channelId: string): Promise<void> {
    try {
      await this.deps.telephony.hangup(channelId);
    } catch (err) {
      if (!isChannelGone(err)) throw err;
    }
  }

  private cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    clearTimeout(this.menuTimer);
    clearTimeout(this.retryTimer);
    if (this.bridgeId) void this.deps.telephony.destroyBridge(this.bridgeId).catch(() => undefined);
    this.finished();
  }
}
