// /metrics beyond the queue figures: build info, ARI link, active calls, ticket outbox, agents per
// state and the request→confirmation histogram, over real HTTP from a real SQLite file; the whole page
// must be valid Prometheus text exposition.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { silentLogger } from '../../../src/log';
import { readBuildInfo } from '../../../src/metrics/build-info';
import { confirmationLatencyHistogram, Histogram } from '../../../src/metrics/histogram';
import type { LiveMetrics } from '../../../src/metrics/live';
import { startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { closeReports, reportsOf } from './port-reports';
import { parseExposition } from './exposition-check';
import { get } from './http-get';

describe('metrics/runtime families', () => {
  let dir: string;
  let db: Db;
  let server: MetricsServer | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-runtime-metrics-'));
    db = openDatabase(path.join(dir, 'callbackd.db'));
    db.exec(`
      INSERT INTO queues (name) VALUES ('support');
      INSERT INTO agents (id, name, endpoint, state, state_since) VALUES
        ('alice', 'Alice', 'PJSIP/1001', 'available', 0), ('bob', 'Bob', 'PJSIP/1002', 'busy', 0),
        ('carol', 'Carol', 'PJSIP/1003', 'available', 0);
      INSERT INTO ticket_outbox (kind, ticket_id, payload, attempts, next_attempt_at, delivered_at, created_at) VALUES
        ('ticket', 1, '{}', 0, 0, NULL, 0), ('ticket', 2, '{}', 4, 0, NULL, 0), ('comment', 2, '{}', 0, 0, NULL, 0),
        ('ticket', 3, '{}', 1, 0, 5, 0);
    `);
  });
  afterEach(async () => {
    await closeReports();
    await server?.close();
    server = undefined;
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves every new family with exact values beside the queue figures, as valid exposition text', async () => {
    const live: LiveMetrics = { ariConnected: () => true, ariReconnects: () => 2, activeCalls: () => 7 };
    const confirmation = confirmationLatencyHistogram();
    for (const seconds of [0.003, 0.004, 0.02, 0.3, 12]) confirmation.observe(seconds);
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: reportsOf(db),
      figures: reportsOf(db),
      live,
      confirmation,
      build: { version: '1.2.3', node: 'v20.19.0' },
      log: silentLogger(),
    });
    const res = await get(server.port, '/metrics');
    expect(res.status).to.equal(200);
    expect(res.type).to.equal('text/plain; version=0.0.4; charset=utf-8');

    const page = parseExposition(res.body);
    expect(page.problems).to.deep.equal([]);
    const samples = res.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples).to.include.members([
      'callbackd_callbacks_in_queue{queue="support"} 0',
      'callbackd_build_info{version="1.2.3",node="v20.19.0"} 1',
      'callbackd_ari_connected 1',
      'callbackd_ari_reconnects_total 2',
      'callbackd_active_calls 7',
      'callbackd_ticket_outbox_pending 3',
      'callbackd_ticket_outbox_failed 1',
      'callbackd_agents{state="logged-out"} 0',
      'callbackd_agents{state="available"} 2',
      'callbackd_agents{state="ringing"} 0',
      'callbackd_agents{state="busy"} 1',
      'callbackd_agents{state="wrap-up"} 0',
    ]);
    expect(samples.filter((l) => l.startsWith('callbackd_request_confirmation_seconds'))).to.deep.equal([
      'callbackd_request_confirmation_seconds_bucket{le="0.005"} 2',
      'callbackd_request_confirmation_seconds_bucket{le="0.01"} 2',
      'callbackd_request_confirmation_seconds_bucket{le="0.025"} 3',
      'callbackd_request_confirmation_seconds_bucket{le="0.05"} 3',
      'callbackd_request_confirmation_seconds_bucket{le="0.1"} 3',
      'callbackd_request_confirmation_seconds_bucket{le="0.25"} 3',
      'callbackd_request_confirmation_seconds_bucket{le="0.5"} 4',
      'callbackd_request_confirmation_seconds_bucket{le="1"} 4',
      'callbackd_request_confirmation_seconds_bucket{le="2.5"} 4',
      'callbackd_request_confirmation_seconds_bucket{le="5"} 4',
      'callbackd_request_confirmation_seconds_bucket{le="10"} 4',
      'callbackd_request_confirmation_seconds_bucket{le="+Inf"} 5',
      'callbackd_request_confirmation_seconds_sum 12.327',
      'callbackd_request_confirmation_seconds_count 5',
    ]);
    expect(Object.fromEntries(page.types)).to.include({
      callbackd_build_info: 'gauge',
      callbackd_ari_connected: 'gauge',
      callbackd_ari_reconnects_total: 'counter',
      callbackd_active_calls: 'gauge',
      callbackd_ticket_outbox_pending: 'gauge',
      callbackd_ticket_outbox_failed: 'gauge',
      callbackd_agents: 'gauge',
      callbackd_request_confirmation_seconds: 'histogram',
      callbackd_callback_wait_seconds: 'summary',
    });
  });

  it('reads the live figures at each scrape and shows 0 while ARI is down', async () => {
    // What AriConnection's connected/reconnects getters report as the link comes and goes.
    const link = { up: false, reconnects: 0 };
    let calls = 0;
    server = await startMetricsServer({
      bind: '127.0.0.1:0',
      reports: reportsOf(db),
      live: { ariConnected: () => link.up, ariReconnects: () => link.reconnects, activeCalls: () => calls },
      log: silentLogger(),
    });
    const scrape = async () => (await get(server!.port, '/metrics')).body;
    expect(await scrape())
      .to.contain('\ncallbackd_ari_connected 0\n')
      .and.contain('\ncallbackd_ari_reconnects_total 0\n');
    link.up = true;
    calls = 3;
    expect(await scrape())
      .to.contain('\ncallbackd_ari_connected 1\n')
      .and.contain('\ncallbackd_active_calls 3\n');
    link.up = false;
    expect(await scrape()).to.contain('\ncallbackd_ari_connected 0\n');
    link.up = true;
    link.reconnects++;
    const page = await scrape();
    expect(page).to.contain('\ncallbackd_ari_connected 1\n').and.contain('\ncallbackd_ari_reconnects_total 1\n');
    // Sources not wired are left out rather than exported as made-up zeros.
    expect(page).not.to.contain('callbackd_ticket_outbox_pending').and.not.to.contain('callbackd_request_confirmation_seconds');
    expect(parseExposition(page).problems).to.deep.equal([]);
  });

  it('exports build info from package.json and this Node.js by default', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(readBuildInfo()).to.deep.equal({ version: pkg.version, node: process.version });
    expect(readBuildInfo(path.join(dir, 'missing.json'))).to.deep.equal({ version: 'unknown', node: process.version });
    server = await startMetricsServer({ bind: '127.0.0.1:0', reports: reportsOf(db), log: silentLogger() });
    expect((await get(server.port, '/metrics')).body).to.contain(
      `\ncallbackd_build_info{version="${pkg.version}",node="${process.version}"} 1\n`,
    );
  });
});

