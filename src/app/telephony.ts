// The Telephony port: what the call flows need from Asterisk, in our own words. src/ari implements it
// over ARI; nothing in src/app or src/domain sees an ari-client type.

export interface CallEntered {
  type: 'call-entered';
  channelId: string;
  /** Stasis() application arguments, e.g. the DID. */
  args: string[];
  callerId: string;
  callerName: string;
  dialed: string;
  /** SIP endpoint the call came from, e.g. PJSIP/1001 for an agent phone. */
  endpoint: string | null;
  state: string;
}

export type TelephonyEvent =
  | CallEntered
  | { type: 'call-left'; channelId: string } // StasisEnd: the channel is no longer ours
  | { type: 'hangup'; channelId: string; cause: number }
  /** The channel is gone for good; for an originated leg that never answered this is the only news. */
  | { type: 'channel-destroyed'; channelId: string; cause: number; causeText: string }
  | { type: 'dtmf'; channelId: string; digit: string; durationMs: number }
  | { type: 'playback-started'; channelId: string; playbackId: string; media: string }
  /** `failed`: Asterisk could not play it (e.g. the sound file is missing). */
  | { type: 'playback-finished'; channelId: string; playbackId: string; media: string; failed: boolean }
  | { type: 'channel-state'; channelId: string; state: string }
  | { type: 'connected'; reconnect: boolean }
  | { type: 'disconnected' };

export type TelephonyListener = (event: TelephonyEvent) => void | Promise<void>;

export interface ChannelInfo {
  id: string;
  state: string;
  callerId: string;
  dialed: string;
}

export interface OriginateRequest {
  endpoint: string; // e.g. PJSIP/+4915112345678@loop
  callerId?: string;
  app: string;
  appArgs?: string[];
  timeoutSeconds?: number;
  channelId?: string;
  variables?: Record<string, string>;
}

export interface Telephony {
  /** Subscribe to events; returns an unsubscribe function. Listener errors are caught and logged. */
  on(listener: TelephonyListener): () => void;
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<void>;
  /** Plays the sounds in order as one playback; resolves with its id once Asterisk accepted it. */
  play(channelId: string, media: string[], playbackId?: string): Promise<string>;
  stopPlayback(playbackId: string): Promise<void>;
  startMoh(channelId: string, mohClass?: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  sendDtmf(channelId: string, digits: string, durationMs?: number): Promise<void>;
  originate(req: OriginateRequest): Promise<string>;
  listChannels(): Promise<ChannelInfo[]>;
  setVariable(channelId: string, name: string, value: string): Promise<void>;
  /** Leaves our app and goes on in the dialplan (queue overflow to another context). */
  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void>;
  /** A mixing bridge for agent + customer/caller; returns its id. */
  createBridge(): Promise<string>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** States of all endpoints ("PJSIP/1001" → online | offline | unknown). Polled rather than subscribed:
   *  an ARI endpoint subscription also delivers every channel event of those endpoints a second time. */
  endpointStates(): Promise<Array<{ endpoint: string; state: string }>>;
}
