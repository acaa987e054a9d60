// A call to a DID we don't know (or can't serve): say so, then hang up.
import { randomUUID } from 'node:crypto';
import { isChannelGone } from '../ari/errors';
import type { Logger } from '../log';
import type { CallSession } from './call-router';
import type { PromptMedia } from './prompt-media';
import type { Telephony, TelephonyEvent } from './telephony';

export class NotInServiceSession implements CallSession {
  private readonly playbackId = randomUUID();

  constructor(
    readonly channelId: string,
    private readonly telephony: Telephony,
    private readonly media: PromptMedia,
    private readonly log: Logger,
  ) {}

  async handle(event: TelephonyEvent): Promise<void> {
    try {
      if (event.type === 'call-entered') {
        await this.telephony.answer(this.channelId);
        await this.telephony.play(
          this.channelId,
          [this.media.shipped('not-in-service', this.media.languageFor(undefined))],
          this.playbackId,
        );
      } else if (event.type === 'playback-finished' && event.playbackId === this.playbackId) {
        await this.telephony.hangup(this.channelId);
      }
    } catch (err) {
      if (!isChannelGone(err)) this.log.error('not-in-service prompt failed', { error: (err as Error).message });
    }
  }

  ended(): void {}
}
