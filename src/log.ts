// winston: readable lines in a terminal, JSON otherwise (journald, Docker, log shippers).
// Call-related lines always carry callId and channelId; use callLogger() for them.
import winston from 'winston';
import { escapeControls, escapeDeep, escapeForJson } from './log-escape';

export type Logger = winston.Logger;

/** Escapes caller-controlled text in the message and every field (see log-escape.ts). */
const escaped = (escape: (s: string) => string) =>
  winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === 'level') continue; // ours, and colorize adds its own codes to it afterwards
      info[key] = escapeDeep(info[key], escape);
    }
    return info;
  })();

/** The line format: readable text for a terminal, JSON otherwise — both free of raw control characters. */
export function logFormat(pretty: boolean): winston.Logform.Format {
  return pretty
    ? winston.format.combine(
        escaped(escapeControls),
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, ...meta }) => {
          const rest = Object.entries(meta)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${level} ${String(message)}${rest ? ' ' + rest : ''}`;
        }),
      )
    : winston.format.combine(escaped(escapeForJson), winston.format.timestamp(), winston.format.json());
}

export function createLogger(opts: { level: string; format: 'auto' | 'json' | 'pretty' }): Logger {
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && process.stdout.isTTY === true);
  return winston.createLogger({
    level: opts.level,
    format: logFormat(pretty),
    // Logs go to stderr so stdout stays free for CLI output that scripts parse.
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

export function callLogger(log: Logger, callId: string, channelId: string): Logger {
  return log.child({ callId, channelId });
}

/** A logger that drops everything, for unit tests and CLI commands that must print nothing extra. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
