// Delivering a live caller from the head of the queue to an agent (DESIGN.md §1 step 5) as a pure state
// machine: ring the agent; on answer take the caller out of the queue's menus and bridge the two. An
// agent who does not answer leaves the caller exactly where they were and counts a miss; a caller who
// hangs up while the agent rings frees the agent without blame.

export type LivePhase =
  | 'ringing-agent'
  | 'taking-caller' // the agent answered; the caller's menus are being stopped
  | 'bridging' // caller taken, agent busy, the bridge being made
  | 'connected'
  | 'ended';

export type LiveEvent =
  | { type: 'agent-answered' }
  /** Rang out, rejected, unreachable, or the dial was refused. */
  | { type: 'agent-unreached'; cause: string }
  /** The caller session stopped its menus and is ours to bridge. */
  | { type: 'caller-taken' }
  /** The caller can no longer be connected (hung up, or became a callback slot just now). */
  | { type: 'caller-unavailable' }
  | { type: 'bridged' }
  | { type: 'bridge-failed'; cause: string }
  | { type: 'agent-hangup' }
  | { type: 'caller-hangup' }
  /** The agent was logged out while the phone rang: stop ringing, the caller keeps the place, no miss. */
  | { type: 'offer-withdrawn'; cause: string };

export type LiveCommand =
  | { type: 'take-caller' }
  /** Entry answered, agent busy, legs recorded with the bridge — then the bridge is made. */
  | { type: 'bridge' }
  | { type: 'hangup-agent' }
  | { type: 'hangup-caller' }
  /** Nothing happened between them: the caller keeps the place; the agent missed it or is released. */
  | { type: 'give-back'; agent: 'missed' | 'released'; cause: string }
  /** The conversation is over: the agent goes to wrap-up. */
  | { type: 'conversation-ended'; cause: string };

export interface LiveState {
  phase: LivePhase;
}

export interface LiveTransition {
  state: LiveState;
  commands: LiveCommand[];
}

export const initialLiveState = (): LiveState => ({ phase: 'ringing-agent' });

/** A conversation found bridged after a restart continues here. */
export const connectedLiveState = (): LiveState => ({ phase: 'connected' });

const end = (commands: LiveCommand[]): LiveTransition => ({ state: { phase: 'ended' }, commands });

/** Agent and caller are (being) connected: either side hanging up, or the bridge failing, ends it. */
function talking(state: LiveState, event: LiveEvent): LiveTransition {
  switch (event.type) {
    case 'bridge-failed':
      return end([
        { type: 'hangup-caller' },
        { type: 'hangup-agent' },
        { type: 'conversation-ended', cause: `bridge failed: ${event.cause}` },
      ]);
    case 'agent-hangup':
      return end([{ type: 'hangup-caller' }, { type: 'conversation-ended', cause: 'agent hung up' }]);
    case 'caller-hangup':
      return end([{ type: 'hangup-agent' }, { type: 'conversation-ended', cause: 'caller hung up' }]);
    default:
      return { state, commands: [] };
  }
}

export function transitionLive(state: LiveState, event: LiveEvent): LiveTransition {
  const same: LiveTransition = { state, commands: [] };
  switch (state.phase) {
    case 'ringing-agent':
      switch (event.type) {
        case 'agent-answered':
          return { state: { phase: 'taking-caller' }, commands: [{ type: 'take-caller' }] };
        case 'agent-unreached':
          return end([{ type: 'give-back', agent: 'missed', cause: `agent did not answer: ${event.cause}` }]);
        case 'caller-hangup':
        case 'caller-unavailable':
          // Not the agent's fault: stop ringing, no miss.
          return end([{ type: 'hangup-agent' }, { type: 'give-back', agent: 'released', cause: 'caller left while the agent rang' }]);
        case 'offer-withdrawn':
          return end([{ type: 'hangup-agent' }, { type: 'give-back', agent: 'released', cause: event.cause }]);
        default:
          return same;
      }
    case 'taking-caller':
      switch (event.type) {
        case 'caller-taken':
          return { state: { phase: 'bridging' }, commands: [{ type: 'bridge' }] };
        case 'caller-unavailable':
        case 'caller-hangup':
          return end([
            { type: 'hangup-agent' },
            { type: 'give-back', agent: 'released', cause: 'caller no longer available when the agent answered' },
          ]);
        case 'agent-hangup':
          // The caller's menus may already be stopped; without an agent the call cannot go on.
          return end([
            { type: 'hangup-caller' },
            { type: 'give-back', agent: 'released', cause: 'agent hung up while the caller was being connected' },
          ]);
        default:
          return same;
      }
    case 'bridging':
      return event.type === 'bridged' ? { state: { phase: 'connected' }, commands: [] } : talking(state, event);
    case 'connected':
      // (bridge-failed here: a conversation re-adopted after a restart could not be bridged again)
      return talking(state, event);
    case 'ended':
      return same;
  }
}
