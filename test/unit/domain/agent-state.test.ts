// The one rule set for agent states, used by the daemon (calls, *45/*46, phones going offline) and by
// `callbackd agents login/logout`: every (state, event) pair as a table.
import { expect } from 'chai';
import { nextAgentState, type AgentRules } from '../../../src/domain/agent/agent-state';
import type { AgentEvent, AgentState } from '../../../src/domain/model';

const RULES: AgentRules = { maxMissed: 3, wrapUpSeconds: 10 };
const NO_WRAP_UP: AgentRules = { ...RULES, wrapUpSeconds: 0 };
const STATES: AgentState[] = ['logged-out', 'available', 'ringing', 'busy', 'wrap-up'];

/** [from state, missed before, event, rules, expected state (or 'unchanged'), missed after] */
type Row = [AgentState, number, AgentEvent['type'], AgentRules, AgentState | 'unchanged', number?];

const ROWS: Row[] = [
  // Logging in ends the miss streak, from the phone and from the CLI alike; never over a call.
  ['logged-out', 3, 'login', RULES, 'available', 0],
  ['available', 2, 'login', RULES, 'available', 0],
  ['ringing', 0, 'login', RULES, 'unchanged'],
  ['busy', 0, 'login', RULES, 'unchanged'],
  ['wrap-up', 0, 'login', RULES, 'unchanged'],
  // Logging out works in every state (a call goes on, no new one comes); twice is a no-op.
  ['available', 1, 'logout', RULES, 'logged-out', 1],
  ['busy', 0, 'logout', RULES, 'logged-out', 0],
  ['logged-out', 0, 'logout', RULES, 'unchanged'],
  // Offered a call: only an available agent rings.
  ['available', 1, 'ringing', RULES, 'ringing', 1],
  ['busy', 0, 'ringing', RULES, 'unchanged'],
  ['logged-out', 0, 'ringing', RULES, 'unchanged'],
  // Answering ends the miss streak.
  ['ringing', 2, 'answered', RULES, 'busy', 0],
  ['available', 1, 'answered', RULES, 'busy', 0],
  ['wrap-up', 0, 'answered', RULES, 'unchanged'],
  // Missing: one more; the third in a row logs out.
  ['ringing', 0, 'missed', RULES, 'available', 1],
  ['ringing', 1, 'missed', RULES, 'available', 2],
  ['ringing', 2, 'missed', RULES, 'logged-out', 3],
  ['logged-out', 2, 'missed', RULES, 'unchanged'],
  // Released without blame: the streak stays as it is.
  ['ringing', 1, 'released', RULES, 'available', 1],
  ['busy', 0, 'released', RULES, 'available', 0],
  ['available', 0, 'released', RULES, 'unchanged'],
  ['logged-out', 0, 'released', RULES, 'unchanged'],
  // A conversation ended: wrap-up, or available at once without one; a logged-out agent stays out.
  ['busy', 0, 'call-ended', RULES, 'wrap-up', 0],
  ['busy', 0, 'call-ended', NO_WRAP_UP, 'available', 0],
  ['logged-out', 0, 'call-ended', RULES, 'unchanged'],
  ['wrap-up', 0, 'wrap-up-ended', RULES, 'available', 0],
  ['available', 0, 'wrap-up-ended', RULES, 'unchanged'],
  ['logged-out', 0, 'wrap-up-ended', RULES, 'unchanged'],
  // Start-up without a call of ours: stale ringing/busy/wrap-up become available, nothing else moves.
  ['ringing', 1, 'recovered', RULES, 'available', 1],
  ['busy', 0, 'recovered', RULES, 'available', 0],
  ['wrap-up', 0, 'recovered', RULES, 'available', 0],
  ['logged-out', 0, 'recovered', RULES, 'unchanged'],
  ['available', 0, 'recovered', RULES, 'unchanged'],
];

describe('agent state rules', () => {
  for (const [from, missed, type, rules, to, missedAfter] of ROWS) {
    const label = `${from} (${missed} missed) + ${type}${rules.wrapUpSeconds === 0 ? ' without wrap-up' : ''} → ${to}`;
    it(label, () => {
      const change = nextAgentState({ state: from, missed }, { type }, rules);
      if (to === 'unchanged') {
        expect(change.changed).to.equal(false);
        if (!change.changed) expect(change.reason).to.be.a('string').and.not.equal('');
        return;
      }
      expect(change).to.deep.equal({
        changed: true,
        state: to,
        missed: missedAfter,
        becameAvailable: to === 'available' && from !== 'available',
      });
    });
  }

  it('every event is defined for every state', () => {
    const events: AgentEvent['type'][] = [
      'login',
      'logout',
      'ringing',
      'answered',
      'missed',
      'released',
      'call-ended',
      'wrap-up-ended',
      'recovered',
    ];
    for (const state of STATES)
      for (const type of events) expect(() => nextAgentState({ state, missed: 0 }, { type }, RULES), `${state}+${type}`).not.to.throw();
  });
});
