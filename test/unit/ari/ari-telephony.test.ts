// The ARI adapter's own rules over a scripted ari-client (the REST calls it makes, in order): a prompt a
// killed daemon left playing on a re-adopted channel is stopped before ours (Asterisk would queue ours
// behind it), and a dial that finds its just created channel not in the app yet is sent again.
import { expect } from 'chai';
import sinon from 'sinon';
import type { TelephonyEvent, TelephonyListener } from '../../../src/app/telephony';
import { AriTelephony } from '../../../src/ari/ari-telephony';
import type { AriConnection } from '../../../src/ari/connection';

/** An ari-client error as Asterisk answers it (the body's message). */
const ariError = (message: string) => new Error(JSON.stringify({ message }));

function scripted(o: { dial?: (n: number) => void; leftover?: string; setFails?: boolean } = {}) {
  const calls: string[] = [];
  let dials = 0;
  const listeners: TelephonyListener[] = [];
  const record = (what: string) => {
    calls.push(what);
    return Promise.resolve({});
  };
  const api = {
    channels: {
      create: (p: { channelId: string }) => record(`create ${p.channelId}`),
      dial: (p: { channelId: string }) => {
        calls.push(`dial ${p.channelId}`);
        o.dial?.(++dials);
        return Promise.resolve();
      },
      hangup: (p: { channelId: string }) => record(`hangup ${p.channelId}`),
      play: (p: { channelId: string; playbackId: string }) => record(`play ${p.channelId} ${p.playbackId}`),
      startMoh: (p: { channelId: string }) => record(`moh ${p.channelId}`),
      setChannelVar: (p: { channelId: string; value: string }) =>
        o.setFails
          ? (calls.push(`set ${p.channelId} failed`), Promise.reject(ariError('Internal Server Error')))
          : record(`set ${p.channelId} ${p.value}`),
      getChannelVar: (p: { channelId: string }) => {
        calls.push(`get ${p.channelId}`);
        return o.leftover ? Promise.resolve({ value: o.leftover }) : Promise.reject(ariError('Provided variable was not found'));
      },
    },
    playbacks: { stop: (p: { playbackId: string }) => record(`stop ${p.playbackId}`) },
  };
  const conn = {
    opts: { requestTimeoutMs: 1000, app: 'callbackd' },
    api,
    on: (l: TelephonyListener) => {
      listeners.push(l);
      return () => undefined;
    },
  } as unknown as AriConnection;
  const emit = (e: TelephonyEvent) => listeners.forEach((l) => void l(e));
  return { telephony: new AriTelephony(conn), calls, emit };
}

const DIAL = { channelId: 'A', endpoint: 'PJSIP/1001', app: 'callbackd', appArgs: ['agent-leg'], timeoutSeconds: 20 };

