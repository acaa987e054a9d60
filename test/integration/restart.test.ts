// The daemon killed -9 with callers on hold and callbacks pending, and Asterisk going away for a
// minute: nothing is lost, waiting callers keep their place, calls go on.
import fs from 'node:fs';
import net from 'node:net';
import { expect } from 'chai';
import { ari, ownsSandbox, requireAsterisk } from './harness/env';
import { dial, eventually, hears, openEntry } from './harness/caller-steps';
import { DaemonProcess, killAllDaemons, query, seededDatabase } from './harness/daemon-process';
import { startSandbox, stopSandbox } from './harness/sandbox';
import { DID_EN, startTestDaemon, type TestDaemon } from './harness/test-daemon';
import { type TestCall, TestLine } from './harness/test-line';

interface Row {
  id: string;
  kind: string;
  state: string;
  entered_at: number;
  channel_id: string | null;
  callback_number: string | null;
}

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('restart and outages', function () {
  this.timeout(180_000);
  let line: TestLine;

  before(async () => {
    await requireAsterisk();
    line = await TestLine.open();
  });
  beforeEach(() => line.startTest());
  afterEach(async () => {
    await line.hangupAll();
  });
  after(async () => {
    await line?.close();
  });

  describe('kill -9 of the daemon process', () => {
    let dir: string;
    let dbPath: string;
    let child: DaemonProcess | undefined;

    beforeEach(() => ({ dir, dbPath } = seededDatabase('callbackd-restart-')));
    afterEach(async () => {
      await killAllDaemons();
      child = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const startProcess = () => DaemonProcess.start({ dbPath });
    const rows = (): Row[] => query<Row>(dbPath, 'SELECT * FROM queue_entries ORDER BY entered_at');
    const rowOf = (callerId: string): Row | undefined => query<Row>(dbPath, 'SELECT * FROM queue_entries WHERE caller_id = ?', callerId)[0];

    /** Lets the test line see what the daemon plays on its side of a call. */
    async function watch(channelId: string): Promise<void> {
      await line.connection.api.applications.subscribe({ applicationName: 'callbackd-test', eventSource: `channel:${channelId}` });
    }
    const hearsOn = (channelId: string, prompt: string, from = 0) =>
      line.recorder.waitFor((e) => e.type === 'playback-started' && e.channelId === channelId && e.media === `sound:callbackd/${prompt}`, {
        from,
        timeoutMs: 30_000,
        what: `${prompt} on ${channelId}`,
      });

    async function callAndWait(callerId: string): Promise<{ call: TestCall; daemonChannel: string }> {
      const call = await line.call(DID_EN, callerId);
      const row = await eventually(() => rowOf(callerId), `${callerId} in the queue`);
      await watch(row.channel_id!);
      return { call, daemonChannel: row.channel_id! };
    }

    it('loses no request and re-adopts the caller on hold at the same place', async () => {
      const first = (child = await startProcess());
      const a = await callAndWait('+4915112345750');
      await hearsOn(a.daemonChannel, 'en/offer');
      await a.call.press('1');
      await eventually(() => rowOf('+4915112345750')?.kind === 'callback', 'A saved');
      const b = await callAndWait('+4915112345751');
      const before = rowOf('+4915112345751')!;

      await child.kill();
      const mark = line.recorder.events.length;
      child = await startProcess();

      // B is still waiting, as the same entry, and the new process plays the offer to B again.
      await hearsOn(b.daemonChannel, 'en/offer', mark);
      expect(rowOf('+4915112345751')).to.deep.include({ id: before.id, state: 'waiting', entered_at: before.entered_at });
      await b.call.press('1');
      await eventually(() => rowOf('+4915112345751')?.state === 'pending', 'B saved by the new process');
      const open = rows().filter((r) => ['pending', 'waiting'].includes(r.state));
      expect(open.map((r) => r.callback_number)).to.deep.equal(['+4915112345750', '+4915112345751']);

      expect(await child.stop(), 'SIGTERM shuts down cleanly').to.equal(0);
      for (const p of [first, child]) {
        expect(p.log).to.include('"callbackd started"');
        expect(p.log, 'the ARI password is never logged').to.not.include(ari.password);
      }
    });

    it('a caller who hung up while no daemon ran is closed as left at the next start', async () => {
      child = await startProcess();
      const c = await callAndWait('+4915112345752');
      await hearsOn(c.daemonChannel, 'en/offer'); // on hold, being served
      await child.kill();
      await c.call.hangup();
      child = await startProcess();
      await eventually(() => rowOf('+4915112345752')?.state === 'left', 'entry closed');
    });
  });

  describe('Asterisk away for 60 seconds', () => {
    let d: TestDaemon;
    afterEach(async () => d && (await d.stop()));

    it('no crash: the daemon reconnects, closes the calls that died, and serves the next call; /readyz says so', async function () {
      if (!ownsSandbox) this.skip();
      const metricsPort = await freePort();
      d = await startTestDaemon({ env: { CALLBACKD_METRICS_BIND: `127.0.0.1:${metricsPort}` } });
      const readyz = async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status;
      expect(await readyz(), 'ready while Asterisk is there').to.equal(200);
      const caller = await dial(line, d, DID_EN, '+4915112345753');
      await hears(d, caller, 'en/welcome');
      const entryId = openEntry(d, caller)!.id;
      const mark = d.events.events.length;
      await stopSandbox();
      await eventually(async () => (await readyz()) === 503, '/readyz 503 while Asterisk is down', 15_000);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status, 'alive all the same').to.equal(200);
      await new Promise((r) => setTimeout(r, 60_000));
      await startSandbox();
      await d.events.waitFor((e) => e.type === 'connected' && e.reconnect, { from: mark, timeoutMs: 60_000, what: 'reconnect' });
      await eventually(async () => (await readyz()) === 200, '/readyz 200 once Asterisk is back', 15_000);
      await line.recorder.waitFor((e) => e.type === 'connected' && e.reconnect, { timeoutMs: 60_000, what: 'test line reconnect' });
      await eventually(() => d.daemon.sqlite.entries.get(entryId)?.state === 'left', 'dead call closed by reconcile');
      const next = await dial(line, d, DID_EN, '+4915112345754');
      await hears(d, next, 'en/welcome');
    });
  });
});
