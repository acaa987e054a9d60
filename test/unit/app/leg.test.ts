// The Leg runtime over the fake PBX: every prompt ends in exactly one PlayResult, requests on a channel
// that is gone are no-ops (never errors), and a failed prompt is a warning only on a channel still up.
import { expect } from 'chai';
import { Leg } from '../../../src/app/leg';
import { TelephonyError } from '../../../src/app/telephony';
import { FakeTelephony } from './fake-telephony';
import { fakeTime, LEG, recordingLogger, track, type FakeTime } from './fixtures';

describe('app/leg: one runtime per channel', () => {
  let pbx: FakeTelephony;
  let time: FakeTime;
  let logs: ReturnType<typeof recordingLogger>;
  let leg: Leg;
  const CH = 'chan-1';

  beforeEach(() => {
    pbx = new FakeTelephony();
    time = fakeTime(() => pbx.settle());
    logs = recordingLogger();
    pbx.addChannel({ id: CH });
    leg = new Leg(CH, pbx, logs.log, LEG);
    pbx.on((event) => leg.handle(event));
  });
  afterEach(() => {
    pbx.close();
    time.restore();
  });

  describe('play() results', () => {
    it('a prompt played to its end is "finished"', async () => {
      expect(await leg.play(['sound:a'])).to.equal('finished');
      expect(pbx.ops('play', CH)).to.have.length(1);
    });

    it('a prompt followed by another play is "stopped", and Asterisk is asked to stop it', async () => {
      pbx.playMode = 'start';
      const first = leg.play(['sound:a']);
      await pbx.settle();
      const second = leg.play(['sound:b']);
      expect(await first).to.equal('stopped');
      await pbx.settle();
      const [firstPlay] = pbx.ops('play', CH);
      expect(pbx.ops('stopPlayback').map((r) => r.playbackId)).to.deep.equal([firstPlay.playbackId]);
      await pbx.finishPlayback(CH);
      expect(await second).to.equal('finished');
    });

    it('a prompt stopped while its play request is on its way is stopped once the PBX accepted it', async () => {
      pbx.playMode = 'start';
      pbx.holdRequests('play');
      const p = leg.play(['sound:a']);
      await pbx.settle();
      await leg.stopPrompt();
      expect(await p).to.equal('stopped');
      expect(pbx.ops('stopPlayback'), 'a stop before the play is accepted would find nothing').to.have.length(0);
      await pbx.releaseRequests();
      expect(pbx.ops('stopPlayback').map((r) => r.playbackId)).to.deep.equal([pbx.ops('play', CH)[0].playbackId]);
      expect(pbx.playbacks[0].state).to.equal('stopped');
    });

    it('prompts wanted while a play request is on its way: only the last one is sent', async () => {
      pbx.playMode = 'start';
      pbx.holdRequests('play');
      const first = leg.play(['sound:a']);
      await pbx.settle();
      const middle = leg.play(['sound:b']);
      const last = leg.play(['sound:c']);
      expect(await first).to.equal('stopped');
      expect(await middle).to.equal('stopped');
      await pbx.releaseRequests();
      expect(pbx.ops('play', CH).map((r) => r.media)).to.deep.equal([['sound:a'], ['sound:c']]);
      await pbx.finishPlayback(CH);
      expect(await last).to.equal('finished');
    });

    it('stopPrompt() stops the prompt playing: "stopped"', async () => {
      pbx.playMode = 'start';
      const p = leg.play(['sound:a']);
      await pbx.settle();
      await leg.stopPrompt();
      expect(await p).to.equal('stopped');
      expect(pbx.ops('stopPlayback')).to.have.length(1);
    });

    it('a prompt Asterisk reports failed on a channel still up is "failed", and warned about after the grace time', async () => {
      pbx.playMode = 'fail';
      expect(await leg.play(['sound:missing'])).to.equal('failed');
      expect(logs.lines('warn', /could not be played/)).to.have.length(0);
      await time.advance(1);
      expect(logs.lines('warn', /could not be played/)).to.have.length(1);
    });

    it('a prompt the PBX refuses to start is "failed" at once', async () => {
      pbx.failNext('play');
      expect(await leg.play(['sound:a'])).to.equal('failed');
      expect(logs.lines('error', 'prompt could not be started')).to.have.length(1);
    });

    it('a hangup mid-prompt is "hangup", and no "missing sound file" warning follows', async () => {
      pbx.playMode = 'start';
      const p = leg.play(['sound:a']);
      await pbx.settle();
      await pbx.hangUp(CH);
      expect(await p).to.equal('hangup');
      await time.advance(2);
      expect(logs.lines('warn', /could not be played/)).to.deep.equal([]);
    });

    it('a prompt reported failed just before the hangup is not warned about either', async () => {
      pbx.playMode = 'start';
      const p = leg.play(['sound:a']);
      await pbx.settle();
      await pbx.finishPlayback(CH, { failed: true });
      expect(await p).to.equal('failed');
      await time.advance(0.5);
      await pbx.hangUp(CH);
      await time.advance(2);
      expect(logs.lines('warn', /could not be played/)).to.deep.equal([]);
    });

    it('a prompt that never starts is "timeout" after the playback-start timeout, and is stopped', async () => {
      pbx.playMode = 'silent';
      const p = track(leg.play(['sound:a']));
      await time.advance(LEG.playbackStartTimeoutMs / 1000 - 0.001);
      expect(p.state).to.equal('pending');
      await time.advance(0.001);
      expect(p.value).to.equal('timeout');
      expect(pbx.ops('stopPlayback')).to.have.length(1);
      expect(logs.lines('warn', 'prompt did not start in time')).to.have.length(1);
    });

    it('a prompt that started is not timed out, however long it plays', async () => {
      pbx.playMode = 'start';
      const p = track(leg.play(['sound:long']));
      await time.advance(60);
      expect(p.state).to.equal('pending');
      await pbx.finishPlayback(CH);
      expect(p.value).to.equal('finished');
    });

    it('a play on a channel the PBX no longer has is "hangup" and the leg is gone', async () => {
      pbx.vanish(CH);
      expect(await leg.play(['sound:a'])).to.equal('hangup');
      expect(leg.isGone).to.equal(true);
    });

    it('stopping a prompt that just ended on the PBX (its "finished" still on the way) leaves the channel usable', async () => {
      pbx.playMode = 'start';
      const p = leg.play(['sound:a']);
      await pbx.settle();
      // Asterisk finished the playback; the event has not reached us yet, so the leg still thinks it plays.
      pbx.playbacks[0].state = 'done';
      const next = leg.play(['sound:b']);
      expect(await p).to.equal('stopped');
      await pbx.settle();
      expect(leg.isGone, 'a playback that is gone says nothing about the channel').to.equal(false);
      expect(await leg.startMoh()).to.equal(true);
      await pbx.finishPlayback(CH);
      expect(await next).to.equal('finished');
    });
    it('a stop request the PBX fails does not keep the next prompt from playing', async () => {
      pbx.playMode = 'start';
      void leg.play(['sound:a']);
      await pbx.settle();
      pbx.failNext('stopPlayback', 'TELEPHONY_TIMEOUT');
      const next = leg.play(['sound:b']);
      await pbx.settle();
      await pbx.finishPlayback(CH);
      expect(await next).to.equal('finished');
      expect(logs.lines('warn', /could not be stopped/)).to.have.length(1);
    });
  });

  describe('the gone-channel rule', () => {
    it('after the hangup every request is a no-op returning false, and nothing reaches the PBX', async () => {
      await pbx.hangUp(CH);
      const before = pbx.requests.length;
      expect(await leg.answer()).to.equal(false);
      expect(await leg.startMoh()).to.equal(false);
      expect(await leg.stopMoh()).to.equal(false);
      expect(await leg.continueInDialplan('ctx', 's', 1)).to.equal(false);
      expect(await leg.hangup()).to.equal(false);
      expect(await leg.play(['sound:a'])).to.equal('hangup');
      expect(pbx.requests.length).to.equal(before);
    });

    it('a request on a channel that vanished unseen returns false instead of throwing, and marks it gone', async () => {
      pbx.vanish(CH);
      expect(await leg.startMoh()).to.equal(false);
      expect(leg.isGone).to.equal(true);
      expect(await leg.hangup()).to.equal(false);
      expect(pbx.ops('hangup')).to.deep.equal([]);
    });

    it('any other failure of a request is an error for the flow to log', async () => {
      pbx.failNext('startMoh', 'TELEPHONY_TIMEOUT');
      const err = await leg.startMoh().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TelephonyError).and.to.include({ code: 'TELEPHONY_TIMEOUT' });
      expect(leg.isGone).to.equal(false);
    });

    it('each request goes to this leg’s channel', async () => {
      expect(await leg.answer()).to.equal(true);
      expect(await leg.startMoh('jazz')).to.equal(true);
      expect(await leg.stopMoh()).to.equal(true);
      expect(await leg.hangup('busy')).to.equal(true);
      expect(pbx.requests.map((r) => `${r.op} ${r.channelId} ${r.detail ?? ''}`.trim())).to.deep.equal([
        `answer ${CH}`,
        `startMoh ${CH} jazz`,
        `stopMoh ${CH}`,
        `hangup ${CH} busy`,
      ]);
    });
  });
});
