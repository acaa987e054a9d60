// After a reconnect, every prompt whose end was not heard of is looked up; one Asterisk no longer has is
// delivered as finished, so no session waits for an event that was lost.
import { expect } from 'chai';
import type { TelephonyEvent } from '../../../src/app/telephony';
import { PlaybackTracker } from '../../../src/ari/playback-resync';

describe('ari/playback-resync: prompts whose end was lost', () => {
  let delivered: TelephonyEvent[];
  let pbx: Map<string, boolean | undefined>;
  let asked: string[];
  const tracker = () =>
    new PlaybackTracker(
      (id) => {
        asked.push(id);
        return Promise.resolve(pbx.has(id) ? pbx.get(id) : false);
      },
      (e) => delivered.push(e),
    );
  beforeEach(() => {
    delivered = [];
    pbx = new Map();
    asked = [];
  });

  it('delivers the end of a prompt Asterisk no longer has, once', async () => {
    const t = tracker();
    t.requested('p1', 'ch1');
    expect(await t.resync()).to.equal(1);
    expect(delivered).to.deep.equal([{ type: 'playback-finished', channelId: 'ch1', playbackId: 'p1', media: '', failed: false }]);
    expect(await t.resync(), 'a second reconnect delivers nothing more').to.equal(0);
    expect(delivered).to.have.length(1);
  });

  it('keeps waiting for a prompt that still plays, and for one it could not ask about', async () => {
    const t = tracker();
    pbx.set('playing', true);
    pbx.set('unknown', undefined);
    t.requested('playing', 'ch1');
    t.requested('unknown', 'ch2');
    expect(await t.resync()).to.equal(0);
    expect(delivered).to.deep.equal([]);
    expect(t.size).to.equal(2);
    pbx.delete('unknown'); // asked again at the next reconnect: gone by then
    expect(await t.resync()).to.equal(1);
    expect(delivered.map((e) => 'playbackId' in e && e.playbackId)).to.deep.equal(['unknown']);
  });

  it('forgets prompts whose end was heard, that were refused, or whose channel is gone — nothing to ask', async () => {
    const t = tracker();
    t.requested('heard', 'ch1');
    t.observe({ type: 'playback-finished', channelId: 'ch1', playbackId: 'heard', media: 'sound:x', failed: false });
    t.requested('refused', 'ch1');
    t.refused('refused');
    t.requested('a', 'gone');
    t.requested('b', 'gone');
    t.observe({ type: 'channel-destroyed', channelId: 'gone', cause: 16, causeText: 'Normal Clearing' });
    t.requested('c', 'left');
    t.observe({ type: 'call-left', channelId: 'left' });
    expect(t.size).to.equal(0);
    expect(await t.resync()).to.equal(0);
    expect(asked).to.deep.equal([]);
  });

  it('a finish that arrives while the lookup is on its way is not delivered twice', async () => {
    let release: (v: boolean) => void = () => undefined;
    const t = new PlaybackTracker(
      () => new Promise<boolean>((resolve) => (release = resolve)),
      (e) => delivered.push(e),
    );
    t.requested('p1', 'ch1');
    const done = t.resync();
    t.observe({ type: 'playback-finished', channelId: 'ch1', playbackId: 'p1', media: 'sound:x', failed: false });
    release(false);
    expect(await done).to.equal(0);
    expect(delivered).to.deep.equal([]);
  });
});
