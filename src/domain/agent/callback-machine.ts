// Executing one callback slot (DESIGN.md §1 steps 5–6) as a pure state machine. The agent's phone
// rings with the customer's number as caller ID; the agent hears the request and presses 1 = Call or
// 2 = Decline; on Call a ticket is created and the customer is dialled through the number's trunk.
import { e164ToDigits } from '../e164';
import { prompt, type PromptId, type PromptRef } from '../prompts';

export type CallbackPhase =
  | 'ringing-agent'
  | 'announcing' // request details + "1 call, 2 decline" playing / awaiting a key
  | 'dialing-customer'
  | 'connected' // agent and customer bridged
  | 'telling-agent' // "the customer did not answer"
  | 'ended';

export type CallbackEvent =
  | { type: 'agent-answered' }
  | { type: 'agent-unreached' } // no answer, busy, offline, or the agent leg failed before answer
  | { type: 'prompt-finished' }
  /** The agent's prompt could not be played: the flow goes on as if it had ended. */
  | { type: 'prompt-failed' }
  | { type: 'dtmf'; digit: string }
  /** `keysMayBeLost`: the event connection was down during the menu window, so a key the agent
   *  pressed may never have reached us — not a decision to count. */
  | { type: 'menu-timeout'; keysMayBeLost?: boolean }
  | { type: 'customer-answered' }
  | { type: 'customer-unreached'; cause: string }
  /** The customer could not be dialled at all for a reason on OUR side (no route, trunk down, the
   *  PBX refused the dial): not the customer's no-answer, no attempt counted; the slot goes back. */
  | { type: 'customer-dial-failed'; cause: string }
  | { type: 'retry-due' }
  | { type: 'agent-hangup' }
  | { type: 'customer-hangup' }
  /** Asterisk refused to bridge agent and customer (or to re-bridge them after a restart). */
  | { type: 'bridge-failed'; cause: string }
  /** The slot was cancelled or expired between the offer and the agent's Call: the session has hung
   *  up and released the agent; nothing more to do. */
  | { type: 'slot-gone' }
  /** The agent was logged out (admin CLI, another node) before pressing Call: the offer ends, the slot
   *  keeps its place, and it is no miss of the agent's. Ignored once the agent has pressed Call. */
  | { type: 'offer-withdrawn'; cause: string };

export type CallbackOutcome = 'declined' | 'missed' | 'done' | 'unanswered';

export type CallbackCommand =
  | { type: 'play-agent'; prompts: PromptRef[] }
  | { type: 'stop-agent-prompt' }
  | { type: 'set-menu-timer'; seconds: number }
  | { type: 'clear-menu-timer' }
  | { type: 'create-ticket' }
  | { type: 'dial-customer'; attempt: number }
  | { type: 'set-retry-timer'; seconds: number }
  | { type: 'bridge' }
  | { type: 'hangup-agent' }
  | { type: 'hangup-customer' }
  /** The slot goes back to its place (declined / agent missed it); cooldown for this agent. */
  | { type: 'return-to-queue'; missed: boolean; cause?: string }
  | { type: 'add-ticket-comment'; body: string }
  | { type: 'finish'; outcome: Extract<CallbackOutcome, 'done' | 'unanswered'>; detail?: string }
  /** The call could not be placed (our side failed): the slot goes back to its place, cause kept. */
  | { type: 'requeue'; cause: string };

export interface CallbackSettings {
  menuTimeoutSeconds: number;
  maxAttempts: number;
  retryDelaySeconds: number;
}

export interface CallbackState {
  phase: CallbackPhase;
  playing: boolean;
  attempts: number;
  /** Menu replays without an answer. */
  replays: number;
  ticket: boolean;
  lastCause: string | null;
  /** Between a failed attempt and the next one: no customer leg is ringing. */
  awaitingRetry: boolean;
  /** 'telling-agent' ends with the slot going back to the queue (dial failed on our side) instead of
   *  closing it unanswered. */
  requeue: boolean;
}

export interface CallbackTransition {
  state: CallbackState;
  commands: CallbackCommand[];
}

export const initialCallbackState = (): CallbackState => ({
  phase: 'ringing-agent',
  playing: false,
  attempts: 0,
  replays: 0,
  ticket: false,
  lastCause: null,
  awaitingRetry: false,
  requeue: false,
});

/**
 * Where an execution found after a restart continues (DESIGN.md §4): the agent accepted and the
 * customer is being dialled (`awaitingRetry` false: a customer leg is ringing; true: none is, the next
 * attempt is due), or agent and customer are already talking. `attempts` counts this execution's dials
 * including a ringing one.
 */
