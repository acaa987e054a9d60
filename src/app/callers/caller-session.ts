// One inbound caller on a configured number: joins the queue, hears the callback offer, and may leave a
// callback request. Feeds its channel's events into the pure caller machine (domain/ivr) and carries out
// the machine's commands on its Leg and through the Store port.
import { rateLimitKey, type CallbackPolicy } from '../../domain/toll-guard';
import {
  initialCallerState,
  transition,
  type CallerCommand,
  type CallerEvent,
  type CallerSettings,
  type CallerState,
  type CallerTimer,
} from '../../domain/ivr/caller-machine';
import { admitKey, initialKeyGate, type KeyGateState } from '../../domain/ivr/key-gate';
import type { NumberConfig, QueueConfig, QueueEntry } from '../../domain/model';
import { callLogger, type Logger } from '../../log';
import type { AppEvents } from '../events';
import { Flow } from '../flow';
import { Leg, type LegOptions, type PlayResult } from '../leg';
import type { Clock, Store } from '../ports';
import type { PromptMedia } from '../prompt-media';
import type { Telephony, TelephonyEvent } from '../telephony';
import { Timers } from '../timers';

const HOUR_MS = 3_600_000;

export interface CallerDeps {
  telephony: Telephony;
  store: Pick<Store, 'callers'>;
  clock: Clock;
  media: PromptMedia;
  log: Logger;
  events: AppEvents;
  settings: Omit<CallerSettings, 'callbackEnabled' | 'maxWaitSeconds' | 'overflow' | 'policy'>;
  /** Toll-fraud guard: requests per hour for one caller ID, and for all withheld callers of one DID. */
  rateLimits: { perCallerPerHour: number; withheldPerDidPerHour: number };
  leg: LegOptions;
  /** Key press → confirmation started, in seconds (the latency histogram of /metrics). */
  observeConfirmation?: (seconds: number) => void;
}

/** Everything decided about a call before its session starts (inbound routing does the lookups). */
export interface CallerCall {
  channelId: string;
  callId: string;
  number: NumberConfig;
  queue: QueueConfig;
  /** The caller ID as delivered (for the log). */
  callerId: string | null;
  /** The caller's number in E.164, normalised where the call entered; null when withheld or unusable. */
  callerNumber: string | null;
  language: string;
  policy: CallbackPolicy;
}

export class CallerSession {
  readonly channelId: string;
  readonly entryId: string;
  private readonly leg: Leg;
  private readonly flow: Flow<CallerState, CallerEvent, CallerCommand>;
  private readonly timers = new Timers<CallerTimer>();
  private readonly log: Logger;
  private hungUp = false;
  private finished = false;
  /** When the key that asked for the callback arrived (the save starts in the same step). */
  private requestedAt: number | undefined;
  /** The caller's keys per second (see key-gate.ts): a key storm must not become a request storm. */
  private keyGate: KeyGateState;

  constructor(
    private readonly call: CallerCall,
    entryId: string,
    private readonly deps: CallerDeps,
  ) {
    this.channelId = call.channelId;
    this.entryId = entryId;
    this.log = callLogger(deps.log, call.callId, call.channelId).child({ entryId });
    this.leg = new Leg(call.channelId, deps.telephony, this.log, deps.leg);
    this.keyGate = initialKeyGate(deps.clock.now());
    const { number, queue } = call;
    const settings: CallerSettings = {
      ...deps.settings,
      callbackEnabled: number.callbackEnabled && number.kind === 'voice',
      maxWaitSeconds: queue.maxWaitSeconds,
      overflow: queue.overflow.startsWith('context:') ? 'dialplan' : 'hangup',
      policy: call.policy,
    };
    this.flow = new Flow(
      {
        name: 'caller',
        transition: (state, event) => transition(state, event, settings),
        execute: (command) => this.execute(command),
        afterEvent: (state) => this.afterEvent(state),
      },
      initialCallerState(call.callerNumber),
      this.log,
    );
  }

