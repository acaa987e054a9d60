// The bounded ARI request pool (issue 21 item 1): never more than maxInFlight requests at once, the rest
// queued in order up to maxQueued, beyond that TELEPHONY_BUSY at once; the deadline counts the wait.
import http from 'node:http';
import { expect } from 'chai';
import { TelephonyError } from '../../../src/app/telephony';
import { AriTelephony } from '../../../src/ari/ari-telephony';
import type { AriConnection } from '../../../src/ari/connection';
import { createAriAgent } from '../../../src/ari/http-agent';
import { withAriDeadline } from '../../../src/ari/request-deadline';
import { ARI_MAX_IN_FLIGHT, AriRequestPool } from '../../../src/ari/request-pool';
import { LocalServer } from './local-server';

const errors = {
  timeout: () => new Error('timeout'),
  busy: () => new Error('busy'),
};

/** A request the test ends by hand. */
function gate<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: Error) => ({ ok: false as const, err }),
  );

describe('ari: request pool', () => {
  it('sends at most maxInFlight at once and the rest in arrival order as slots free up', async () => {
    const pool = new AriRequestPool(2, 10);
    const gates = Array.from({ length: 5 }, () => gate());
    const sent: number[] = [];
    const results = gates.map((g, i) =>
      pool.run(
        1000,
        () => {
          sent.push(i);
          return g.promise;
        },
        errors,
      ),
    );
    expect(sent).to.deep.equal([0, 1]);
    expect(pool.inFlight).to.equal(2);
    expect(pool.queued).to.equal(3);
    gates[1].resolve('b');
    await sleep(0);
    expect(sent).to.deep.equal([0, 1, 2]);
    gates[0].resolve('a');
    await sleep(0);
    expect(sent).to.deep.equal([0, 1, 2, 3]);
    expect(pool.inFlight).to.equal(2);
    for (const g of gates.slice(2)) g.resolve('x');
    expect(await Promise.all(results)).to.deep.equal(['a', 'b', 'x', 'x', 'x']);
    expect(pool.inFlight).to.equal(0);
    expect(pool.queued).to.equal(0);
  });

  it('refuses at once, without sending, when the queue is full', async () => {
    const pool = new AriRequestPool(1, 2);
    const g = gate();
    let sends = 0;
    const send = () => {
      sends++;
      return g.promise;
    };
    const kept = [pool.run(1000, send, errors), pool.run(1000, send, errors), pool.run(1000, send, errors)];
    const refused = await settled(pool.run(1000, send, errors));
    expect(refused).to.deep.include({ ok: false });
    expect((refused as { err: Error }).err.message).to.equal('busy');
    expect(sends).to.equal(1);
    g.resolve('done');
    expect(await Promise.all(kept)).to.deep.equal(['done', 'done', 'done']);
    expect(sends).to.equal(3);
  });

  it('counts the wait in the queue against the deadline: a request that waited too long is never sent', async () => {
    const pool = new AriRequestPool(1, 10);
    const slow = gate();
    void pool.run(5000, () => slow.promise, errors);
    let sent = false;
    const t0 = Date.now();
    const late = await settled(
      pool.run(
        60,
        () => {
          sent = true;
          return Promise.resolve('late');
        },
        errors,
      ),
    );
    expect((late as { err: Error }).err.message).to.equal('timeout');
    expect(Date.now() - t0).to.be.within(50, 500);
    expect(pool.queued).to.equal(0);
    slow.resolve('x');
    await sleep(0);
    expect(sent).to.be.false;
    expect(pool.inFlight).to.equal(0);
  });

  it('gives a request only what is left of its deadline after queueing', async () => {
    const pool = new AriRequestPool(1, 10);
    const first = gate();
    void pool.run(5000, () => first.promise, errors);
    let given = 0;
    const second = pool.run(
      300,
      (remainingMs) => {
        given = remainingMs;
        return Promise.resolve('ok');
      },
      errors,
    );
    await sleep(100);
    first.resolve('x');
    expect(await second).to.equal('ok');
    expect(given).to.be.within(1, 220);
  });

  it('frees the slot of a request that fails, also one that throws before it returns a promise', async () => {
    const pool = new AriRequestPool(1, 10);
    const failed = await settled(pool.run(1000, () => Promise.reject(new Error('refused')), errors));
    expect((failed as { err: Error }).err.message).to.equal('refused');
    const thrown = await settled(
      pool.run(
        1000,
        () => {
          throw new Error('sync');
        },
        errors,
      ),
    );
    expect((thrown as { err: Error }).err.message).to.equal('sync');
    expect(pool.inFlight).to.equal(0);
    expect(await pool.run(1000, () => Promise.resolve('next'), errors)).to.equal('next');
  });

  it('refuses a pool without room', () => {
    expect(() => new AriRequestPool(0, 1)).to.throw(RangeError);
    expect(() => new AriRequestPool(1, -1)).to.throw(RangeError);
  });

  describe('over real sockets', () => {
    let server: LocalServer;
    let agent: http.Agent;
    afterEach(async () => {
      agent.destroy();
      await server.close();
    });

    it(`200 requests at once never open more than ${ARI_MAX_IN_FLIGHT} connections to the server`, async () => {
      server = new LocalServer();
      server.answerDelayMs = 20;
      const url = await server.listen();
      agent = createAriAgent('http:');
      const pool = new AriRequestPool();
      let peak = 0;
      const one = () =>
        new Promise<void>((resolve, reject) => {
          const req = http.get(`${url}/ari/channels`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
        });
      const all = Array.from({ length: 200 }, () =>
        pool
          .run(5000, (ms) => withAriDeadline(ms, one, errors.timeout), errors)
          .then(() => {
            peak = Math.max(peak, server.openConnections);
          }),
      );
      await Promise.all(all);
      expect(server.requests).to.have.length(200);
      expect(server.connections.length).to.be.at.most(ARI_MAX_IN_FLIGHT);
      expect(peak).to.be.at.most(ARI_MAX_IN_FLIGHT);
    });
  });

  describe('in AriTelephony', () => {
    it('a request beyond the queue fails with TELEPHONY_BUSY, naming the operation, and is not sent', async () => {
      const answers: Array<() => void> = [];
      let sent = 0;
      const conn = {
        opts: { requestTimeoutMs: 1000, app: 'callbackd' },
        api: {
          channels: {
            answer: () => {
              sent++;
              return new Promise<void>((resolve) => answers.push(resolve));
            },
          },
        },
        on: () => () => undefined,
      } as unknown as AriConnection;
      const telephony = new AriTelephony(conn, new AriRequestPool(1, 1));
      const first = telephony.answer('A');
      const second = telephony.answer('B');
      const third = await settled(telephony.answer('C'));
      expect(third.ok).to.be.false;
      const err = (third as { err: Error }).err;
      expect(err).to.be.instanceOf(TelephonyError);
      expect(err).to.include({ code: 'TELEPHONY_BUSY' });
      expect(err.message).to.match(/^answer: not sent/);
      expect(sent).to.equal(1);
      answers.shift()?.();
      await first;
      await sleep(0);
      answers.shift()?.();
      await second;
      expect(sent).to.equal(2);
    });

    it('a request that waited in the queue past the deadline is TELEPHONY_TIMEOUT', async () => {
      const conn = {
        opts: { requestTimeoutMs: 80, app: 'callbackd' },
        api: { channels: { answer: () => new Promise<void>(() => undefined) } },
        on: () => () => undefined,
      } as unknown as AriConnection;
      const telephony = new AriTelephony(conn, new AriRequestPool(1, 5));
      const results = await Promise.all([settled(telephony.answer('A')), settled(telephony.answer('B'))]);
      for (const r of results) expect((r as unknown as { err: TelephonyError }).err).to.include({ code: 'TELEPHONY_TIMEOUT' });
    });
  });
});