export function resumedCallbackState(at: {
  phase: 'dialing-customer' | 'connected';
  attempts: number;
  awaitingRetry?: boolean;
}): CallbackState {
  return { ...initialCallbackState(), phase: at.phase, ticket: true, attempts: at.attempts, awaitingRetry: at.awaitingRetry ?? false };
}

/** Minutes as a prompt: n-0 … n-60, then "more than sixty". */
export function minutesPrompt(minutes: number): PromptId {
  const m = Number.isFinite(minutes) ? Math.max(0, Math.floor(minutes)) : 0;
  return m > 60 ? 'n-61' : `n-${m}`;
}

/** "Callback request from +49…, waiting for 12 minutes. Press 1 to call, 2 to decline." */
export function announcement(number: string, waitedMinutes: number): PromptRef[] {
  const minutes = minutesPrompt(waitedMinutes);
  // "one minute" / "einer Minute": the singular is a phrase of its own in German, not n-1 + "Minuten".
  const waited = minutes === 'n-1' ? [prompt('agent-one-minute')] : [prompt(minutes), prompt('agent-minutes')];
  return [
    prompt('agent-callback-request'),
    ...e164ToDigits(number).map((id) => prompt(id as PromptId)),
    prompt('agent-waiting'),
    ...waited,
    prompt('agent-call-or-decline'),
  ];
}

const MAX_MENU_REPLAYS = 2;

function end(state: CallbackState, commands: CallbackCommand[]): CallbackTransition {
  return { state: { ...state, phase: 'ended', playing: false }, commands };
}

function stopIfPlaying(state: CallbackState): CallbackCommand[] {
  return state.playing ? [{ type: 'stop-agent-prompt' }] : [];
}

function decline(state: CallbackState, missed: boolean): CallbackTransition {
  return end(state, [{ type: 'clear-menu-timer' }, ...stopIfPlaying(state), { type: 'hangup-agent' }, { type: 'return-to-queue', missed }]);
}

function dial(state: CallbackState): CallbackTransition {
  const attempts = state.attempts + 1;
  return {
    state: { ...state, phase: 'dialing-customer', attempts, awaitingRetry: false },
    commands: [{ type: 'dial-customer', attempt: attempts }],
  };
}

