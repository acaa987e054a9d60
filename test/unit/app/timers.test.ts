// Bounded timers under fake time: Node (and fake-timers, faithfully) fire a setTimeout longer than
// 2^31-1 ms after 1 ms; boundedTimeout must fire at the time asked for, and Timers names one call's timers.
import { expect } from 'chai';
import sinon from 'sinon';
import { boundedTimeout, MAX_TIMEOUT_MS, Timers } from '../../../src/app/timers';

const DAY_MS = 86_400_000;

describe('app/timers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] })));
  afterEach(() => clock.restore());

  describe('boundedTimeout', () => {
    it('the hazard is real here: a plain setTimeout of 30 days fires after 1 ms', () => {
      const fired = sinon.spy();
      setTimeout(fired, 30 * DAY_MS);
      clock.tick(1);
      expect(fired.calledOnce).to.equal(true);
    });

    it('a delay of 30 days (above 2^31-1 ms) fires after 30 days, not after 1 ms nor after 24.8 days', () => {
      const fired = sinon.spy();
      boundedTimeout(fired, 30 * DAY_MS);
      clock.tick(1);
      expect(fired.called, 'after 1 ms').to.equal(false);
      clock.tick(MAX_TIMEOUT_MS);
      expect(fired.called, 'after the first safe step').to.equal(false);
      clock.tick(30 * DAY_MS - MAX_TIMEOUT_MS - 2);
      expect(fired.called, '1 ms early').to.equal(false);
      clock.tick(1);
      expect(fired.calledOnce, 'at 30 days').to.equal(true);
      expect(Date.now()).to.equal(30 * DAY_MS);
    });

    it('a delay of exactly 2^31-1 ms is one step and fires on time', () => {
      const fired = sinon.spy();
      boundedTimeout(fired, MAX_TIMEOUT_MS);
      clock.tick(MAX_TIMEOUT_MS - 1);
      expect(fired.called).to.equal(false);
      clock.tick(1);
      expect(fired.calledOnce).to.equal(true);
    });

    for (const [name, ms] of [
      ['NaN', NaN],
      ['a negative delay', -5000],
    ] as const) {
      it(`${name} fires at once`, () => {
        const fired = sinon.spy();
        boundedTimeout(fired, ms);
        clock.tick(0);
        expect(fired.calledOnce).to.equal(true);
      });
    }

    it('cancel() stops a long timer also between its steps', () => {
      const fired = sinon.spy();
      const handle = boundedTimeout(fired, 60 * DAY_MS);
      clock.tick(MAX_TIMEOUT_MS + 10);
      handle.cancel();
      clock.tick(60 * DAY_MS);
      expect(fired.called).to.equal(false);
    });
  });

  describe('Timers (named timers of one call)', () => {
    it('fires a named timer after its seconds and forgets it', () => {
      const timers = new Timers<'offer'>();
      const fired = sinon.spy();
      timers.set('offer', 30, fired);
      expect(timers.has('offer')).to.equal(true);
      clock.tick(29_999);
      expect(fired.called).to.equal(false);
      clock.tick(1);
      expect(fired.calledOnce).to.equal(true);
      expect(timers.has('offer')).to.equal(false);
    });

    it('setting a name again replaces the earlier timer', () => {
      const timers = new Timers<'input'>();
      const first = sinon.spy();
      const second = sinon.spy();
      timers.set('input', 5, first);
      clock.tick(4000);
      timers.set('input', 5, second);
      clock.tick(4000);
      expect(first.called, 'replaced').to.equal(false);
      clock.tick(1000);
      expect(second.calledOnce).to.equal(true);
    });

    it('clear() cancels one name and leaves the others', () => {
      const timers = new Timers<'input' | 'offer'>();
      const input = sinon.spy();
      const offer = sinon.spy();
      timers.set('input', 5, input);
      timers.set('offer', 5, offer);
      timers.clear('input');
      clock.tick(5000);
      expect(input.called).to.equal(false);
      expect(offer.calledOnce).to.equal(true);
    });

    it('close() cancels everything and ignores later set() calls (the call is over)', () => {
      const timers = new Timers<'input' | 'offer'>();
      const fired = sinon.spy();
      timers.set('input', 5, fired);
      timers.set('offer', 10, fired);
      timers.close();
      timers.set('offer', 1, fired);
      clock.tick(60_000);
      expect(fired.called).to.equal(false);
      expect(timers.has('offer')).to.equal(false);
    });

    it('a max wait of 40 days neither fires at once nor early', () => {
      const timers = new Timers<'max-wait'>();
      const fired = sinon.spy();
      timers.set('max-wait', 40 * 86_400, fired);
      clock.tick(39 * DAY_MS);
      expect(fired.called).to.equal(false);
      clock.tick(DAY_MS);
      expect(fired.calledOnce).to.equal(true);
    });
  });
});
