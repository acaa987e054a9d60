// The operations listener on metrics.bind (loopback by default; '' = off): GET /metrics (Prometheus),
// GET /healthz (liveness) and GET /readyz (readiness). Queue figures are read from the store on every
// scrape rather than kept in memory, so they survive restarts and agree with `callbackd stats`,
// whichever process wrote the rows; live figures come from the daemon through LiveMetrics.
import http from 'node:http';
import type { Clock, ReportStore } from '../app/ports';
import { systemClock } from '../app/ports';
import { computeStats } from '../domain/stats';
import { CallbackdError } from '../errors';
import type { Logger } from '../log';
import { type BuildInfo, readBuildInfo } from './build-info';
import { CONTENT_TYPE } from './exposition';
import { NOT_WIRED, type ReadinessProbe } from './health';
import { renderMetrics } from './prometheus';
import { renderRuntimeMetrics, type RuntimeSources } from './runtime';

export interface MetricsServerOptions extends Omit<RuntimeSources, 'build'> {
  /** host:port as validated by the config schema; '' turns the endpoint off. */
  bind: string;
  reports: Pick<ReportStore, 'statsInput'>;
  log: Logger;
  clock?: Clock;
  /** Default: package.json's version and this Node.js. */
  build?: BuildInfo;
  /** /readyz; without it /readyz answers 503 "no readiness checks configured". */
  readiness?: ReadinessProbe;
}

export interface MetricsServer {
  close(): Promise<void>;
  /** The port actually bound (useful with port 0); 0 when the endpoint is off. */
  port: number;
}

/** 'host:port' → parts; the last colon separates them so the schema's form is all that is needed. */
export function parseBind(bind: string): { host: string; port: number } {
  const i = bind.lastIndexOf(':');
  const host = bind.slice(0, i);
  const port = Number(bind.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CallbackdError('METRICS_BIND_INVALID', `metrics.bind must be host:port or '', got '${bind}'`);
  }
  return { host, port };
}

export async function metricsPage(sources: RuntimeSources & { reports: Pick<ReportStore, 'statsInput'> }, now: number): Promise<string> {
  // since = 0: counters are all-time, Prometheus takes the differences itself.
  const [input, runtime] = await Promise.all([sources.reports.statsInput(now, 0), renderRuntimeMetrics(sources)]);
  return renderMetrics(computeStats(input)) + runtime.join('\n') + '\n';
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  if (opts.bind === '') {
    opts.log.info('metrics and health endpoints off (metrics.bind is empty)');
    return { port: 0, close: () => Promise.resolve() };
  }
  const { host, port } = parseBind(opts.bind);
  const clock = opts.clock ?? systemClock;
  const sources = { ...opts, build: opts.build ?? readBuildInfo() };
  const readiness = opts.readiness ?? NOT_WIRED;

  const metrics = (res: http.ServerResponse): void => {
    // Rendered before writeHead: a failed read must still be able to answer 500. Promise.resolve().then:
    // a source that throws synchronously becomes a failed scrape too.
    Promise.resolve()
      .then(() => metricsPage(sources, clock.now()))
      .then((body) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body))
      .catch((err: unknown) => {
        // A locked or broken database must not take the daemon down; Prometheus records the failed scrape.
        opts.log.error('metrics scrape failed', { error: err instanceof Error ? err.message : String(err) });
        res.writeHead(500, { 'content-type': TEXT_TYPE }).end('metrics unavailable\n');
      });
  };
  const ready = (res: http.ServerResponse): void => {
    // Promise.resolve().then: a probe that throws synchronously must become a 503, not an uncaught error.
    Promise.resolve()
      .then(readiness)
      .then((r) => res.writeHead(r.ready ? 200 : 503, { 'content-type': JSON_TYPE }).end(JSON.stringify(r) + '\n'))
      .catch((err: unknown) => {
        const detail = err instanceof Error ? err.message : String(err);
        res
          .writeHead(503, { 'content-type': JSON_TYPE })
          .end(JSON.stringify({ ready: false, checks: { readiness: { ok: false, detail } } }) + '\n');
      });
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') return metrics(res);
    // Liveness: answering at all proves the event loop runs; nothing else is checked on purpose, so a
    // down Asterisk never gets the daemon restarted by its orchestrator.
    if (req.method === 'GET' && path === '/healthz') return void res.writeHead(200, { 'content-type': JSON_TYPE }).end('{"status":"ok"}\n');
    if (req.method === 'GET' && path === '/readyz') return ready(res);
    res.writeHead(404, { 'content-type': TEXT_TYPE }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new CallbackdError('METRICS_LISTEN_FAILED', `cannot serve metrics on ${opts.bind}: ${err.code ?? err.message}`, { cause: err }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After start-up a server error (e.g. EMFILE) is logged; it must never become an uncaught exception.
  server.on('error', (err) => opts.log.error('metrics server error', { error: err.message }));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  opts.log.info('metrics endpoint listening', { url: `${base}/metrics`, health: `${base}/healthz`, readiness: `${base}/readyz` });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        // Scrapers keep connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
