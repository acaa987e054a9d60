// A customer dial that ended unanswered: the customer's side (an attempt) or ours (a failure: no
// attempt, the slot goes back). Q.850 causes as Asterisk reports them in ChannelDestroyed.
import { expect } from 'chai';
import { classifyDialEnd } from '../../../src/domain/agent/dial-outcome';

describe('dial outcome', () => {
  const customer: Array<[number, string]> = [
    [19, 'no answer'],
    [17, 'busy'],
    [21, 'call rejected'],
    [18, 'no user responding'],
    [1, 'unallocated number'],
    [16, 'normal clearing'],
  ];
  for (const [cause, reason] of customer) {
    it(`cause ${cause} (${reason}) is the customer's side: an attempt`, () => {
      expect(classifyDialEnd(cause)).to.deep.equal({ kind: 'customer', reason });
    });
  }

  const ours: Array<[number, string]> = [
    [3, 'no route to destination'],
    [27, 'destination out of order'],
    [34, 'no circuit available'],
    [38, 'network out of order'],
    [41, 'temporary failure'],
    [42, 'switching equipment congestion'],
    [0, 'no cause (dial never started)'],
  ];
  for (const [cause, reason] of ours) {
    it(`cause ${cause} (${reason}) is a failure on our side: no attempt`, () => {
      expect(classifyDialEnd(cause)).to.deep.equal({ kind: 'failure', reason: `cause ${cause}: ${reason}` });
    });
  }

  it("keeps Asterisk's cause text in the reason", () => {
    expect(classifyDialEnd(19, 'User alerting, no answer')).to.deep.equal({
      kind: 'customer',
      reason: 'no answer (User alerting, no answer)',
    });
  });

  it("an unknown cause counts as the customer's side, so a strange carrier code cannot make us redial forever", () => {
    expect(classifyDialEnd(99)).to.deep.equal({ kind: 'customer', reason: 'cause 99' });
  });
});
