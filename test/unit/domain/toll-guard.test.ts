// Toll-fraud screening of callback targets: what a caller may make the call center dial.
import { expect } from 'chai';
import { type CallerSettings, initialCallerState, transition } from '../../../src/domain/ivr/caller-machine';
import { policyFor, screenNumber } from '../../../src/domain/toll-guard';

describe('toll-fraud guard', () => {
  const berlin = policyFor('+4930123456', null, '+4919, 881');

  const cases: Array<[string, string, string | true]> = [
    ['a German mobile for a German DID', '+4915112345678', true],
    ['a German fixed line', '+4989123456', true],
    ['a German premium-rate 0900 number', '+499001234567', 'type-not-allowed'],
    ['a German shared-cost 0180 number', '+4918011234567', 'type-not-allowed'],
    ['a US number for a German DID (default: the DID country only)', '+12025550123', 'country-not-allowed'],
    ['an Austrian mobile for a German DID', '+436641234567', 'country-not-allowed'],
    ['a blocklisted prefix, even if otherwise fine', '+4919012345', 'blocked-prefix'],
    ['a blocklisted prefix given without +', '+881612345678', 'blocked-prefix'],
    ['a number that is not valid', '+441632960961', 'invalid'],
  ];
  for (const [name, number, expected] of cases) {
    it(`${name}: ${expected === true ? 'accepted' : `refused (${expected})`}`, () => {
      const result = screenNumber(number, berlin);
      if (expected === true) expect(result).to.deep.equal({ ok: true });
      else expect(result).to.include({ ok: false, reason: expected });
    });
  }

  it('configured countries replace the default, normalised to upper case', () => {
    const policy = policyFor('+4930123456', 'at, de', null);
    expect(policy.allowedCountries).to.deep.equal(['AT', 'DE']);
    expect(screenNumber('+436641234567', policy)).to.deep.equal({ ok: true });
  });

  it("'*' allows every country but still refuses premium-rate numbers", () => {
    const any = policyFor('+4930123456', '*', null);
    expect(screenNumber('+12025550123', any)).to.deep.equal({ ok: true });
    expect(screenNumber('+499001234567', any)).to.include({ reason: 'type-not-allowed' });
  });

  describe('in the caller menu', () => {
    const S: CallerSettings = {
      callbackEnabled: true,
      offerDelaySeconds: 1,
      offerIntervalSeconds: 2,
      menuTimeoutSeconds: 3,
      firstDigitTimeoutSeconds: 4,
      interDigitTimeoutSeconds: 5,
      maxEntryAttempts: 3,
      policy: berlin,
    };
    const toOfferWait = (callerId: string) =>
      [{ type: 'answered' }, { type: 'prompt-finished' }, { type: 'timer', timer: 'offer' }, { type: 'prompt-finished' }].reduce(
        (st, e) => transition(st, e as never, S).state,
        initialCallerState(callerId),
      );

    it('press 2 with a premium-rate number is refused with a prompt, logged, and counts as an attempt', () => {
      let state = transition(toOfferWait('+4915112345678'), { type: 'dtmf', digit: '2' }, S).state;
      state = transition(state, { type: 'prompt-finished' }, S).state;
      for (const d of '*499001234567') state = transition(state, { type: 'dtmf', digit: d }, S).state;
      const out = transition(state, { type: 'dtmf', digit: '#' }, S);
      expect(out.commands[0]).to.deep.include({ type: 'refused', number: '+499001234567' });
      expect(out.commands).to.deep.include({
        type: 'play',
        prompts: [
          { kind: 'prompt', id: 'number-not-allowed' },
          { kind: 'prompt', id: 'enter-number' },
        ],
      });
      expect(out.state).to.include({ phase: 'entering', attempts: 1 });
      expect(out.commands.some((c) => c.type === 'save-callback')).to.equal(false);
    });

    it('press 1 with a (spoofed) premium-rate caller ID is not saved: the caller must type a number', () => {
      const out = transition(toOfferWait('+499001234567'), { type: 'dtmf', digit: '1' }, S);
      expect(out.commands[0]).to.deep.include({ type: 'refused', number: '+499001234567' });
      expect(out.commands.some((c) => c.type === 'save-callback')).to.equal(false);
      expect(out.state.phase).to.equal('entering');
    });

    it('a rate-limited request plays the notice and returns to the queue', () => {
      const saving = transition(toOfferWait('+4915112345678'), { type: 'dtmf', digit: '1' }, S).state;
      expect(saving.phase).to.equal('saving');
      const out = transition(saving, { type: 'save-refused', reason: 'rate-limited' }, S);
      expect(out.commands).to.deep.include({ type: 'play', prompts: [{ kind: 'prompt', id: 'rate-limited' }] });
      expect(out.state.phase).to.equal('returning');
    });
  });
});
