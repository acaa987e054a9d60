// The one place that says how an agent's state changes (DESIGN.md §1 step 5). The daemon (calls,
// feature codes *45/*46, phones going offline) and the admin CLI (agents login/logout) both apply
// these rules through the store, so a login resets the miss streak wherever it comes from. Pure.
import type { Agent, AgentEvent, AgentState } from '../model';

export interface AgentRules {
  /** Misses in a row before the agent is logged out. */
  maxMissed: number;
  /** Pause after a conversation; 0 = available at once. */
  wrapUpSeconds: number;
}

export type AgentChange =
  { changed: true; state: AgentState; missed: number; becameAvailable: boolean } | { changed: false; reason: string };

const to = (agent: Pick<Agent, 'state'>, state: AgentState, missed: number): AgentChange => ({
  changed: true,
  state,
  missed,
  becameAvailable: state === 'available' && agent.state !== 'available',
});

const no = (reason: string): AgentChange => ({ changed: false, reason });

/** What `event` does to an agent in its current state; { changed: false } leaves it as it is. */
export function nextAgentState(agent: Pick<Agent, 'state' | 'missed'>, event: AgentEvent, rules: AgentRules): AgentChange {
  const { state } = agent;
  switch (event.type) {
    case 'login':
      // Forcing 'available' over a call in progress would offer the agent a second call.
      if (state === 'ringing' || state === 'busy' || state === 'wrap-up') return no(`agent is ${state}, not logged out`);
      return to(agent, 'available', 0);
    case 'logout':
      // Also mid-call: the call goes on, the agent just gets no new one afterwards.
      return state === 'logged-out' ? no('agent is already logged out') : to(agent, 'logged-out', agent.missed);
    case 'ringing':
      return state === 'available' ? to(agent, 'ringing', agent.missed) : no(`agent is ${state}, not available`);
    case 'answered':
      return state === 'ringing' || state === 'available' ? to(agent, 'busy', 0) : no(`agent is ${state}`);
    case 'missed': {
      if (state === 'logged-out') return no('agent is logged out');
      const missed = agent.missed + 1;
      return to(agent, missed >= rules.maxMissed ? 'logged-out' : 'available', missed);
    }
    case 'released':
      return state === 'logged-out' || state === 'available' ? no(`agent is ${state}`) : to(agent, 'available', agent.missed);
    case 'call-ended':
      if (state === 'logged-out') return no('agent is logged out');
      return to(agent, rules.wrapUpSeconds > 0 ? 'wrap-up' : 'available', agent.missed);
    case 'wrap-up-ended':
      return state === 'wrap-up' ? to(agent, 'available', agent.missed) : no(`agent is ${state}, not in wrap-up`);
    case 'recovered':
      return state === 'ringing' || state === 'busy' || state === 'wrap-up'
        ? to(agent, 'available', agent.missed)
        : no(`agent is ${state}`);
  }
}
