// Prompts whose end we have not heard of. A PlaybackFinished sent while the event socket was down (or
// buffered in a socket the heartbeat then dropped) is lost, and the session playing that prompt would
// wait for it for ever — a caller in silence, keys unanswered. After every reconnect each such prompt is
// looked up: one Asterisk no longer has is over, and its end is delivered as the PBX's state says it is.
import type { TelephonyEvent } from '../app/telephony';

/** Whether Asterisk still has the playback: true, false (gone), or undefined (could not tell now). */
export type PlaybackExists = (playbackId: string) => Promise<boolean | undefined>;

export class PlaybackTracker {
  /** playbackId → channelId of prompts requested whose PlaybackFinished has not arrived. */
  private readonly open = new Map<string, string>();

  constructor(
    private readonly exists: PlaybackExists,
    private readonly deliver: (event: TelephonyEvent) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Before the play request goes out, so a finish that beats the request's answer is not missed. */
  requested(playbackId: string, channelId: string): void {
    this.open.set(playbackId, channelId);
  }

  /** The play request was refused: there is no playback to wait for. */
  refused(playbackId: string): void {
    this.open.delete(playbackId);
  }

  observe(event: TelephonyEvent): void {
    if (event.type === 'playback-finished') this.open.delete(event.playbackId);
    else if (event.type === 'call-left' || event.type === 'channel-destroyed') {
      for (const [id, channelId] of this.open) if (channelId === event.channelId) this.open.delete(id);
    }
  }

  /** Delivers the end of every tracked prompt Asterisk no longer has; returns how many. */
  async resync(): Promise<number> {
    let ended = 0;
    for (const [playbackId, channelId] of [...this.open]) {
      const there = await this.exists(playbackId);
      // Still playing (its finish will come), or unknown (the next reconnect asks again).
      if (there !== false || !this.open.has(playbackId)) continue;
      this.open.delete(playbackId);
      ended++;
      this.deliver({ type: 'playback-finished', channelId, playbackId, media: '', failed: false });
    }
    return ended;
  }
}