export function transitionCallback(
  state: CallbackState,
  event: CallbackEvent,
  s: CallbackSettings,
  info: { number: string; waitedMinutes: number },
): CallbackTransition {
  const same = { state, commands: [] as CallbackCommand[] };
  if (state.phase === 'ended') return same;
  switch (event.type) {
    case 'agent-answered':
      if (state.phase !== 'ringing-agent') return same;
      return {
        state: { ...state, phase: 'announcing', playing: true },
        commands: [{ type: 'play-agent', prompts: announcement(info.number, info.waitedMinutes) }],
      };
    case 'agent-unreached':
      return state.phase === 'ringing-agent' ? end(state, [{ type: 'return-to-queue', missed: true }]) : same;
    case 'prompt-finished':
    case 'prompt-failed':
      if (!state.playing) return same;
      if (state.phase === 'announcing') {
        return { state: { ...state, playing: false }, commands: [{ type: 'set-menu-timer', seconds: s.menuTimeoutSeconds }] };
      }
      if (state.phase === 'telling-agent') return end(state, [{ type: 'hangup-agent' }, closing(state)]);
      return { state: { ...state, playing: false }, commands: [] };
    case 'dtmf':
      if (state.phase !== 'announcing') return same;
      if (event.digit === '1') {
        const commands: CallbackCommand[] = [{ type: 'clear-menu-timer' }, ...stopIfPlaying(state), { type: 'create-ticket' }];
        const dialing = dial({ ...state, playing: false, ticket: true });
        return {
          state: { ...dialing.state, playing: true },
          commands: [...commands, prompt2agent('agent-connecting'), ...dialing.commands],
        };
      }
      if (event.digit === '2') return decline(state, false);
      if (event.digit === '3') {
        // The agent missed the number or the waiting time: the whole request again.
        return {
          state: { ...state, playing: true },
          commands: [
            { type: 'clear-menu-timer' },
            ...stopIfPlaying(state),
            { type: 'play-agent', prompts: announcement(info.number, info.waitedMinutes) },
          ],
        };
      }
      return {
        state: { ...state, playing: true },
        commands: [
          { type: 'clear-menu-timer' },
          ...stopIfPlaying(state),
          { type: 'play-agent', prompts: [prompt('agent-call-or-decline')] },
        ],
      };
    case 'menu-timeout':
      if (state.phase !== 'announcing') return same;
      // Asked again, without using up a replay: silence we could not hear is not a decline.
      if (event.keysMayBeLost)
        return { state: { ...state, playing: true }, commands: [{ type: 'play-agent', prompts: [prompt('agent-call-or-decline')] }] };
      if (state.replays >= MAX_MENU_REPLAYS) return decline(state, false);
      return {
        state: { ...state, playing: true, replays: state.replays + 1 },
        commands: [{ type: 'play-agent', prompts: [prompt('agent-call-or-decline')] }],
      };
    case 'customer-answered':
      if (state.phase !== 'dialing-customer') return same;
      return { state: { ...state, phase: 'connected', playing: false }, commands: [...stopIfPlaying(state), { type: 'bridge' }] };
    case 'customer-unreached': {
      if (state.phase !== 'dialing-customer' || state.awaitingRetry) return same;
      const failed = { ...state, lastCause: event.cause };
      if (state.attempts < s.maxAttempts) {
        return { state: { ...failed, awaitingRetry: true }, commands: [{ type: 'set-retry-timer', seconds: s.retryDelaySeconds }] };
      }
      return {
        state: { ...failed, phase: 'telling-agent', playing: true },
        commands: [
          ...stopIfPlaying(state),
          {
            type: 'add-ticket-comment',
            body: `callback attempted, not answered (${event.cause}, ${state.attempts} attempt${state.attempts === 1 ? '' : 's'})`,
          },
          { type: 'play-agent', prompts: [prompt('agent-customer-no-answer')] },
        ],
      };
    }
    case 'customer-dial-failed': {
      if (state.phase !== 'dialing-customer' || state.awaitingRetry) return same;
      const cause = `dial failed: ${event.cause}`;
      return {
        state: { ...state, phase: 'telling-agent', playing: true, lastCause: cause, requeue: true },
        commands: [...stopIfPlaying(state), { type: 'play-agent', prompts: [prompt('agent-dial-failed')] }],
      };
    }
    case 'retry-due':
      return state.phase === 'dialing-customer' && state.awaitingRetry ? dial(state) : same;
    case 'agent-hangup':
      switch (state.phase) {
        case 'ringing-agent':
        case 'announcing':
          // Hanging up instead of choosing counts as a decline: the slot keeps its place.
          return decline(state, false);
        case 'dialing-customer':
          return end(state, [
            { type: 'hangup-customer' },
            { type: 'add-ticket-comment', body: 'callback cancelled: the agent hung up while the customer was being called' },
            { type: 'finish', outcome: 'unanswered', detail: 'agent hung up before the customer answered' },
          ]);
        case 'connected':
          return end(state, [{ type: 'hangup-customer' }, { type: 'finish', outcome: 'done' }]);
        case 'telling-agent':
          return end(state, [closing(state)]);
      }
      return same;
    case 'customer-hangup':
      return state.phase === 'connected' ? end(state, [{ type: 'hangup-agent' }, { type: 'finish', outcome: 'done' }]) : same;
    case 'bridge-failed':
      // Nobody may stay on the line in silence: both are hung up; the customer was reached (the slot is
      // done, the ticket stays the follow-up) and the ticket says an agent must call back by hand.
      return state.phase === 'connected'
        ? end(state, [
            { type: 'hangup-customer' },
            { type: 'hangup-agent' },
            {
              type: 'add-ticket-comment',
              body: `the customer answered but could not be connected to the agent (${event.cause}); please call them back`,
            },
            { type: 'finish', outcome: 'done', detail: `bridge failed: ${event.cause}` },
          ])
        : same;
    case 'slot-gone':
      return end(state, []);
    case 'offer-withdrawn':
      if (state.phase !== 'ringing-agent' && state.phase !== 'announcing') return same;
      return end(state, [
        { type: 'clear-menu-timer' },
        ...stopIfPlaying(state),
        { type: 'hangup-agent' },
        { type: 'return-to-queue', missed: false, cause: event.cause },
      ]);
  }
}

/** How 'telling-agent' ends: closed unanswered, or back in the queue when the dial failed on our side. */
function closing(state: CallbackState): CallbackCommand {
  if (state.requeue) return { type: 'requeue', cause: state.lastCause ?? 'dial failed' };
  return { type: 'finish', outcome: 'unanswered', detail: state.lastCause ?? undefined };
}

function prompt2agent(id: PromptId): CallbackCommand {
  return { type: 'play-agent', prompts: [prompt(id)] };
}
