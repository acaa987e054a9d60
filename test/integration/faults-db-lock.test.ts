// Fault injection, part 3: another process holds the daemon's database write-locked for 30 s (a second
// SQLite connection in BEGIN IMMEDIATE, as a backup or a stuck admin command would) while callers come,
// go and ask for callbacks. The daemon answers before it writes and never waits for the lock on its
// event loop: callers are answered at once, its HTTP endpoints stay fast, and once the lock is gone
// every caller still on the line is in the queue within a second — and none who hung up.
import http from 'node:http';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { eventually, sleep } from './harness/caller-steps';
import { FaultWorld } from './harness/fault-world';

const LOCK_MS = 30_000;

/** One GET on the daemon's metrics listener: status and how long it took. */
function get(url: string): Promise<{ status: number; ms: number; body: string }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - t0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

describe('faults: the database write-locked by another process for 30 s', function () {
  this.timeout(120_000);
  const w = FaultWorld.suite({ phones: [] });

  it('callers are answered at once, hang-ups leave no place behind, all others are queued within 1 s of the unlock, and /healthz stays fast', async () => {
    await w.start({ CALLBACKD_METRICS_BIND: '127.0.0.1:0' });
    const listening = await w.daemon.waitForLog((l) => l.message === 'metrics endpoint listening', 5000, 'metrics endpoint');
    const health = listening.health as string;
    const metrics = listening.url as string;
    const ready = listening.readiness as string;

    // A caller on hold before the lock, who hangs up during it.
    const early = await w.line.call('+4930123456', '+4915112345830');
    const earlyRow = await eventually(() => w.entryOf('+4915112345830'), 'early caller queued');

    const lock = new Database(w.dbPath);
    lock.exec('BEGIN IMMEDIATE');
    const locked = Date.now();
    // The daemon's own event loop, seen from outside: /healthz every 100 ms for the whole lock.
    const probes: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        probes.push((await get(health)).ms);
        await sleep(100);
      }
    })();
    try {
      const answered: Record<string, number> = {};
      const call = async (number: string) => {
        const { ms, call: c } = await w.timedCall(number);
        answered[number] = ms;
        return c;
      };
      const asks = await call('+4915112345831'); // will press 1 while the lock holds
      const leaves = await call('+4915112345832'); // hangs up while the lock holds
      const asksChannel = await w.daemonSide('+4915112345831');
      await sleep(1500);
      await leaves.hangup();
      await early.hangup();

      // Pressing 1 needs a write: after the request deadline (5 s) the caller hears that it could not
      // be saved and keeps the place.
      const mark = w.mark;
      await w.playing(asksChannel, 'en/offer', { timeoutMs: 20_000 });
      await asks.press('1');
      await w.playing(asksChannel, 'en/request-failed', { from: mark, timeoutMs: 10_000 });

      const stays = await call('+4915112345833');
      const m = await get(metrics);
      expect(m.status, '/metrics during the lock').to.equal(200);
      expect(m.ms, '/metrics answers fast during the lock').to.be.below(500);
      const r = await get(ready);
      expect(r.status, '/readyz says the database cannot be written').to.equal(503);
      expect(r.body).to.match(/"db":\{"ok":false/);
      expect(r.ms).to.be.below(500);

      for (const [number, ms] of Object.entries(answered)) expect(ms, `${number} answered during the lock`).to.be.below(1000);
      expect(w.entryOf('+4915112345831'), 'nothing could be written yet').to.equal(undefined);
      await sleep(Math.max(0, locked + LOCK_MS - Date.now()));
      lock.exec('COMMIT');
      const unlocked = Date.now();

      const queued = await eventually(
        () => {
          const rows = ['+4915112345831', '+4915112345833'].map((n) => w.entryOf(n));
          return rows.every((r) => r?.state === 'waiting') ? rows : undefined;
        },
        'callers on the line queued after the unlock',
        5000,
      );
      const ms = Date.now() - unlocked;
      expect(ms, `queued ${ms} ms after the unlock`).to.be.below(1000);
      expect(queued.map((r) => r!.kind)).to.deep.equal(['live', 'live']);
      // Those who hung up: closed, never left waiting.
      await eventually(() => w.entryOf('+4915112345830')?.state === 'left', 'early caller closed');
      expect(w.entry(earlyRow.id).state).to.equal('left');
      const gone = w.entryOf('+4915112345832');
      expect(gone === undefined || gone.state === 'left', `no phantom place: ${JSON.stringify(gone)}`).to.equal(true);
      await sleep(1500);
      const waiting = ['+4915112345830', '+4915112345832'].map((n) => w.entryOf(n)?.state);
      expect(waiting, 'no phantom waiting rows').to.not.include('waiting');

      // The event loop never stalled: every /healthz of the lock answered quickly.
      probing = false;
      await prober;
      expect(probes.length, 'probes during the lock').to.be.at.least(LOCK_MS / 200);
      const worst = Math.max(...probes);
      console.log(
        `      measured: ${probes.length} /healthz probes during the lock, slowest ${worst} ms; ` +
          `answered in ${Object.values(answered).join('/')} ms; queued ${ms} ms after the unlock`,
      );
      expect(worst, `slowest /healthz during the lock: ${worst} ms`).to.be.below(200);
      await w.settlesEmpty([asks, stays]);
    } finally {
      probing = false;
      await prober.catch(() => undefined);
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
    }
  });
});
