// The short calls: answer, say one thing, hang up ("not in service", "you are logged in", "sorry, a
// technical problem"). Uses the Leg runtime like every other flow, so a prompt that fails or never
// starts still ends in a hangup instead of an open line.
import type { Logger } from '../log';
import { Leg, type LegOptions } from './leg';
import type { ChannelHandler } from './router';
import type { Telephony, TelephonyEvent } from './telephony';

export class Announcement implements ChannelHandler {
  private readonly leg: Leg;

  constructor(channelId: string, telephony: Telephony, log: Logger, legOptions: LegOptions) {
    this.leg = new Leg(channelId, telephony, log, legOptions);
  }

  handle(event: TelephonyEvent): void {
    this.leg.handle(event);
  }

  /** Answers (if needed), plays `media`, then hangs up whatever the prompt's result. */
  async say(media: string[], opts: { answer?: boolean } = {}): Promise<void> {
    if (opts.answer !== false && !(await this.leg.answer())) return;
    await this.leg.play(media);
    await this.leg.hangup();
  }
}
