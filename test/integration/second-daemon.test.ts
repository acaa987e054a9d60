// Two daemons for one queue would each take calls, dispatch the same slots and fight over the agents.
// A second `callbackd start` — by an admin who forgot the first, by systemd and a shell at once, by a
// standby box — must refuse with one line naming the owner and leave the first serving; and a daemon
// that was killed -9 must not keep its successor out (the calls it left in Asterisk keep its app
// registered, which is what turned every fault suite red before the app lease).
import fs from 'node:fs';
import { expect } from 'chai';
import { leaseVariable, parseLease } from '../../src/ari/app-lease';
import { AriConnection } from '../../src/ari/connection';
import { silentLogger } from '../../src/log';
import { eventually } from './harness/caller-steps';
import { DaemonProcess, seededDatabase } from './harness/daemon-process';
import { ari } from './harness/env';
import { FaultWorld } from './harness/fault-world';
import { type PgCluster, startPostgres } from '../harness/postgres';
import { DID_EN } from './harness/test-daemon';

const auth = `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`;

async function readyz(url: string): Promise<number> {
  return (await fetch(url)).status;
}

async function getVariable(name: string): Promise<string> {
  const res = await fetch(`${ari.url}/ari/asterisk/variable?variable=${encodeURIComponent(name)}`, { headers: { authorization: auth } });
  expect(res.status, `GET variable ${name}`).to.equal(200);
  return ((await res.json()) as { value: string }).value;
}

async function setVariable(name: string, value: string): Promise<void> {
  const res = await fetch(`${ari.url}/ari/asterisk/variable?variable=${encodeURIComponent(name)}&value=${encodeURIComponent(value)}`, {
    method: 'POST',
    headers: { authorization: auth },
  });
  expect(res.status, `POST variable ${name}`).to.equal(204);
}

/** One line of what a refused start wrote that is not a JSON log line: the error the admin reads. */
function refusal(log: string): string {
  const lines = log.split('\n').filter((l) => l.startsWith('callbackd: '));
  expect(lines, `one error line in:\n${log}`).to.have.length(1);
  return lines[0];
}

