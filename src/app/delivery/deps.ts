// What the delivery sessions (live caller → agent, callback execution) share.
import type { CallbackSettings, CallbackState } from '../../domain/agent/callback-machine';
import type { AgentRules } from '../../domain/agent/agent-state';
import type { Logger } from '../../log';
import type { CallerDirectory } from '../callers/callers-feature';
import type { AppEvents } from '../events';
import type { LegOptions } from '../leg';
import type { Clock, Store } from '../ports';
import type { PromptMedia } from '../prompt-media';
import type { CallRouter } from '../router';
import type { Telephony } from '../telephony';

export interface DeliveryDeps {
  telephony: Telephony;
  store: Pick<Store, 'delivery' | 'directory'>;
  clock: Clock;
  log: Logger;
  events: AppEvents;
  media: PromptMedia;
  router: CallRouter;
  callers: CallerDirectory;
  /** Our ARI application: every leg is created inside it. */
  app: string;
  rules: AgentRules;
  leg: LegOptions;
  agentRingSeconds: number;
  customerRingSeconds: number;
  callback: CallbackSettings & { declineCooldownSeconds: number };
  /** The subject of a new ticket in the request's language (tickets.subjectTemplate). */
  ticketSubject: (language: string | null, fields: { number: string; queue: string; did: string }) => string;
  /** An agent phone that rejects within this long is paused for `rejectPauseSeconds`. */
  fastRejectMs: number;
  rejectPauseSeconds: number;
}

/** ARI channel states that mean "answered". */
export const isUp = (state: string): boolean => state === 'Up';

/** How a re-adopted callback goes on: announce the request again, bridge the customer who answered
 *  while we were away, dial the next attempt (after the retry delay), tell the agent the customer did
 *  not answer, or put two talking parties back into one bridge. */
export type ResumeStep = 'announce' | 'customer-answered' | 'retry' | 'unreached' | 'rebridge';

/** Where a re-adopted execution continues (see reconcile.ts). */
export interface CallbackResume {
  state: CallbackState;
  customerLegId?: string;
  bridgeId?: string;
  /** Legs already answered. */
  upLegs?: string[];
}
