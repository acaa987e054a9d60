// The Prometheus endpoint: GET /metrics on metrics.bind (loopback by default; '' = off). Figures are
// read from SQLite on every scrape rather than kept in memory, so they survive restarts and agree with
// `callbackd stats`, whichever process wrote the rows.
import http from 'node:http';
import type { Clock } from '../app/ports';
import { systemClock } from '../app/ports';
import { computeStats } from '../domain/stats';
import { CallbackdError } from '../errors';
import type { Logger } from '../log';
import type { ReportsRepo } from '../store/reports-repo';
import { CONTENT_TYPE, renderMetrics } from './prometheus';

export interface MetricsServerOptions {
  /** host:port as validated by the config schema; '' turns the endpoint off. */
  bind: string;
  reports: Pick<ReportsRepo, 'statsInput'>;
  log: Logger;
  clock?: Clock;
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

export function metricsPage(reports: Pick<ReportsRepo, 'statsInput'>, now: number): string {
  // since = 0: counters are all-time, Prometheus takes the differences itself.
  return renderMetrics(computeStats(reports.statsInput(now, 0)));
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  if (opts.bind === '') {
    opts.log.info('metrics endpoint off (metrics.bind is empty)');
    return { port: 0, close: () => Promise.resolve() };
  }
  const { host, port } = parseBind(opts.bind);
  const clock = opts.clock ?? systemClock;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    try {
      const body = metricsPage(opts.reports, clock.now());
      res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body);
    } catch (err) {
      // A locked or broken database must not take the daemon down; Prometheus records the failed scrape.
      opts.log.error('metrics scrape failed', { error: (err as Error).message });
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
    }
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
  opts.log.info('metrics endpoint listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics` });
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