describe('a second daemon', function () {
  this.timeout(90_000);
  const w = FaultWorld.suite({ phones: [] });
  const others: string[] = [];
  afterEach(() => {
    for (const dir of others.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startWithReadiness(): Promise<string> {
    await w.start({ CALLBACKD_METRICS_BIND: '127.0.0.1:0' });
    const listening = await w.daemon.waitForLog((l) => l.message === 'metrics endpoint listening', 5000, 'metrics endpoint');
    return listening.readiness as string;
  }

  it('on the same database refuses with DAEMON_ALREADY_RUNNING naming the first, which goes on serving', async () => {
    const ready = await startWithReadiness();
    const second = await DaemonProcess.refused({ dbPath: w.dbPath, env: w.env });
    expect(second.code, 'exit code').to.not.equal(0);
    expect(refusal(second.log)).to.match(/^callbackd: DAEMON_ALREADY_RUNNING: .*callbackd pid (\d+)/);
    expect(refusal(second.log)).to.contain(`pid ${w.daemon.pid}`);
    expect(await readyz(ready), 'the first is still ready').to.equal(200);
    // And it still takes calls: a caller is queued by the first daemon.
    await w.line.call(DID_EN, '+4915112345901');
    await eventually(() => w.entryOf('+4915112345901'), 'caller queued by the first daemon');
  });

  it('on its own database but the same ari.app refuses with ARI_APP_IN_USE naming the first, which stays ready', async () => {
    const ready = await startWithReadiness();
    const other = seededDatabase('callbackd-second-');
    others.push(other.dir);
    const second = await DaemonProcess.refused({ dbPath: other.dbPath, env: w.env });
    expect(second.code, 'exit code').to.not.equal(0);
    expect(refusal(second.log)).to.match(/^callbackd: ARI_APP_IN_USE: ARI application 'callbackd' .* in use by callbackd pid \d+/);
    expect(refusal(second.log)).to.contain(`pid ${w.daemon.pid}`);
    // Refused before it registered anything: the first keeps its event socket (no ApplicationReplaced).
    expect(
      w.daemon.lines.some((l) => /replaced/i.test(l.message)),
      'first daemon was not replaced',
    ).to.be.false;
    expect(await readyz(ready), 'the first is still ready').to.equal(200);
  });

  it('killed -9 with a caller on hold (its app stays registered): the next start takes the app over at once', async () => {
    await w.start();
    const dead = w.daemon.pid;
    await w.line.call(DID_EN, '+4915112345902');
    await eventually(() => w.entryOf('+4915112345902'), 'caller queued');
    await w.daemon.kill();
    const t0 = Date.now();
    await w.start();
    const took = Date.now() - t0;
    const line = await w.daemon.waitForLog((l) => l.message === 'ARI application taken over from a callbackd that is gone', 1000);
    expect(line.why).to.equal('process gone');
    expect(line.previousPid).to.equal(dead);
    // No stale-lease wait and no grace period: as fast as any start (seconds, not the 7 s stale window).
    expect(took, 'ms to started').to.be.below(6000);
    const owner = parseLease(await getVariable(leaseVariable('callbackd')));
    expect(owner?.pid, 'the lease names the new daemon').to.equal(w.daemon.pid);
    // An orderly stop hands the app back: the lease is cleared.
    expect(await w.daemon.stop()).to.equal(0);
    expect(await getVariable(leaseVariable('callbackd'))).to.equal('');
  });

  describe('on one PostgreSQL database', () => {
    let cluster: PgCluster;
    before(async function () {
      this.timeout(60_000);
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('a second daemon (its own ari.app, as for another Asterisk) is refused, naming the first one’s session', async () => {
      const pg = { CALLBACKD_DB_URL: cluster.url(await cluster.createDatabase('daemons')), CALLBACKD_DB_PASSWORD: cluster.password };
      const ready = await startWithReadiness();
      const first = await DaemonProcess.start({
        dbPath: w.dbPath,
        env: { ...w.env, ...pg, CALLBACKD_ARI_APP: 'callbackd-node-a', CALLBACKD_METRICS_BIND: '127.0.0.1:0' },
      });
      const listening = await first.waitForLog((l) => l.message === 'metrics endpoint listening', 5000, 'metrics endpoint');
      const second = await DaemonProcess.refused({ dbPath: w.dbPath, env: { ...w.env, ...pg, CALLBACKD_ARI_APP: 'callbackd-node-b' } });
      expect(second.code).to.not.equal(0);
      expect(refusal(second.log)).to.match(
        /^callbackd: DAEMON_ALREADY_RUNNING: database postgres:\/\/127\.0\.0\.1:\d+\/\w+ is in use by callbackd-daemon \(server pid \d+/,
      );
      expect(second.log, 'no password in what it printed').to.not.contain(cluster.password);
      expect(await readyz(listening.readiness as string), 'the first is still ready').to.equal(200);
      expect(await readyz(ready), 'the SQLite daemon beside them is not affected').to.equal(200);
      // kill -9 of the first: its session and lock go with it, the next start on the database succeeds.
      await first.kill();
      const next = await DaemonProcess.start({ dbPath: w.dbPath, env: { ...w.env, ...pg, CALLBACKD_ARI_APP: 'callbackd-node-b' } });
      await next.stop();
    });
  });

  describe('a callbackd on another host (a standby box) holding the app', () => {
    const app = 'callbackd-rival';
    let rival: AriConnection | undefined;
    let beats: NodeJS.Timeout | undefined;
    const lease = (beat: number) =>
      JSON.stringify({ host: 'standby-box', pid: 4242, startTicks: null, since: '2026-12-08T03:00:00.000Z', beat });

    beforeEach(async () => {
      // The rival's registration, as the standby's daemon would hold it (no lease of its own: we write it).
      rival = new AriConnection({ ...ari, app, requestTimeoutMs: 2000, allowAppTakeover: true, log: silentLogger() });
      await rival.start();
      await setVariable(leaseVariable(app), lease(1));
    });
    afterEach(async () => {
      clearInterval(beats);
      await rival?.stop();
      await setVariable(leaseVariable(app), '');
    });

    it('that keeps beating is refused, naming its host and pid', async () => {
      let beat = 1;
      beats = setInterval(() => void setVariable(leaseVariable(app), lease(++beat)).catch(() => undefined), 1000);
      const second = await DaemonProcess.refused({ dbPath: w.dbPath, env: { ...w.env, CALLBACKD_ARI_APP: app } });
      expect(second.code).to.not.equal(0);
      expect(refusal(second.log)).to.match(/^callbackd: ARI_APP_IN_USE: .*callbackd pid 4242 on host standby-box/);
      expect(parseLease(await getVariable(leaseVariable(app)))?.host, 'the lease is still the rival’s').to.equal('standby-box');
    });

    it('that stopped beating is taken over after the stale window (7 s), not before', async () => {
      const t0 = Date.now();
      await w.start({ CALLBACKD_ARI_APP: app });
      const took = Date.now() - t0;
      const line = await w.daemon.waitForLog((l) => l.message === 'ARI application taken over from a callbackd that is gone', 1000);
      expect(line).to.include({ why: 'lease stale', previousHost: 'standby-box', previousPid: 4242 });
      expect(took, 'ms to started').to.be.at.least(7000);
      expect(parseLease(await getVariable(leaseVariable(app)))?.pid, 'the lease names this daemon').to.equal(w.daemon.pid);
    });
  });
});