describe('ari: AriTelephony', () => {
  afterEach(() => sinon.restore());

  describe('prompts on a channel an earlier process left playing', () => {
    it('the first prompt on a re-adopted channel stops every prompt the earlier process named, then plays', async () => {
      const { telephony, calls } = scripted({ leftover: 'OLD NEXT1 NEXT2' });
      await telephony.play('K', ['sound:x'], 'NEW');
      expect(calls.slice(0, 4)).to.deep.equal(['get K', 'stop OLD', 'stop NEXT1', 'stop NEXT2']);
      expect(calls[4]).to.match(/^set K NEW( \S+){4}$/);
      expect(calls[5]).to.equal('play K NEW');
      await telephony.play('K', ['sound:y'], telephony.playbackIdFor('K'));
      expect(calls.slice(6), 'checked once per channel').to.have.length(1);
    });

    it('music on hold on a re-adopted channel also stops the leftover prompt first', async () => {
      const { telephony, calls } = scripted({ leftover: 'OLD' });
      await telephony.startMoh('K');
      expect(calls).to.deep.equal(['get K', 'stop OLD', 'moh K']);
    });

    it('channels this process saw enter, or dialled itself, are not checked', async () => {
      const { telephony, calls, emit } = scripted({ leftover: 'OLD' });
      emit({ type: 'call-entered', channelId: 'K', args: [], callerId: '', callerName: '', dialed: '', endpoint: null, state: 'Ring' });
      await telephony.play('K', ['sound:x'], 'P1');
      await telephony.dial(DIAL);
      await telephony.play('A', ['sound:x'], 'P2');
      expect(calls.filter((c) => c.startsWith('get') || c.startsWith('stop'))).to.deep.equal([]);
    });

    it('the prompt id is on the channel before the prompt starts (a crash at any moment leaves it), with the next four', async () => {
      const { telephony, calls } = scripted();
      await telephony.play('K', ['sound:x'], telephony.playbackIdFor('K'));
      expect(calls).to.have.length(3);
      const [first, ...ahead] = calls[1].split(' ').slice(2);
      expect(calls).to.deep.equal(['get K', `set K ${[first, ...ahead].join(' ')}`, `play K ${first}`]);
      expect(ahead).to.have.length(4);
      // The next four prompts start at once: their ids were written with the first (no write between a
      // caller's key and the answer to it).
      for (const id of ahead) {
        expect(telephony.playbackIdFor('K')).to.equal(id);
        await telephony.play('K', ['sound:y'], id);
      }
      expect(calls.slice(3)).to.deep.equal(ahead.map((id) => `play K ${id}`));
      // The sixth names itself and four more again, before it starts.
      const sixth = telephony.playbackIdFor('K');
      await telephony.play('K', ['sound:z'], sixth);
      expect(calls[7]).to.match(new RegExp(`^set K ${sixth}( \\S+){4}$`));
      expect(calls[8]).to.equal(`play K ${sixth}`);
    });

    it('a prompt id that could not be written is not relied on: the next prompt writes its own first', async () => {
      const { telephony, calls } = scripted({ setFails: true });
      await telephony.play('K', ['sound:x'], telephony.playbackIdFor('K'));
      await telephony.play('K', ['sound:y'], telephony.playbackIdFor('K'));
      expect(calls.map((c) => c.split(' ').slice(0, 3).join(' '))).to.deep.equal([
        'get K',
        'set K failed',
        `play K ${calls[2].split(' ')[2]}`,
        'set K failed',
        `play K ${calls[4].split(' ')[2]}`,
      ]);
    });
  });

  describe('dial', () => {
    it('a dial that finds its new channel not in the app yet is sent again and goes through', async () => {
      const clock = sinon.useFakeTimers();
      const { telephony, calls } = scripted({
        dial: (n) => {
          if (n <= 2) throw ariError('Channel not in Stasis application');
        },
      });
      const done = telephony.dial(DIAL);
      await clock.tickAsync(1000);
      await done;
      expect(calls).to.deep.equal(['create A', 'dial A', 'dial A', 'dial A']);
    });

    it('gives up after about 1.8 s, hangs the created channel up and fails', async () => {
      const clock = sinon.useFakeTimers();
      const { telephony, calls } = scripted({
        dial: () => {
          throw ariError('Channel not in Stasis application');
        },
      });
      const done = telephony.dial(DIAL).then(
        () => 'resolved',
        (err: Error) => err.message,
      );
      await clock.tickAsync(1700);
      expect(calls.filter((c) => c === 'hangup A')).to.deep.equal([]);
      await clock.tickAsync(500);
      expect(await done).to.match(/not in Stasis/);
      expect(calls.filter((c) => c === 'dial A')).to.have.length(9);
      expect(calls.at(-1)).to.equal('hangup A');
    });

    it('any other refusal is not retried: the channel is hung up and the dial fails', async () => {
      const { telephony, calls } = scripted({
        dial: () => {
          throw ariError('Allocation failed');
        },
      });
      const err = await telephony.dial(DIAL).catch((e: Error) => e);
      expect((err as Error).message).to.match(/Allocation failed/);
      expect(calls).to.deep.equal(['create A', 'dial A', 'hangup A']);
    });
  });
});
