// `callbackd start`: config → logger → daemon; SIGTERM/SIGINT shut down cleanly.
import { readConfig } from './config/load';
import { routeCronLogs } from './cron-logger';
import { Daemon } from './daemon';
import { createLogger } from './log';

export async function runDaemon(opts: { config?: string; db?: string }): Promise<void> {
  const { config, ignoredEnv } = readConfig({ file: opts.config });
  if (opts.db) config.db.path = opts.db;
  const log = createLogger(config.log);
  routeCronLogs(log); // node-cron's own warnings (missed runs, failed tasks) into our log, not the console
  if (ignoredEnv.length > 0) log.debug('ignored Kubernetes service link variables', { variables: ignoredEnv.join(' ') });
  // Last line of defence: the daemon must not die on a stray async error from a library.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: String((reason as Error)?.stack ?? reason) }));
  const daemon = await Daemon.start({ config, log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    daemon
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error('shutdown failed', { error: (err as Error).message });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