  get phase(): CallerState['phase'] {
    return this.flow.state.phase;
  }

  /** A new caller: answer at once (so a call never rings unanswered, whatever the store does), store
   *  the place in the background, and start the welcome. */
  async begin(): Promise<void> {
    const { store, clock, events } = this.deps;
    if (!(await this.leg.answer())) return;
    const enteredAt = clock.now();
    store.callers
      .join({
        id: this.entryId,
        queue: this.call.queue.name,
        did: this.call.number.did,
        channelId: this.channelId,
        callerId: this.call.callerNumber,
        enteredAt,
      })
      .then(
        async () => {
          this.log.info('caller joined queue', {
            did: this.call.number.did,
            queue: this.call.queue.name,
            callerId: this.call.callerId,
            language: this.call.language,
            position: await store.callers.position(this.entryId).catch(() => undefined),
          });
          events.emit({ type: 'dispatch-needed', reason: 'caller joined' });
        },
        (err: unknown) => {
          this.log.error('caller could not be put in the queue', { error: (err as Error).message });
          void this.flow.dispatch({ type: 'join-failed' });
        },
      );
    await this.flow.dispatch({ type: 'answered' });
  }

  /** Takes over a caller left waiting by an earlier daemon process: same entry, same place. */
  async resume(entry: QueueEntry): Promise<void> {
    const limit = this.call.queue.maxWaitSeconds;
    const left = limit === null ? null : limit - (this.deps.clock.now() - entry.enteredAt) / 1000;
    this.log.info('caller re-adopted after restart', { position: await this.deps.store.callers.position(entry.id) });
    await this.flow.dispatch({ type: 'resumed', maxWaitLeftSeconds: left === null ? null : Math.max(0, Math.round(left)) });
  }

  handle(event: TelephonyEvent): Promise<void> | void {
    this.leg.handle(event);
    switch (event.type) {
      case 'dtmf': {
        const verdict = admitKey(this.keyGate, this.deps.clock.now());
        this.keyGate = verdict.state;
        if (!verdict.take) {
          // Logged once per storm (and its size on the first key after it), not once per key.
          if (verdict.state.dropped === 1)
            this.log.warn('caller keys arrive faster than they are taken: ignoring them', { phase: this.phase });
          return;
        }
        if (verdict.stormDropped > 0) this.log.warn('caller keys ignored by the key rate limit', { ignored: verdict.stormDropped });
        this.log.debug('dtmf', { digit: event.digit, phase: this.phase });
        return this.flow.dispatch({ type: 'dtmf', digit: event.digit });
      }
      case 'hangup':
      case 'call-left':
      case 'channel-destroyed':
        if (this.hungUp) return;
        this.hungUp = true;
        return this.flow.dispatch({ type: 'hangup' });
      default:
        return;
    }
  }

  /** An agent answered for this caller: stop menus and music. False if the caller can no longer be
   *  connected (gone, or just turned into a callback slot). */
  async takeForAgent(): Promise<boolean> {
    await this.flow.dispatch({ type: 'agent-connected' });
    return this.flow.state.phase === 'connected' && !this.leg.isGone;
  }

  private afterEvent(state: CallerState): void {
    if (state.phase !== 'ended' || this.finished) return;
    this.finished = true;
    this.timers.close();
    this.deps.events.emit({ type: 'caller-ended', entryId: this.entryId, channelId: this.channelId });
  }