describe('metrics/histogram', () => {
  it('counts a value equal to a bound in that bucket, a negative one as 0, and drops NaN', () => {
    const h = new Histogram('x_seconds', 'x', [1, 0.5]);
    for (const v of [0.5, -2, NaN, Infinity, 0.7]) h.observe(v);
    expect(h.render()).to.deep.equal([
      '# HELP x_seconds x',
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{le="0.5"} 2',
      'x_seconds_bucket{le="1"} 3',
      'x_seconds_bucket{le="+Inf"} 3',
      'x_seconds_sum 1.2',
      'x_seconds_count 3',
    ]);
    expect(() => new Histogram('y', 'y', [])).to.throw(RangeError);
    expect(() => new Histogram('y', 'y', [1, 1])).to.throw(RangeError);
  });
});

describe('metrics/exposition checker (the test helper itself)', () => {
  it('rejects the mistakes it is there to catch', () => {
    const problems = (page: string) => parseExposition(page).problems;
    expect(problems('# TYPE a gauge\na 1\n')).to.deep.equal([]);
    expect(problems('a 1\n')).to.have.length(1); // no TYPE
    expect(problems('# TYPE a gauge\na{x="1} 1\n')).to.have.length(1); // unterminated label
    expect(problems('# TYPE a gauge\na one\n')).to.have.length(1); // bad value
    expect(problems('# TYPE a gauge\na 1\na 2\n')).to.have.length(1); // duplicate series
    expect(problems('# TYPE a counter\na 1\n')).to.deep.equal(['counter a does not end in _total']);
    expect(problems('# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n')).to.have.length(1); // interleaved families
    expect(problems('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).to.have.length(1);
    expect(problems('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')).to.have.length(1); // no +Inf
    expect(problems('# TYPE a gauge\na 1')).to.deep.equal(['page does not end with a newline']);
  });
});
