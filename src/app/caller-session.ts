// One inbound caller on a configured number: joins the queue, hears the callback offer, and may leave a
// callback request. Feeds telephony events into the pure caller machine and carries out its commands.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { callLogger } from '../log';
import {
  type CallerCommand,
  type CallerEvent,
  type CallerSettings,
  type CallerState,
  type CallerTimer,
  initialCallerState,
  transition,
} from '../domain/ivr/caller-machine';
import type { NumberConfig, QueueConfig, QueueEntry } from '../domain/model';
import { isChannelGone } from '../ari/errors';
import type { CallSession } from './call-router';
import type { Clock, Store } from './ports';
import type { PromptMedia } from './prompt-media';
import { policyFor } from '../domain/toll-guard';
import { SerialQueue } from './serial';
import type { CallEntered, Telephony, TelephonyEvent } from './telephony';

export interface CallerDeps {
  telephony: Telephony;
  store: Store;
  clock: Clock;
  media: PromptMedia;
  log: Logger;
  settings: Omit<CallerSettings, 'callbackEnabled'>;
  /** Toll-fraud guard: requests one caller ID may make per hour. */
  maxRequestsPerCallerPerHour: number;
  /** Told when this caller joined or left the queue (the dispatcher may have work). */
  onQueueChanged?: () => void;
}