  private async execute(command: CallerCommand): Promise<CallerEvent | void> {
    const { store, clock, media, events } = this.deps;
    switch (command.type) {
      case 'play': {
        const list = await media.mediaList(command.prompts, this.call.language, this.call.number);
        void this.leg.play(list).then((result) => this.afterPrompt(result));
        if (this.flow.state.phase === 'confirming' && this.requestedAt !== undefined) {
          this.deps.observeConfirmation?.((clock.now() - this.requestedAt) / 1000);
          this.requestedAt = undefined;
        }
        return;
      }
      case 'stop-prompt':
        // Not awaited: Asterisk holds the next media request (a prompt, music, a bridge) behind the
        // playback until the stop lands, so the key's own work (the commit) need not wait a round trip.
        this.leg.stopPrompt().catch((err: unknown) => this.log.warn('prompt could not be stopped', { error: (err as Error).message }));
        return;
      case 'start-moh':
        await this.leg.startMoh(this.call.queue.mohClass);
        return;
      case 'stop-moh':
        await this.leg.stopMoh();
        return;
      case 'set-timer': {
        const timer = command.timer;
        this.timers.set(timer, command.seconds, () => void this.flow.dispatch({ type: 'timer', timer }));
        return;
      }
      case 'clear-timer':
        this.timers.clear(command.timer);
        return;
      case 'save-callback':
        this.requestedAt = clock.now();
        return this.save(command.number);
      case 'refused':
        this.log.warn('callback number refused by the toll-fraud guard', {
          callbackNumber: command.number,
          reason: command.reason,
          callerId: this.call.callerId,
        });
        return;
      case 'leave-queue': {
        const overflowed = command.reason === 'max-wait';
        await store.callers.leave(this.entryId, clock.now(), overflowed ? 'overflowed' : 'abandoned');
        if (overflowed) this.log.info('caller waited past the queue maximum, overflow', { overflow: this.call.queue.overflow });
        else this.log.info('caller left queue');
        events.emit({ type: 'dispatch-needed', reason: 'caller left' });
        return;
      }
      case 'continue-dialplan': {
        // overflow = "context:<context>,<exten>,<priority>"
        const [context, extension, priority] = this.call.queue.overflow.slice('context:'.length).split(',');
        await this.leg.continueInDialplan(context, extension || 's', Number(priority) || 1);
        return;
      }
      case 'hangup':
        await this.leg.hangup();
        return;
    }
  }

  private afterPrompt(result: PlayResult): void {
    if (result === 'finished') void this.flow.dispatch({ type: 'prompt-finished' });
    else if (result === 'failed' || result === 'timeout') void this.flow.dispatch({ type: 'prompt-failed' });
    // 'stopped': the machine stopped it itself; 'hangup': the hangup event follows.
  }

  private async save(number: string): Promise<CallerEvent> {
    const { store, clock } = this.deps;
    // Identified callers are limited one by one; withheld callers share a (higher) cap per DID, so one
    // anonymous abuser cannot lock out every other anonymous caller of the whole system.
    const { key, cap } = rateLimitKey(this.call.callerNumber, this.call.number.did, {
      perCaller: this.deps.rateLimits.perCallerPerHour,
      withheldPerDid: this.deps.rateLimits.withheldPerDidPerHour,
    });
    const requestedAt = clock.now();
    try {
      const outcome = await store.callers.requestCallback({
        entryId: this.entryId,
        number,
        requestedAt,
        language: this.call.language,
        limit: { key, cap, since: requestedAt - HOUR_MS },
      });
      if (outcome.kind === 'rate-limited') {
        this.log.warn('callback request refused: too many in the last hour', {
          rateLimit: key,
          lastHour: outcome.count,
          callbackNumber: number,
        });
        return { type: 'save-refused', reason: 'rate-limited' };
      }
      this.log.info('callback request saved', {
        outcome: outcome.kind,
        slotEntryId: outcome.entryId,
        callbackNumber: number,
        queue: this.call.queue.name,
        position: await store.callers.position(outcome.entryId).catch(() => undefined),
      });
      this.deps.events.emit({ type: 'dispatch-needed', reason: 'callback requested' });
      return { type: 'saved', outcome: outcome.kind };
    } catch (err) {
      this.log.error('callback request could not be saved', { error: (err as Error).message, callbackNumber: number });
      return { type: 'save-failed' };
    }
  }
}
