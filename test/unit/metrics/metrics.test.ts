// Prometheus endpoint: conventional names and exact values from a temp database, 404 elsewhere,
// off when metrics.bind is empty.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { computeStats } from '../../../src/domain/stats';
import { silentLogger } from '../../../src/log';
import { renderMetrics } from '../../../src/metrics/prometheus';
import { parseBind, startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { openDatabase, type Db } from '../../../src/store/db';
import { createReportsRepo } from '../../../src/store/reports-repo';
import { openStore, type SqliteStore } from '../../../src/store/sqlite-store';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function get(port: number, urlPath: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metrics', () => {
  let dir: string;
  let store: SqliteStore;
  let db: Db;
  let server: MetricsServer | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-metrics-'));
    store = openStore(path.join(dir, 'callbackd.db'));
    db = openDatabase(path.join(dir, 'callbackd.db'));
    store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    store.queues.upsert({ name: 'sales', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    const live = (id: string, enteredAt: number) =>
      store.entries.addLive({ id, queue: 'support', did: '+4930123456', channelId: id, callerId: null, enteredAt });
    // Two callbacks: one executed after 120 s of waiting and done, one still pending; one live caller.
    live('a', T0 - 30 * MIN);
    store.entries.requestCallback({ entryId: 'a', number: '+491701111111', requestedAt: T0 - 20 * MIN, language: 'en' });
    const t = store.tickets.create({
      subject: 'Callback',
      requester: '+491701111111',
      reason: 'callback-accepted',
      queue: 'support',
      did: null,
      entryId: 'a',
      agentId: 'alice',
      waitedSeconds: 120,
      createdAt: T0 - 18 * MIN,
    });
    store.entries.markOffered('a', 'alice', T0 - 18 * MIN);
    store.entries.markDialing('a', { at: T0 - 18 * MIN, agentId: 'alice', ticketId: t.id });
    store.entries.close('a', 'done', T0 - 15 * MIN);
    live('b', T0 - 10 * MIN);
    store.entries.requestCallback({ entryId: 'b', number: '+491702222222', requestedAt: T0 - 9 * MIN, language: 'en' });
    live('c', T0 - 5 * MIN);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    store.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics in Prometheus text format with callbackd_ names, a queue label and exact values', async () => {
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: createReportsRepo(db),
      log: silentLogger(),
      clock: { now: () => T0 },
    });
    expect(server.port).to.be.greaterThan(0);
    const res = await get(server.port, '/metrics');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('text/plain; version=0.0.4; charset=utf-8');
    const samples = res.body.split('\n').filter((l) => l.includes('queue="support"'));
    expect(samples).to.deep.equal([
      'callbackd_callbacks_in_queue{queue="support"} 1',
      'callbackd_live_callers{queue="support"} 1',
      'callbackd_longest_wait_seconds{queue="support"} 600',
      'callbackd_callbacks_requested_total{queue="support"} 2',
      'callbackd_callback_wait_seconds_sum{queue="support"} 120',
      'callbackd_callback_wait_seconds_count{queue="support"} 1',
      'callbackd_callbacks_completed_total{queue="support"} 1',
      'callbackd_callbacks_unanswered_total{queue="support"} 0',
      'callbackd_callbacks_expired_total{queue="support"} 0',
      'callbackd_callbacks_cancelled_total{queue="support"} 0',
    ]);
    // Configured queues without traffic are exported with zeros, so alerts see them.
    expect(res.body).to.contain('callbackd_callbacks_in_queue{queue="sales"} 0\n');
    expect(res.body).to.contain('# TYPE callbackd_callbacks_requested_total counter\n');
    expect(res.body).to.contain('# TYPE callbackd_callback_wait_seconds summary\n');
    expect(res.body).to.contain('# TYPE callbackd_live_callers gauge\n');
  });

  it('answers 404 to any other path or method and accepts a query string on /metrics', async () => {
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: createReportsRepo(db), log: silentLogger() });
    expect((await get(server.port, '/')).status).to.equal(404);
    expect((await get(server.port, '/metrics/x')).status).to.equal(404);
    expect((await get(server.port, '/metrics', 'POST')).status).to.equal(404);
    expect((await get(server.port, '/metrics?x=1')).status).to.equal(200);
  });

  it('answers 500 and keeps serving when the database cannot be read', async () => {
    const reports = createReportsRepo(db);
    let broken = true;
    const flaky = {
      statsInput: (now: number, since: number) =>
        broken
          ? (() => {
              throw new Error('database is locked');
            })()
          : reports.statsInput(now, since),
    };
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: flaky, log: silentLogger() });
    expect((await get(server.port, '/metrics')).status).to.equal(500);
    broken = false;
    expect((await get(server.port, '/metrics')).status).to.equal(200);
  });

  it("is off when metrics.bind is '' and fails with a clear error when the port is taken", async () => {
    const off = await startMetricsServer({ bind: '', reports: createReportsRepo(db), log: silentLogger() });
    expect(off.port).to.equal(0);
    await off.close();
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: createReportsRepo(db), log: silentLogger() });
    try {
      await startMetricsServer({ bind: `127.0.0.1:${server.port}`, reports: createReportsRepo(db), log: silentLogger() });
      expect.fail('expected EADDRINUSE');
    } catch (err) {
      expect(err).to.include({ code: 'METRICS_LISTEN_FAILED' });
      expect((err as Error).message).to.match(/EADDRINUSE/);
    }
  });

  it('splits host:port at the last colon and escapes label values', () => {
    expect(parseBind('127.0.0.1:9464')).to.deep.equal({ host: '127.0.0.1', port: 9464 });
    expect(() => parseBind('9464')).to.throw(/host:port/);
    const report = computeStats({ now: T0, since: 0, queues: ['a"b\\c'], open: [], requested: [], openAtStart: [], waits: [], closed: [] });
    expect(renderMetrics(report)).to.contain('callbackd_live_callers{queue="a\\"b\\\\c"} 0\n');
  });
});
