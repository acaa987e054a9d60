// The Telephony port: what the call flows need from Asterisk, in our own words (events, errors and
// requests). src/ari implements it over ARI; nothing in src/app or src/domain sees an ari-client type.
import { CallbackdError } from '../errors';

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
  /** `failed`: Asterisk could not play it (a missing sound file, or the channel hung up mid-prompt). */
  | { type: 'playback-finished'; channelId: string; playbackId: string; media: string; failed: boolean }
  | { type: 'channel-state'; channelId: string; state: string }
  | { type: 'connected'; reconnect: boolean }
  | { type: 'disconnected' };

export type TelephonyListener = (event: TelephonyEvent) => void | Promise<void>;

export interface ChannelInfo {
  id: string;
  /** Asterisk's channel state: Down, Ring, Ringing, Up, Busy, … */
  state: string;
  callerId: string;
  dialed: string;
  /** When Asterisk created the channel (epoch ms): a caller's arrival time, even across our restarts. */
  createdAt: number;
  /** Application and its data when the channel runs one, e.g. Stasis / "callbackd,+4930123456". */
  app: string;
  appData: string;
  /** SIP endpoint the channel belongs to, from its name (PJSIP/1001-00000002 → PJSIP/1001). */
  endpoint?: string | null;
}

export interface BridgeInfo {
  id: string;
  channelIds: string[];
}

export interface DialRequest {
  /** Chosen by us, so a durable record of the leg can be written before the channel exists. */
  channelId: string;
  /** Dial string, e.g. PJSIP/1001 or Local/+4915112345678@callbackd-outbound. */
  endpoint: string;
  /** Number (and name) the called phone shows. */
  callerId?: string;
  callerName?: string;
  app: string;
  appArgs: string[];
  /** Ring time, after which the PBX gives up (the channel is destroyed with cause 19). */
  timeoutSeconds: number;
}

export type TelephonyErrorCode =
  | 'CHANNEL_GONE' // the channel, playback or bridge no longer exists: the call ended; flows may ignore it
  | 'TELEPHONY_TIMEOUT' // the PBX did not answer a request in time
  | 'TELEPHONY_UNREACHABLE' // the PBX is not reachable at all
  | 'TELEPHONY_BUSY' // too many requests already waiting for the PBX: this one was not sent
  | 'TELEPHONY_FAILED'; // the PBX refused the request

/** Every failure of a Telephony method is one of these; adapters translate their own errors. */
export class TelephonyError extends CallbackdError<TelephonyErrorCode> {}

/** True when the failure only means the call already ended: flows treat it as "nothing to do". */
export function isChannelGone(err: unknown): boolean {
  return err instanceof TelephonyError && err.code === 'CHANNEL_GONE';
}

export interface Telephony {
  /** Subscribe to events; returns an unsubscribe function. Listener errors are caught and logged. */
  on(listener: TelephonyListener): () => void;
  /** True while the event connection is up (events are not being missed). */
  readonly connected: boolean;
  /** How many times the event connection went down so far: a window in which it changed (or that ends
   *  disconnected) may have lost events. */
  readonly outages: number;
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<void>;
  /** The id to give the next prompt on a channel (the adapter may have prepared it: see AriTelephony). */
  playbackIdFor(channelId: string): string;
  /** Plays the sounds in order as one playback; resolves once Asterisk accepted it. */
  play(channelId: string, media: string[], playbackId: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  startMoh(channelId: string, mohClass?: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  /** Creates a channel INSIDE our app and dials it, so it stays ours even if we are away when it is
   *  answered. Answered: a 'channel-state' Up event; never answered or failed: 'channel-destroyed'
   *  with the cause. Resolves once the PBX accepted the dial; when it refuses, rejects and leaves no
   *  channel behind. */
  dial(req: DialRequest): Promise<void>;
  /** Every channel of the PBX (not only ours). */
  listChannels(): Promise<ChannelInfo[]>;
  listBridges(): Promise<BridgeInfo[]>;
  /** A channel variable or dialplan function, e.g. CALLERID(pres); undefined when it is not set. */
  getVariable(channelId: string, name: string): Promise<string | undefined>;
  /** Whether the dialplan has `extension` (priority 1) in `context` — checked without placing a call. */
  dialplanHas(context: string, extension: string): Promise<boolean>;
  /** Leaves our app and goes on in the dialplan (queue overflow to another context). */
  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void>;
  /** A mixing bridge for agent + customer/caller, under an id we chose. */
  createBridge(bridgeId: string): Promise<void>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** States of all endpoints ("PJSIP/1001" → online | offline | unknown). Polled rather than subscribed:
   *  an ARI endpoint subscription also delivers every channel event of those endpoints a second time. */
  endpointStates(): Promise<Array<{ endpoint: string; state: string }>>;
}
