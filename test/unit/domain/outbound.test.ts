// Where a callback is dialled: the admin's dialplan by default, or a route per number.
import { expect } from 'chai';
import { dialTarget, numberForms } from '../../../src/domain/outbound';

const DE_MOBILE = '+4915112345678';

describe('outbound routes', () => {
  it('offers the number as +E.164, digits only and national significant number', () => {
    expect(numberForms(DE_MOBILE)).to.deep.equal({ e164: DE_MOBILE, digits: '4915112345678', national: '15112345678' });
    expect(numberForms('+442079460958')).to.deep.equal({ e164: '+442079460958', digits: '442079460958', national: '2079460958' });
  });

  const ok: Array<[string, string | null, string, { context: string; extension: string } | undefined]> = [
    [
      'no route: the admin’s callbackd-outbound context',
      null,
      `Local/${DE_MOBILE}@callbackd-outbound/n`,
      { context: 'callbackd-outbound', extension: DE_MOBILE },
    ],
    ['an empty route: the same', '  ', `Local/${DE_MOBILE}@callbackd-outbound/n`, { context: 'callbackd-outbound', extension: DE_MOBILE }],
    ['dialplan:<context>', 'dialplan:to-carrier', `Local/${DE_MOBILE}@to-carrier/n`, { context: 'to-carrier', extension: DE_MOBILE }],
    ['a national-format template (German carrier)', 'PJSIP/0{national}@carrier', 'PJSIP/015112345678@carrier', undefined],
    ['a 00-format template', 'PJSIP/00{digits}@carrier', 'PJSIP/004915112345678@carrier', undefined],
    ['an E.164 template', 'PJSIP/{e164}@carrier', `PJSIP/${DE_MOBILE}@carrier`, undefined],
    ['a bare PJSIP trunk name (as before routes)', 'carrier-1', `PJSIP/${DE_MOBILE}@carrier-1`, undefined],
  ];
  for (const [name, route, endpoint, needs] of ok) {
    it(`${name} → ${endpoint}`, () => {
      expect(dialTarget(DE_MOBILE, route)).to.deep.equal(needs ? { ok: true, endpoint, needs } : { ok: true, endpoint });
    });
  }

  const refused: Array<[string, string, RegExp]> = [
    ['an unknown placeholder', 'PJSIP/{number}@carrier', /unknown placeholder \{number\}/],
    ['a template ringing two channels', 'PJSIP/{e164}@a&PJSIP/{e164}@b', /single dial string/],
    ['a template without a technology', '0{national}', /single dial string/],
    ['a context name with spaces', 'dialplan:to carrier', /not a dialplan context name/],
    ['anything else', 'PJSIP/carrier', /PJSIP endpoint name/],
  ];
  for (const [name, route, message] of refused) {
    it(`refuses ${name}`, () => {
      const r = dialTarget(DE_MOBILE, route);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.error).to.match(message);
    });
  }

  it('refuses a number that is not E.164', () => {
    expect(dialTarget('015112345678', null)).to.deep.equal({ ok: false, error: '015112345678 is not a valid E.164 number' });
  });
});
