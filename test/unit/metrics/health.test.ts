// /healthz and /readyz on the metrics listener, over real HTTP with a real SQLite file: liveness is
// unconditional, readiness needs the ARI socket up and a database write possible and names what fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { silentLogger } from '../../../src/log';
import { ariAppCheck, readinessFrom } from '../../../src/metrics/health';
import { startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { closeReports, reportsOf } from './port-reports';
import { createWriteProbe } from '../../../src/store/sqlite/write-probe';
import { get } from './http-get';

describe('metrics/health endpoints', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let server: MetricsServer | undefined;
  let ariUp: boolean;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-health-'));
    file = path.join(dir, 'callbackd.db');
    db = openDatabase(file);
    ariUp = true;
  });
  afterEach(async () => {
    await closeReports();
    await server?.close();
    server = undefined;
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async (wired = true): Promise<number> => {
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: reportsOf(db),
      log: silentLogger(),
      readiness: wired
        ? readinessFrom({
            ari: ariAppCheck({
              get connected() {
                return ariUp;
              },
            }),
            db: createWriteProbe(db),
          })
        : undefined,
    });
    return server.port;
  };

  it('/readyz answers 200 with every check named when ARI is up and the database is writable', async () => {
    const port = await start();
    const res = await get(port, '/readyz');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).to.deep.equal({ ready: true, checks: { ari: { ok: true }, db: { ok: true } } });
  });

  it('/readyz answers 503 naming the ARI check while the event socket is down, and 200 again when it is back', async () => {
    const port = await start();
    ariUp = false;
    const down = await get(port, '/readyz');
    expect(down.status).to.equal(503);
    expect(JSON.parse(down.body)).to.deep.equal({
      ready: false,
      checks: { ari: { ok: false, detail: 'ARI event socket is down' }, db: { ok: true } },
    });
    ariUp = true;
    expect((await get(port, '/readyz')).status).to.equal(200);
  });

  it('/readyz answers 503 naming the db check while another connection holds the write lock', async () => {
    const port = await start();
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const res = await get(port, '/readyz');
      expect(res.status).to.equal(503);
      const body = JSON.parse(res.body);
      expect(body.ready).to.equal(false);
      expect(body.checks.ari).to.deep.equal({ ok: true });
      expect(body.checks.db).to.deep.equal({ ok: false, detail: 'SQLITE_BUSY: database is locked' });
      other.exec('ROLLBACK');
      expect((await get(port, '/readyz')).status).to.equal(200);
    } finally {
      other.close();
    }
  });

  it('/healthz answers 200 while the process runs, even when it is not ready', async () => {
    const port = await start();
    ariUp = false;
    const res = await get(port, '/healthz');
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.equal({ status: 'ok' });
    expect((await get(port, '/readyz')).status).to.equal(503);
  });

  it('/readyz answers 503 when the daemon wired no readiness checks, and only GET is served', async () => {
    const port = await start(false);
    const res = await get(port, '/readyz');
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.deep.equal({
      ready: false,
      checks: { readiness: { ok: false, detail: 'no readiness checks configured' } },
    });
    expect((await get(port, '/healthz', 'POST')).status).to.equal(404);
    expect((await get(port, '/readyz', 'DELETE')).status).to.equal(404);
    expect((await get(port, '/healthz?probe=1')).status).to.equal(200);
  });

  it('/readyz answers 503 with the message when the readiness probe itself throws', async () => {
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: reportsOf(db),
      log: silentLogger(),
      readiness: () => {
        throw new Error('probe exploded');
      },
    });
    const res = await get(server.port, '/readyz');
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.deep.equal({ ready: false, checks: { readiness: { ok: false, detail: 'probe exploded' } } });
  });
});

describe('metrics/health readinessFrom', () => {
  it('fails a check that does not settle in time and one that throws, and keeps the others', async () => {
    const probe = readinessFrom(
      {
        fine: () => ({ ok: true }),
        stuck: () => new Promise(() => undefined),
        broken: () => Promise.reject(new Error('disk on fire')),
      },
      50,
    );
    const started = Date.now();
    const r = await probe();
    expect(Date.now() - started).to.be.lessThan(1000);
    expect(r).to.deep.equal({
      ready: false,
      checks: {
        fine: { ok: true },
        stuck: { ok: false, detail: 'no answer within 50 ms' },
        broken: { ok: false, detail: 'disk on fire' },
      },
    });
  });

  it('is not ready without any check', async () => {
    expect(await readinessFrom({})()).to.deep.equal({ ready: false, checks: {} });
  });
});
