// node-cron 4 logs through its own logger: coloured lines on the console ("[NODE-CRON] [WARN] missed
// execution …", "Task failed with error!"), outside our JSON log and its levels. Its setLogger() swaps
// that logger for every task, including ones already scheduled; this adapter writes into winston.
import { setLogger, type Logger as CronLogger } from 'node-cron';
import type { Logger } from './log';

/** node-cron passes an Error as the message, or a message and an Error: one log line with `error`. */
function line(message: string | Error, err?: unknown): [string, Record<string, unknown>] {
  const cause = message instanceof Error ? message : err;
  const text = message instanceof Error ? message.message : message;
  if (cause === undefined || cause === null || cause === '') return [text, {}];
  return [
    text,
    { error: cause instanceof Error ? (cause.stack ?? cause.message) : typeof cause === 'string' ? cause : JSON.stringify(cause) },
  ];
}

/** node-cron's Logger interface, writing to `log` with component=node-cron. */
export function cronLogger(log: Logger): CronLogger {
  const child = log.child({ component: 'node-cron' });
  return {
    info: (message) => child.info(message),
    warn: (message) => child.warn(message),
    error: (message, err) => child.error(...line(message, err)),
    debug: (message, err) => child.debug(...line(message, err)),
  };
}

/**
 * Routes node-cron's own log lines into `log` (call once at start, before or after scheduling).
 * Returns a function that gives node-cron its console logger back (for tests).
 */
export function routeCronLogs(log: Logger): () => void {
  setLogger(cronLogger(log));
  // node-cron falls back to its default logger on undefined (`logger ?? defaultLogger`); its types omit it.
  return () => setLogger(undefined as unknown as CronLogger);
}
