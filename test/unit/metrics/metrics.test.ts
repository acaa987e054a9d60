// Prometheus endpoint: conventional names and exact values from a temp database (live and callback rows
// mixed, every outcome), 404 elsewhere, off when metrics.bind is empty.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { computeStats } from '../../../src/domain/stats';
import { silentLogger } from '../../../src/log';
import { renderMetrics } from '../../../src/metrics/prometheus';
import { parseBind, startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { closeReports, reportsOf } from './port-reports';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { callHistory } from '../store/call-history';
import { parseExposition } from './exposition-check';

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
    // Written through the store's verbs as the daemon writes them, every outcome once or twice.
    const h = callHistory(store);
    // a: asked at T0 - 20 min, asked again at T0 - 19 min (r, merged), the agent's call started at
    // T0 - 18 min: 120 s of wait from the first request (60 s from the repeat), connected.
    h.callback('a', T0 - 30 * MIN, T0 - 20 * MIN, '+491701111111');
    h.live('r', T0 - 19.5 * MIN);
    h.request('r', '+491701111111', T0 - 19 * MIN);
    h.connectCallback('a', 'alice', T0 - 18 * MIN);
    h.callback('b', T0 - 10 * MIN, T0 - 9 * MIN, '+491702222222'); // still pending
    h.live('c', T0 - 5 * MIN); // on hold
    h.callback('d', T0 - 200 * MIN, T0 - 180 * MIN, '+491703333333');
    h.connectCallback('d', 'alice', T0 - 170 * MIN); // 600 s
    h.callback('e', T0 - 160 * MIN, T0 - 150 * MIN, '+491704444444');
    h.unansweredCallback('e', 'alice', T0 - 140 * MIN); // 600 s
    h.callback('f', T0 - 130 * MIN, T0 - 125 * MIN, '+491705555555');
    h.expire('f', T0 - 65 * MIN);
    h.callback('g', T0 - 100 * MIN, T0 - 99 * MIN, '+491706666666');
    store.entries.close('g', 'cancelled', T0 - 90 * MIN, 'cancelled by sam'); // what `callbacks cancel` writes
    // Two live callers answered by an agent (closed 'done' like a connected callback), one who hung up,
    // one sent to overflow.
    h.live('l1', T0 - 60 * MIN);
    h.answerLive('l1', 'bob', T0 - 59 * MIN);
    h.live('l2', T0 - 50 * MIN);
    h.answerLive('l2', 'bob', T0 - 49 * MIN);
    h.live('l3', T0 - 40 * MIN);
    h.abandon('l3', T0 - 39 * MIN);
    h.live('l4', T0 - 35 * MIN);
    h.overflow('l4', T0 - 25 * MIN);
  });
  afterEach(async () => {
    await closeReports();
    await server?.close();
    server = undefined;
    store.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics in Prometheus text format with callbackd_ names, a queue label and exact values', async () => {
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: reportsOf(db),
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
      'callbackd_callbacks_requested_total{queue="support"} 6', // a, b, d, e, f, g; not the repeat r
      'callbackd_callback_wait_seconds_sum{queue="support"} 1320', // 120 + 600 + 600
      'callbackd_callback_wait_seconds_count{queue="support"} 3',
      'callbackd_callbacks_completed_total{queue="support"} 2', // a, d; not the answered l1, l2
      'callbackd_callbacks_unanswered_total{queue="support"} 1',
      'callbackd_callbacks_expired_total{queue="support"} 1',
      'callbackd_callbacks_cancelled_total{queue="support"} 1',
      'callbackd_live_callers_answered_total{queue="support"} 2',
      'callbackd_live_callers_abandoned_total{queue="support"} 1',
      'callbackd_live_callers_overflowed_total{queue="support"} 1',
    ]);
    const page = parseExposition(res.body);
    expect(page.problems).to.deep.equal([]);
    // All time: every callback slot requested is either closed with one outcome or still in the queue.
    const value = (name: string) => page.samples.find((x) => x.name === name && x.labels.queue === 'support')!.value;
    const outcomes = ['completed', 'unanswered', 'expired', 'cancelled'].map((o) => value(`callbackd_callbacks_${o}_total`));
    expect(outcomes.reduce((x, y) => x + y) + value('callbackd_callbacks_in_queue')).to.equal(value('callbackd_callbacks_requested_total'));
    // Configured queues without traffic are exported with zeros, so alerts see them.
    expect(res.body).to.contain('callbackd_callbacks_in_queue{queue="sales"} 0\n');
    expect(res.body).to.contain('# TYPE callbackd_callbacks_requested_total counter\n');
    expect(res.body).to.contain('# TYPE callbackd_callback_wait_seconds summary\n');
    expect(res.body).to.contain('# TYPE callbackd_live_callers gauge\n');
    expect(res.body).to.contain('# TYPE callbackd_live_callers_answered_total counter\n');
    expect(res.body).to.contain(
      '# HELP callbackd_callbacks_completed_total Callback slots closed as done: the customer answered and was bridged with the agent (live callers answered are not counted).\n',
    );
  });

  it('answers 404 to any other path or method and accepts a query string on /metrics', async () => {
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: reportsOf(db), log: silentLogger() });
    expect((await get(server.port, '/')).status).to.equal(404);
    expect((await get(server.port, '/metrics/x')).status).to.equal(404);
    expect((await get(server.port, '/metrics', 'POST')).status).to.equal(404);
    expect((await get(server.port, '/metrics?x=1')).status).to.equal(200);
  });

  it('answers 500 and keeps serving when the database cannot be read', async () => {
    const reports = reportsOf(db);
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
    const off = await startMetricsServer({ bind: '', reports: reportsOf(db), log: silentLogger() });
    expect(off.port).to.equal(0);
    await off.close();
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: reportsOf(db), log: silentLogger() });
    try {
      await startMetricsServer({ bind: `127.0.0.1:${server.port}`, reports: reportsOf(db), log: silentLogger() });
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
