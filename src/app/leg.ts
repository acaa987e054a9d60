// One runtime for one channel, used by every session: prompts that resolve to a result, and the
// gone-channel rule in one place. A prompt always ends in exactly one PlayResult — also when Asterisk
// refuses it, never reports it started, or the caller hangs up — so a flow can never sit in silence
// waiting for an event that will not come (learnt from CyCoreSystems/ari ext/play's Result).
import type { Logger } from '../log';
import { isChannelGone, type Telephony, type TelephonyEvent } from './telephony';
import { boundedTimeout, type TimerHandle } from './timers';

/** How a prompt ended: played to the end, stopped by us, refused/failed by the PBX, the channel hung
 *  up, or it never started within the playback-start timeout. */
export type PlayResult = 'finished' | 'stopped' | 'failed' | 'hangup' | 'timeout';

export interface LegOptions {
  /** A prompt Asterisk accepted but did not start within this long counts as failed. */
  playbackStartTimeoutMs: number;
  /** A prompt reported failed is logged as a problem (usually a missing sound file) only if the channel
   *  is still up this long afterwards: a hangup mid-prompt also reports "failed". */
  failedPromptGraceMs?: number;
}

interface Playing {
  id: string;
  media: string[];
  started: boolean;
  /** Settled (stopped, superseded, hung up): what the PBX still does with it no longer matters to us. */
  done: boolean;
  result?: PlayResult;
  settle(result: PlayResult): void;
  startTimer: TimerHandle | undefined;
}

export class Leg {
  private playing: Playing | undefined;
  /** The prompt whose play request is on its way to the PBX (not yet accepted). */
  private sending: Playing | undefined;
  /** The prompt wanted once `sending` is answered; only the latest one is kept. */
  private next: Playing | undefined;
  private gone = false;

  constructor(
    readonly channelId: string,
    private readonly telephony: Telephony,
    private readonly log: Logger,
    private readonly opts: LegOptions,
  ) {}

  /** The channel hung up or left our app; every further request is a no-op. */
  get isGone(): boolean {
    return this.gone;
  }

  /** Events of this channel, as they arrive (not queued behind the flow, so prompts settle promptly). */
  handle(event: TelephonyEvent): void {
    switch (event.type) {
      case 'playback-started':
        if (this.playing !== undefined && this.playing.id === event.playbackId) {
          this.playing.started = true;
          this.playing.startTimer?.cancel();
        }
        return;
      case 'playback-finished': {
        const current = this.playing;
        if (current === undefined || current.id !== event.playbackId) return;
        if (!event.failed) return current.settle('finished');
        current.settle(this.gone ? 'hangup' : 'failed');
        this.reportFailedLater(event.media);
        return;
      }
      case 'hangup':
      case 'call-left':
      case 'channel-destroyed':
        this.markGone();
        return;
      default:
        return;
    }
  }

  /**
   * Plays the media in order as one prompt; a prompt still playing is stopped first. While a play
   * request is on its way, further prompts are not sent: only the last one wanted is, once the PBX
   * answered (with one stop for the prompt it then started for nothing). So any number of menu steps in
   * that time — a key storm — costs one stop and one play, not a stop and a play each.
   */
  play(media: string[]): Promise<PlayResult> {
    this.stopPrompt().catch((err: unknown) => this.log.warn('previous prompt could not be stopped', { error: (err as Error).message }));
    if (this.gone) return Promise.resolve('hangup');
    return new Promise<PlayResult>((resolve) => {
      const playing: Playing = {
        id: '',
        media,
        started: false,
        done: false,
        settle: (result) => {
          if (playing.done) return;
          playing.done = true;
          playing.result = result;
          if (this.playing === playing) this.playing = undefined;
          if (this.next === playing) this.next = undefined;
          playing.startTimer?.cancel();
          resolve(result);
        },
        startTimer: undefined,
      };
      this.playing = playing;
      if (this.sending) this.next = playing;
      else this.send(playing);
    });
  }

  private send(playing: Playing): void {
    const id = this.telephony.playbackIdFor(this.channelId);
    playing.id = id;
    this.sending = playing;
    playing.startTimer = boundedTimeout(() => {
      if (playing.started || playing.done) return;
      this.log.warn('prompt did not start in time', { media: playing.media, timeoutMs: this.opts.playbackStartTimeoutMs });
      playing.settle('timeout');
      this.telephony.stopPlayback(id).catch(() => undefined);
    }, this.opts.playbackStartTimeoutMs);
    this.telephony.play(this.channelId, playing.media, id).then(
      () => {
        // Stopped or superseded while the request was on its way: the PBX plays it now, so stop it.
        if (playing.result === 'stopped' && !this.gone) this.stopPlayback(id).catch(() => undefined);
        this.sendNext(playing);
      },
      (err: unknown) => {
        if (isChannelGone(err)) this.markGone();
        else if (!playing.done) {
          this.log.error('prompt could not be started', { media: playing.media, error: (err as Error).message });
          playing.settle('failed');
        }
        this.sendNext(playing);
      },
    );
  }

  private sendNext(answered: Playing): void {
    if (this.sending === answered) this.sending = undefined;
    const next = this.next;
    this.next = undefined;
    if (next && !next.done && !this.gone) this.send(next);
  }

  /** Stops the prompt playing now, if any; its play() resolves 'stopped'. */
  async stopPrompt(): Promise<void> {
    const current = this.playing;
    if (!current) return;
    current.settle('stopped');
    // Not sent yet, or its play request still on the way (send() stops it once accepted).
    if (this.gone || current.id === '' || this.sending === current) return;
    await this.stopPlayback(current.id);
  }

  private async stopPlayback(id: string): Promise<void> {
    // "Not found" here is about the PLAYBACK: it ended on its own and its event is still on the way (a
    // key pressed as a prompt ends). That says nothing about the channel: no gone-channel rule here.
    await this.telephony.stopPlayback(id).catch((err: unknown) => {
      if (!isChannelGone(err)) throw err;
      this.log.debug('stop prompt: it had already ended');
    });
  }

  answer(): Promise<boolean> {
    return this.request('answer', () => this.telephony.answer(this.channelId));
  }

  hangup(reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return this.request('hangup', () => this.telephony.hangup(this.channelId, reason));
  }

  startMoh(mohClass?: string): Promise<boolean> {
    return this.request('start music on hold', () => this.telephony.startMoh(this.channelId, mohClass));
  }

  stopMoh(): Promise<boolean> {
    return this.request('stop music on hold', () => this.telephony.stopMoh(this.channelId));
  }

  continueInDialplan(context: string, extension: string, priority: number): Promise<boolean> {
    return this.request('continue in dialplan', () => this.telephony.continueInDialplan(this.channelId, context, extension, priority));
  }

  /** The gone-channel rule: a request on a channel that hung up meanwhile is not an error, it returns
   *  false (the hangup event follows or came already). Every other failure throws. */
  private async request(what: string, run: () => Promise<void>): Promise<boolean> {
    if (this.gone) return false;
    try {
      await run();
      return true;
    } catch (err) {
      if (!isChannelGone(err)) throw err;
      this.log.debug(`${what}: channel already gone`);
      this.markGone();
      return false;
    }
  }

  private markGone(): void {
    this.gone = true;
    this.playing?.settle('hangup');
  }

  private reportFailedLater(media: string): void {
    if (this.gone) return;
    boundedTimeout(
      () => {
        if (!this.gone) this.log.warn('prompt could not be played (missing sound file?)', { media });
      },
      this.opts.failedPromptGraceMs ?? 1000,
      { unref: true },
    );
  }
}