export class CallerSession implements CallSession {
  readonly channelId: string;
  readonly callId = randomUUID();
  readonly entryId: string;
  private state: CallerState;
  private readonly settings: CallerSettings;
  private readonly callerId: string | null;
  private readonly language: string;
  private readonly log: Logger;
  private readonly timers = new Map<CallerTimer, NodeJS.Timeout>();
  private readonly serial: SerialQueue;
  private playbackId: string | undefined;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    entered: CallEntered,
    private readonly number: NumberConfig,
    private readonly queue: QueueConfig,
    private readonly deps: CallerDeps,
    /** Set when adopting a caller who was already waiting before a restart. */
    private readonly resumeEntry?: QueueEntry,
  ) {
    this.channelId = entered.channelId;
    this.entryId = resumeEntry?.id ?? randomUUID();
    this.log = callLogger(deps.log, this.callId, this.channelId);
    this.state = initialCallerState(entered.callerId);
    this.callerId = entered.callerId || null;
    this.settings = {
      ...deps.settings,
      callbackEnabled: number.callbackEnabled && number.kind === 'voice',
      maxWaitSeconds: queue.maxWaitSeconds,
      overflow: queue.overflow.startsWith('context:') ? 'dialplan' : 'hangup',
      policy: policyFor(number.did, number.allowedCountries ?? null, deps.store.settings.get('blocked_prefixes') ?? null),
    };
    this.language = deps.media.languageFor(number);
    this.serial = new SerialQueue((err) =>
      this.log.error('caller flow step failed', { error: (err as Error).message, stack: (err as Error).stack }),
    );
  }

  get phase(): CallerState['phase'] {
    return this.state.phase;
  }

  handle(event: TelephonyEvent): Promise<void> {
    return this.serial.push(() => this.onTelephony(event));
  }

  ended(): Promise<void> {
    return this.serial.push(async () => {
      await this.feed({ type: 'hangup' });
      for (const listener of this.endListeners.splice(0)) listener();
    });
  }

  /** Called once when this caller's call is over (used by a delivery ringing an agent for it). */
  onEnded(listener: () => void): void {
    if (this.state.phase === 'ended') listener();
    else this.endListeners.push(listener);
  }

  /** An agent answered for this caller: stop the menus and music. False if the caller can no longer
   *  be connected (gone, or just turned into a callback slot). */
  async connectToAgent(): Promise<boolean> {
    await this.serial.push(() => this.feed({ type: 'agent-connected' }));
    return this.state.phase === 'connected';
  }

  get entry(): { id: string; callerId: string | null; did: string } {
    return { id: this.entryId, callerId: this.callerId, did: this.number.did };
  }

  private async onTelephony(event: TelephonyEvent): Promise<void> {
    switch (event.type) {
      case 'call-entered':
        return this.begin(event);
      case 'dtmf':
        this.log.debug('dtmf', { digit: event.digit, phase: this.state.phase });
        return this.feed({ type: 'dtmf', digit: event.digit });
      case 'playback-finished':
        if (event.playbackId !== this.playbackId) return; // a prompt we already stopped
        this.playbackId = undefined;
        return this.feed({ type: 'prompt-finished' });
      case 'hangup':
        return this.feed({ type: 'hangup' });
      default:
        return;
    }
  }

  /** Takes over a caller left waiting by an earlier daemon process: same entry, same place. */
  resume(): Promise<void> {
    return this.serial.push(async () => {
      const entry = this.resumeEntry!;
      const limit = this.queue.maxWaitSeconds;
      const left = limit === null ? null : limit - (this.deps.clock.now() - entry.enteredAt) / 1000;
      this.log.info('caller re-adopted after restart', { entryId: entry.id, position: this.deps.store.entries.position(entry.id) });
      await this.feed({ type: 'resumed', maxWaitLeftSeconds: left === null ? null : Math.max(0, Math.round(left)) });
    });
  }

  private async begin(entered: CallEntered): Promise<void> {
    const { store, clock, telephony } = this.deps;
    store.entries.addLive({
      id: this.entryId,
      queue: this.queue.name,
      did: this.number.did,
      channelId: this.channelId,
      callerId: entered.callerId || null,
      enteredAt: clock.now(),
    });
    this.log.info('caller joined queue', {
      did: this.number.did,
      queue: this.queue.name,
      callerId: entered.callerId,
      language: this.language,
      position: store.entries.position(this.entryId),
    });
    this.deps.onQueueChanged?.();
    await telephony.answer(this.channelId);
    await this.feed({ type: 'answered' });
  }

  private async feed(event: CallerEvent): Promise<void> {
    const before = this.state.phase;
    const { state, commands } = transition(this.state, event, this.settings);
    this.state = state;
    if (state.phase !== before) this.log.debug('caller phase', { from: before, to: state.phase, event: event.type });
    for (const command of commands) {
      const next = await this.run(command);
      if (next) await this.feed(next);
    }
  }

  /** Carries out one command; may return an event that results from it (the save outcome). */
  private async run(command: CallerCommand): Promise<CallerEvent | undefined> {
    try {
      return await this.execute(command);
    } catch (err) {
      if (isChannelGone(err)) return undefined; // the caller hung up meanwhile; hangup event follows
      this.log.error('caller command failed', { command: command.type, error: (err as Error).message });
      return undefined;
    }
  }

  private async execute(command: CallerCommand): Promise<CallerEvent | undefined> {
    const { telephony, store, clock, media } = this.deps;
    switch (command.type) {
      case 'play': {
        const id = randomUUID();
        this.playbackId = id;
        await telephony.play(this.channelId, media.mediaList(command.prompts, this.language, this.number), id);
        return undefined;
      }
      case 'stop-prompt': {
        const id = this.playbackId;
        this.playbackId = undefined;
        if (id) await telephony.stopPlayback(id);
        return undefined;
      }
      case 'start-moh':
        await telephony.startMoh(this.channelId, this.queue.mohClass);
        return undefined;
      case 'stop-moh':
        await telephony.stopMoh(this.channelId);
        return undefined;
      case 'set-timer': {
        clearTimeout(this.timers.get(command.timer));
        const timer = command.timer;
        this.timers.set(
          timer,
          setTimeout(() => void this.serial.push(() => this.feed({ type: 'timer', timer })), command.seconds * 1000),
        );
        return undefined;
      }
      case 'clear-timer':
        clearTimeout(this.timers.get(command.timer));
        this.timers.delete(command.timer);
        return undefined;
      case 'save-callback':
        return this.save(command.number);
      case 'refused':
        this.log.warn('callback number refused by the toll-fraud guard', {
          callbackNumber: command.number,
          reason: command.reason,
          callerId: this.callerId,
        });
        return undefined;
      case 'leave-queue':
        if (command.reason === 'max-wait') {
          store.entries.close(this.entryId, 'left', clock.now(), 'max wait exceeded');
          this.log.info('caller waited past the queue maximum, overflow', { entryId: this.entryId, overflow: this.queue.overflow });
        } else {
          store.entries.leave(this.entryId, clock.now());
          this.log.info('caller left queue', { entryId: this.entryId });
        }
        this.deps.onQueueChanged?.();
        return undefined;
      case 'continue-dialplan': {
        // overflow = "context:<context>,<exten>,<priority>"
        const [context, extension, priority] = this.queue.overflow.slice('context:'.length).split(',');
        await telephony.continueInDialplan(this.channelId, context, extension || 's', Number(priority) || 1);
        return undefined;
      }
      case 'hangup':
        await telephony.hangup(this.channelId);
        return undefined;
    }
  }

  private save(number: string): CallerEvent {
    const { store, clock } = this.deps;
    if (this.callerId) {
      const recent = store.entries.requestsByCaller(this.callerId, clock.now() - 3_600_000);
      if (recent >= this.deps.maxRequestsPerCallerPerHour) {
        this.log.warn('callback request refused: too many from this caller ID', {
          callerId: this.callerId,
          lastHour: recent,
          callbackNumber: number,
        });
        return { type: 'save-refused', reason: 'rate-limited' };
      }
    }
    try {
      const outcome = this.deps.store.entries.requestCallback({
        entryId: this.entryId,
        number,
        requestedAt: this.deps.clock.now(),
        language: this.language,
      });
      this.log.info('callback request saved', {
        outcome: outcome.kind,
        entryId: outcome.entryId,
        callbackNumber: number,
        queue: this.queue.name,
        position: this.deps.store.entries.position(outcome.entryId),
      });
      return { type: 'saved', outcome: outcome.kind };
    } catch (err) {
      this.log.error('callback request could not be saved', { error: (err as Error).message, callbackNumber: number });
      return { type: 'save-failed' };
    }
  }
}
