// Toll-fraud screening of callback targets: what a caller may make the call center dial.
import { expect } from 'chai';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { dtmfToE164 } from '../../../src/domain/e164';
import { type CallerSettings, initialCallerState, transition } from '../../../src/domain/ivr/caller-machine';
import {
  DEFAULT_BLOCKED_PREFIXES,
  effectiveBlockedPrefixes,
  policyFor,
  rateLimitKey,
  REFUSED_TYPES,
  screenNumber,
} from '../../../src/domain/toll-guard';

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
    // An explicitly empty blocklist, so that the number type (not a default prefix) is what refuses.
    const any = policyFor('+4930123456', '*', '');
    expect(screenNumber('+12025550123', any)).to.deep.equal({ ok: true });
    expect(screenNumber('+499001234567', any)).to.include({ reason: 'type-not-allowed' });
  });

  describe('own numbers', () => {
    const ours = policyFor('+4930123456', null, null, ['+4930123456', '+4930123457', 'web-chat']);

    it('a callback to one of our own DIDs is refused: the agent would land in our own IVR', () => {
      expect(screenNumber('+4930123457', ours)).to.deep.equal({
        ok: false,
        reason: 'own-number',
        detail: '+4930123457 is one of our own numbers',
      });
      expect(screenNumber('+4930123456', ours)).to.include({ ok: false, reason: 'own-number' });
    });

    it('a number next to ours is not refused as our own', () => {
      expect(screenNumber('+4930123458', ours)).to.deep.equal({ ok: true });
    });

    it('names of digital entry points are not numbers and are left out', () => {
      expect(ours.ownNumbers).to.deep.equal(['+4930123456', '+4930123457']);
    });

    it('without own numbers given, none are refused for being ours (until the caller passes them)', () => {
      expect(policyFor('+4930123456', null, null).ownNumbers).to.deep.equal([]);
    });
  });

  describe('refused number types', () => {
    // '*' and an empty blocklist: only the number type can refuse these.
    const typesOnly = policyFor('+4930123456', '*', '');
    const refused: Array<[string, string, string]> = [
      ['a German 0900 premium-rate number', '+499001234567', 'PREMIUM_RATE'],
      ['a German 0180 shared-cost number', '+4918012345678', 'SHARED_COST'],
      ['a German 0137 mass-calling number', '+491371234567', 'SHARED_COST'],
      ['a German 0700 personal number', '+4970012345678', 'PERSONAL_NUMBER'],
      ['a UK 070 personal number', '+447012345678', 'PERSONAL_NUMBER'],
      ['a Swiss 0878 personal number', '+41878123456', 'PERSONAL_NUMBER'],
      ['a UK 03 UAN number', '+443001234567', 'UAN'],
      ['a French 09 VoIP number', '+33912345678', 'VOIP'],
      ['an Austrian 0720 VoIP number', '+43720123456', 'VOIP'],
      ['an international-networks +882 number', '+882161234567', 'VOIP'],
      ['a UK 076 pager', '+447640123456', 'PAGER'],
      ['a Swiss 0860 voicemail number', '+41860123456789', 'VOICEMAIL'],
      ['an international premium-rate +979 number', '+979123456789', 'PREMIUM_RATE'],
    ];
    for (const [name, number, type] of refused) {
      it(`${name} is refused as ${type}`, () => {
        expect(screenNumber(number, typesOnly)).to.deep.equal({ ok: false, reason: 'type-not-allowed', detail: `number type ${type}` });
      });
    }

    it('the refused types are premium, shared cost, personal, UAN, VoIP, pager, voicemail and unknown', () => {
      expect([...REFUSED_TYPES].sort()).to.deep.equal(
        ['PAGER', 'PERSONAL_NUMBER', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'UNKNOWN', 'VOICEMAIL', 'VOIP'].sort(),
      );
    });

    const accepted: Array<[string, string]> = [
      ['a German mobile', '+4915112345678'],
      ['a German landline', '+4930123457'],
      ['an Austrian mobile', '+436641234567'],
      ['a Swiss landline', '+41446681800'],
      ['a London landline', '+442079460958'],
      ['a French mobile', '+33612345678'],
      ['a US number (fixed line or mobile)', '+12025550123'],
      ['a UK freephone number', '+448001234567'],
    ];
    for (const [name, number] of accepted) {
      it(`${name} is accepted`, () => {
        expect(screenNumber(number, typesOnly)).to.deep.equal({ ok: true });
      });
    }
  });

  describe('default blocked prefixes', () => {
    const defaults = policyFor('+4930123456', '*', null);

    it('apply while the setting is unset', () => {
      expect(defaults.blockedPrefixes).to.deep.equal(DEFAULT_BLOCKED_PREFIXES);
    });

    const blocked: Array<[string, string, string]> = [
      ['an Iridium satellite phone', '+881612345678', '+881'],
      ['an international-networks +882 number', '+882161234567', '+882'],
      ['an international-networks +883 number', '+883510012345', '+883'],
      ['an Inmarsat number', '+870773111632', '+870'],
      ['an international premium-rate number', '+979123456789', '+979'],
      ['an international shared-cost number', '+80812345678', '+808'],
      ['a German 0900 number', '+499001234567', '+49900'],
      ['a German 0137 mass-calling number', '+491371234567', '+49137'],
      ['a German 0700 personal number', '+4970012345678', '+49700'],
      ['an Austrian 0930 premium number', '+43930123456', '+43930'],
      ['a Swiss 0906 premium number', '+41906123456', '+41906'],
      ['a UK 090 premium number', '+449012345678', '+4490'],
      ['a UK 087 service number', '+448712345678', '+4487'],
      ['a French 089 premium number', '+33891234567', '+3389'],
      ['a US 900 number', '+19005550123', '+1900'],
    ];
    for (const [name, number, prefix] of blocked) {
      it(`${name} is refused by the default prefix ${prefix}`, () => {
        expect(screenNumber(number, defaults)).to.deep.equal({
          ok: false,
          reason: 'blocked-prefix',
          detail: `matches blocked prefix ${prefix}`,
        });
      });
    }

    it('are all E.164 prefixes, each listed once', () => {
      for (const p of DEFAULT_BLOCKED_PREFIXES) expect(p).to.match(/^\+[1-9][0-9]{0,14}$/);
      expect(new Set(DEFAULT_BLOCKED_PREFIXES).size).to.equal(DEFAULT_BLOCKED_PREFIXES.length);
    });

    it('cover no ordinary landline that shares digits with a service range (Reading 0118, Paris 01 18, Vienna)', () => {
      for (const n of ['+441181234567', '+33118123456', '+4315123456', '+4930123457', '+12025550123']) {
        expect(screenNumber(n, defaults), n).to.deep.equal({ ok: true });
      }
    });

    it("cover no country's example mobile number", () => {
      for (const country of getCountries()) {
        const mobile = getExampleNumber(country, examples)?.number;
        if (mobile === undefined) continue;
        expect(
          DEFAULT_BLOCKED_PREFIXES.find((p) => mobile.startsWith(p)),
          `${country} ${mobile}`,
        ).to.equal(undefined);
      }
    });

    it('an explicitly set list replaces the defaults', () => {
      const custom = policyFor('+4930123456', '*', '+4989');
      expect(custom.blockedPrefixes).to.deep.equal(['+4989']);
      expect(screenNumber('+881612345678', custom)).to.deep.equal({ ok: true });
      expect(screenNumber('+4989123456', custom)).to.include({ reason: 'blocked-prefix' });
    });

    it('an explicitly empty setting removes the defaults: only types and countries guard then', () => {
      const none = policyFor('+4930123456', '*', '');
      expect(none.blockedPrefixes).to.deep.equal([]);
      // An Iridium number is a valid MOBILE: nothing but the prefix list stood in its way.
      expect(screenNumber('+881612345678', none)).to.deep.equal({ ok: true });
    });

    it("'default' in a set list stands for the shipped defaults, so the list can extend them", () => {
      expect(effectiveBlockedPrefixes('default,+4989')).to.deep.equal([...DEFAULT_BLOCKED_PREFIXES, '+4989']);
      expect(effectiveBlockedPrefixes('DEFAULT')).to.deep.equal(DEFAULT_BLOCKED_PREFIXES);
      expect(screenNumber('+881612345678', policyFor('+4930123456', '*', 'default,+4989'))).to.include({ reason: 'blocked-prefix' });
    });

    it('a prefix listed twice (also via default) is kept once, and a missing + is added', () => {
      expect(effectiveBlockedPrefixes('881,+881,4989')).to.deep.equal(['+881', '+4989']);
      expect(effectiveBlockedPrefixes('+881,default').filter((p) => p === '+881')).to.have.length(1);
    });

    it('undefined (a settings lookup of an unset key) means the defaults too', () => {
      expect(effectiveBlockedPrefixes(undefined)).to.deep.equal(DEFAULT_BLOCKED_PREFIXES);
    });

    it('without "*" a non-geographic number is refused by the country rule even with an empty list', () => {
      expect(screenNumber('+881612345678', policyFor('+4930123456', null, ''))).to.include({ reason: 'country-not-allowed' });
    });
  });

  describe('numbers typed with * for +', () => {
    for (const typed of ['*882161234567#', '*883510012345#', '00883510012345#']) {
      it(`${typed} is a valid entry but refused by the default blocklist`, () => {
        const entry = dtmfToE164(typed);
        if (!entry.ok) return expect.fail(`${typed} should parse, got ${entry.reason}`);
        expect(screenNumber(entry.e164, policyFor('+4930123456', '*', null))).to.include({ ok: false, reason: 'blocked-prefix' });
      });
      it(`${typed} is refused as VoIP even with an empty blocklist and every country allowed`, () => {
        const entry = dtmfToE164(typed);
        if (!entry.ok) return expect.fail(`${typed} should parse, got ${entry.reason}`);
        expect(screenNumber(entry.e164, policyFor('+4930123456', '*', ''))).to.deep.equal({
          ok: false,
          reason: 'type-not-allowed',
          detail: 'number type VOIP',
        });
      });
    }
  });

  describe('rate-limit key', () => {
    const caps = { perCaller: 3, withheldPerDid: 20 };

    it('an identified caller is limited per caller number with the per-caller cap', () => {
      expect(rateLimitKey('+4915112345678', '+4930123456', caps)).to.deep.equal({ key: 'caller:+4915112345678', cap: 3 });
    });

    it('the same identified caller on two of our numbers shares one budget', () => {
      expect(rateLimitKey('+4915112345678', '+4930123456', caps).key).to.equal(rateLimitKey('+4915112345678', '+4930123457', caps).key);
    });

    it('withheld callers share one bucket per DID with the higher cap', () => {
      expect(rateLimitKey(null, '+4930123456', caps)).to.deep.equal({ key: 'withheld:+4930123456', cap: 20 });
    });

    it('withheld callers of different DIDs are counted apart', () => {
      expect(rateLimitKey(null, '+4930123456', caps).key).not.to.equal(rateLimitKey(null, '+4930123457', caps).key);
    });

    it('an empty caller number counts as withheld', () => {
      expect(rateLimitKey('', '+4930123456', caps)).to.deep.equal({ key: 'withheld:+4930123456', cap: 20 });
    });

    it('a withheld bucket never collides with a caller bucket', () => {
      expect(rateLimitKey(null, '+4930123456', caps).key).not.to.equal(rateLimitKey('+4930123456', '+4930123456', caps).key);
    });
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
