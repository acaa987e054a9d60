// The call router over the fake PBX: events reach whoever owns the channel, unowned channels entering
// our app go to inbound routing, handlers are forgotten with their channel, and channels that ended
// while events were lost get the ending they missed.
import { expect } from 'chai';
import { CallRouter } from '../../../src/app/router';
import type { CallEntered, TelephonyEvent } from '../../../src/app/telephony';
import { FakeTelephony } from './fake-telephony';
import { recordingLogger } from './fixtures';

describe('app/router', () => {
  let pbx: FakeTelephony;
  let router: CallRouter;
  let inbound: CallEntered[];
  let logs: ReturnType<typeof recordingLogger>;
  const handler = () => {
    const seen: TelephonyEvent['type'][] = [];
    return { seen, handle: (e: TelephonyEvent) => void seen.push(e.type) };
  };

  beforeEach(() => {
    pbx = new FakeTelephony();
    logs = recordingLogger();
    inbound = [];
    router = new CallRouter(pbx, (entered) => void inbound.push(entered), logs.log);
    router.start();
  });
  afterEach(() => pbx.close());

  it('sends a channel nobody owns to inbound routing, and an owned channel’s events to its handler', async () => {
    const ch = await pbx.call();
    expect(inbound.map((e) => e.channelId)).to.deep.equal([ch]);
    const h = handler();
    router.attach(ch, h);
    await pbx.press(ch, '1');
    expect(h.seen).to.deep.equal(['dtmf']);
  });

  it('forgets a caller’s handler when the channel leaves our app', async () => {
    const ch = await pbx.call();
    const h = handler();
    router.attach(ch, h);
    await pbx.hangUp(ch);
    expect(h.seen).to.deep.equal(['hangup', 'call-left']);
    expect(router.has(ch)).to.equal(false);
  });

  it('keeps a dialled leg’s handler until the channel is destroyed: only that event carries the cause', async () => {
    await pbx.dial({ channelId: 'leg', endpoint: 'PJSIP/1001', app: 'callbackd', appArgs: ['agent-leg'], timeoutSeconds: 20 });
    const h = handler();
    router.attach('leg', h, { untilDestroyed: true });
    await pbx.settle();
    await pbx.noAnswer('leg', 19);
    expect(h.seen).to.deep.equal(['call-entered', 'channel-state', 'call-left', 'channel-destroyed']);
    expect(router.has('leg')).to.equal(false);
    expect(inbound, 'an owned leg entering the app is not inbound').to.deep.equal([]);
  });

  it('ends the channels that vanished while events were lost, and only those', async () => {
    const gone = handler();
    const kept = handler();
    router.attach('gone', gone);
    router.attach('kept', kept);
    expect(await router.endMissing(new Set(['kept']))).to.equal(1);
    expect(gone.seen).to.deep.equal(['channel-destroyed']);
    expect(kept.seen).to.deep.equal([]);
    expect([router.has('gone'), router.has('kept')]).to.deep.equal([false, true]);
  });

  describe('channels of ours that entered while events were not reaching us (admitUnowned)', () => {
    const none = () => Promise.resolve(false);

    it('hands each unowned channel of our app to inbound routing as if it had just entered, with its DID and endpoint', async () => {
      pbx.addChannel({ id: 'unheard', state: 'Ring', appData: '+4930123456', callerId: '+4915112345678', dialed: '+4930123456' });
      pbx.addChannel({ id: 'phone', state: 'Up', appData: 'agent-login', endpoint: 'PJSIP/1001' });
      expect(await router.admitUnowned(await pbx.listChannels(), 'callbackd', none)).to.equal(2);
      expect(inbound).to.deep.equal([
        {
          type: 'call-entered',
          channelId: 'unheard',
          args: ['+4930123456'],
          callerId: '+4915112345678',
          callerName: '',
          dialed: '+4930123456',
          endpoint: null,
          state: 'Ring',
        },
        {
          type: 'call-entered',
          channelId: 'phone',
          args: ['agent-login'],
          callerId: '',
          callerName: '',
          dialed: '',
          endpoint: 'PJSIP/1001',
          state: 'Up',
        },
      ]);
      expect(logs.lines('warn', 'a channel entered our app while we could not hear it; handling it now')).to.have.length(2);
    });

    it('leaves owned channels, channels recovery knows, other apps and channels in the dialplan alone', async () => {
      pbx.addChannel({ id: 'owned', appData: '+4930123456' });
      router.attach('owned', handler());
      pbx.addChannel({ id: 'known', appData: '+4930123456' });
      // (The fake files every Stasis channel under our app; this one is another application's.)
      pbx.addChannel({ id: 'other-app', app: 'Stasis' }).appData = 'someone-else,+4930999';
      pbx.addChannel({ id: 'dialplan', app: 'Dial', appData: 'PJSIP/1001,30' });
      const known = (id: string) => Promise.resolve(id === 'known');
      expect(await router.admitUnowned(await pbx.listChannels(), 'callbackd', known)).to.equal(0);
      expect(inbound).to.deep.equal([]);
    });

    it('goes on with the next channel when handling one fails', async () => {
      const failing = new CallRouter(
        pbx,
        (entered) => {
          if (entered.channelId === 'bad') throw new Error('boom');
          inbound.push(entered);
        },
        logs.log,
      );
      pbx.addChannel({ id: 'bad', appData: '+4930123456' });
      pbx.addChannel({ id: 'good', appData: '+4930123456' });
      expect(await failing.admitUnowned(await pbx.listChannels(), 'callbackd', none)).to.equal(2);
      expect(inbound.map((e) => e.channelId)).to.deep.equal(['good']);
      expect(logs.lines('error', 'call event handler failed')[0]).to.include({ channelId: 'bad', error: 'boom' });
    });
  });

  it('logs a failing handler with the channel, and goes on routing', async () => {
    const ch = await pbx.call();
    const h = handler();
    router.attach(ch, {
      handle: (e) => {
        h.handle(e);
        throw new Error('boom');
      },
    });
    await pbx.press(ch, '12');
    expect(h.seen).to.deep.equal(['dtmf', 'dtmf']);
    expect(logs.lines('error', 'call event handler failed')[0]).to.include({ channelId: ch, callId: ch, error: 'boom' });
    expect(pbx.listenerErrors).to.deep.equal([]);
  });

  it('stop() waits for running handlers, stops routing, and can be called again', async () => {
    const ch = await pbx.call();
    let release!: () => void;
    let finished = false;
    router.attach(ch, {
      handle: () =>
        new Promise<void>((resolve) => (release = resolve)).then(() => {
          finished = true;
        }),
    });
    await pbx.press(ch, '1');
    const stopping = router.stop(1000);
    release();
    await stopping;
    expect(finished).to.equal(true);
    await router.stop(1000);
    await pbx.call();
    expect(inbound, 'nothing routed after stop').to.have.length(1);
  });
});
