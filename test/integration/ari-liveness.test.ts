// A frozen Asterisk (SIGSTOP: its TCP connections stay up, nothing answers) is noticed by the event
// socket heartbeat within 10 s; REST calls meanwhile fail with TELEPHONY_TIMEOUT instead of hanging; after
// SIGCONT the connection comes back by itself and says so.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { TelephonyError, type TelephonyEvent } from '../../src/app/telephony';
import { AriTelephony } from '../../src/ari/ari-telephony';
import { AriConnection } from '../../src/ari/connection';
import { silentLogger } from '../../src/log';
import { ari, ownsSandbox, requireAsterisk } from './harness/env';

const FREEZE_MS = 15_000;
const sandboxDir = process.env.CALLBACKD_SANDBOX_DIR ?? path.resolve(__dirname, '../../.sandbox');

/** The states of all threads of a process ('T' = stopped), from /proc. */
function threadStates(pid: number): string[] {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  // stat is "tid (comm) S ...": the state follows the last ')' (comm may hold spaces or parentheses).
  return tasks.map((t) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  });
}

/** SIGSTOP is queued by kill(2) and taken by each thread when it next runs: on a loaded machine a busy
 *  thread may still answer for a moment. Wait until every thread is stopped before asking anything. */
async function frozenSolid(pid: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!threadStates(pid).every((s) => s === 'T')) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} not stopped after SIGSTOP: ${threadStates(pid).join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function waitFor(events: Array<{ event: TelephonyEvent; at: number }>, match: (e: TelephonyEvent) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  return new Promise<{ event: TelephonyEvent; at: number }>((resolve, reject) => {
    const poll = () => {
      const hit = events.find((e) => match(e.event));
      if (hit) resolve(hit);
      else if (Date.now() > deadline)
        reject(new Error(`no matching event within ${ms} ms; saw ${events.map((e) => e.event.type).join(', ')}`));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

describe('ARI liveness: a frozen Asterisk', function () {
  this.timeout(60_000);
  let conn: AriConnection;
  let asteriskPid: number;
  let frozen = false;
  const events: Array<{ event: TelephonyEvent; at: number }> = [];

  before(async function () {
    if (!ownsSandbox) this.skip(); // freezing an external Asterisk is not ours to do
    await requireAsterisk();
    asteriskPid = Number(fs.readFileSync(path.join(sandboxDir, 'asterisk.pid'), 'utf8').trim());
    // The pid file must name the Asterisk this test talks to, or freezing it proves nothing.
    expect(fs.readFileSync(`/proc/${asteriskPid}/comm`, 'utf8').trim(), `pid ${asteriskPid} from ${sandboxDir}`).to.equal('asterisk');
    conn = new AriConnection({ ...ari, app: 'callbackd-liveness-test', requestTimeoutMs: 2000, log: silentLogger() });
    conn.on((event) => void events.push({ event, at: Date.now() }));
    await conn.start();
  });
  after(async () => {
    if (frozen) process.kill(asteriskPid, 'SIGCONT'); // never leave the sandbox frozen
    await conn?.stop();
  });

  it('reports disconnected within 10 s, times REST calls out, and reconnects after SIGCONT', async () => {
    expect(conn.connected).to.be.true;
    expect(conn.reconnects).to.equal(0);
    const telephony = new AriTelephony(conn);

    const frozenAt = Date.now();
    process.kill(asteriskPid, 'SIGSTOP');
    frozen = true;
    try {
      await frozenSolid(asteriskPid);
      const failed = await telephony.endpointStates().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failed).to.be.instanceOf(TelephonyError);
      expect((failed as TelephonyError).code).to.equal('TELEPHONY_TIMEOUT');

      const down = await waitFor(events, (e) => e.type === 'disconnected', 12_000);
      expect(down.at - frozenAt).to.be.below(10_000);
      expect(conn.connected).to.be.false;

      await new Promise((resolve) => setTimeout(resolve, frozenAt + FREEZE_MS - Date.now()));
    } finally {
      process.kill(asteriskPid, 'SIGCONT');
      frozen = false;
    }
    const continuedAt = Date.now();

    const up = await waitFor(events, (e) => e.type === 'connected' && e.reconnect, 20_000);
    expect(up.at - continuedAt).to.be.below(15_000);
    expect(conn.connected).to.be.true;
    expect(conn.reconnects).to.equal(1);
    expect(await telephony.endpointStates()).to.not.be.empty;
  });
});
