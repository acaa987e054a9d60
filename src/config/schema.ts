import { validate as validateCron } from 'node-cron';

// Every setting the daemon knows, with its default and how to validate it. A key not listed here is a
// typo and is refused by name, so a misspelt setting never silently falls back to its default.

export interface Config {
  ari: { url: string; user: string; password: string; app: string; requestTimeoutMs: number };
  db: { path: string; lockTimeoutSeconds: number };
  log: { level: 'error' | 'warn' | 'info' | 'debug'; format: 'auto' | 'json' | 'pretty' };
  ivr: {
    offerDelaySeconds: number;
    offerIntervalSeconds: number;
    menuTimeoutSeconds: number;
    firstDigitTimeoutSeconds: number;
    interDigitTimeoutSeconds: number;
    maxEntryAttempts: number;
  };
  callback: {
    expiryMinutes: number;
    expirySweepCron: string;
    maxAttempts: number;
    retryDelaySeconds: number;
    maxRequestsPerCallerPerHour: number;
    maxWithheldRequestsPerDidPerHour: number;
    customerRingSeconds: number;
  };
  agents: { ringTimeoutSeconds: number; wrapUpSeconds: number; maxMissed: number; declineCooldownSeconds: number };
  tickets: { webhookUrl: string };
  metrics: { bind: string };
  language: { default: string };
  sounds: { prefix: string; dir: string };
}

type Kind =
  'string' | 'secret' | 'url' | 'optional-url' | 'bind' | 'cron' | 'positive' | 'nonnegative' | 'integer' | { oneOf: readonly string[] };

export const SCHEMA: Record<string, { kind: Kind; default: string | number }> = {
  'ari.url': { kind: 'url', default: 'http://127.0.0.1:8088' },
  'ari.user': { kind: 'string', default: 'callbackd' },
  // The sandbox's password; production sets its own via file or CALLBACKD_ARI_PASSWORD.
  'ari.password': { kind: 'secret', default: 'callbackd-dev' },
  'ari.app': { kind: 'string', default: 'callbackd' },
  'ari.requestTimeoutMs': { kind: 'positive', default: 5000 },
  'db.path': { kind: 'string', default: 'data/callbackd.db' },
  // How long a write may wait for another process's lock (a CLI, a backup) before the call it belongs
  // to is told "sorry"; the event loop never waits, the write is retried on a timer meanwhile.
  'db.lockTimeoutSeconds': { kind: 'positive', default: 60 },
  'log.level': { kind: { oneOf: ['error', 'warn', 'info', 'debug'] }, default: 'info' },
  'log.format': { kind: { oneOf: ['auto', 'json', 'pretty'] }, default: 'auto' },
  'ivr.offerDelaySeconds': { kind: 'nonnegative', default: 30 },
  'ivr.offerIntervalSeconds': { kind: 'positive', default: 60 },
  'ivr.menuTimeoutSeconds': { kind: 'positive', default: 6 },
  'ivr.firstDigitTimeoutSeconds': { kind: 'positive', default: 10 },
  'ivr.interDigitTimeoutSeconds': { kind: 'positive', default: 5 },
  'ivr.maxEntryAttempts': { kind: 'integer', default: 3 },
  'callback.expiryMinutes': { kind: 'positive', default: 60 },
  // How often the expiry sweep runs (node-cron syntax; a 6-field form has seconds).
  'callback.expirySweepCron': { kind: 'cron', default: '* * * * *' },
  // Dial attempts of the customer per accepted callback (1 = no retry) and the pause between them.
  'callback.maxAttempts': { kind: 'integer', default: 1 },
  'callback.retryDelaySeconds': { kind: 'nonnegative', default: 120 },
  // Toll-fraud guard: callback requests one caller ID may make per hour.
  'callback.maxRequestsPerCallerPerHour': { kind: 'integer', default: 5 },
  // Withheld callers cannot be told apart: they share one (higher) budget per DID.
  'callback.maxWithheldRequestsPerDidPerHour': { kind: 'integer', default: 20 },
  // How long the customer's phone rings before the attempt counts as not answered.
  'callback.customerRingSeconds': { kind: 'positive', default: 30 },
  'agents.ringTimeoutSeconds': { kind: 'positive', default: 20 },
  'agents.wrapUpSeconds': { kind: 'nonnegative', default: 10 },
  // Offers in a row an agent lets ring out before being logged out.
  'agents.maxMissed': { kind: 'integer', default: 3 },
  // After a decline, the same agent is not offered that callback again for this long.
  'agents.declineCooldownSeconds': { kind: 'nonnegative', default: 60 },
  // Empty = tickets stay in SQLite only; a URL = also POSTed there as JSON (with retries).
  'tickets.webhookUrl': { kind: 'optional-url', default: '' },
  // host:port of the Prometheus /metrics endpoint; empty = off. Loopback unless you say otherwise.
  'metrics.bind': { kind: 'bind', default: '127.0.0.1:9464' },
  'language.default': { kind: 'string', default: 'en' },
  // Asterisk sound name prefix under which sounds/ is installed (sound:<prefix>/<lang>/<prompt>).
  'sounds.prefix': { kind: 'string', default: 'callbackd' },
  // Where the daemon itself finds the shipped prompts, to know which languages exist.
  'sounds.dir': { kind: 'string', default: 'sounds' },
};

export function checkValue(key: string, raw: unknown): string | number | null {
  const spec = SCHEMA[key];
  const kind = spec.kind;
  const asNumber = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (kind === 'positive') return Number.isFinite(asNumber) && asNumber > 0 ? asNumber : null;
  if (kind === 'nonnegative') return Number.isFinite(asNumber) && asNumber >= 0 ? asNumber : null;
  if (kind === 'integer') return Number.isInteger(asNumber) && asNumber > 0 ? asNumber : null;
  if ((kind === 'optional-url' || kind === 'bind') && raw === '') return '';
  if (typeof raw !== 'string' || raw === '') return null;
  if (kind === 'optional-url') return /^https?:\/\/[^\s/]+/.test(raw) ? raw : null;
  if (kind === 'bind') return /^[^\s:]+:\d{1,5}$/.test(raw) && Number(raw.split(':').pop()) <= 65535 ? raw : null;
  if (kind === 'cron') return validateCron(raw) ? raw : null;
  if (kind === 'url') return /^https?:\/\/[^\s/]+/.test(raw) ? raw.replace(/\/+$/, '') : null;
  if (typeof kind === 'object') return kind.oneOf.includes(raw) ? raw : null;
  return raw;
}

export function expectation(key: string): string {
  const kind = SCHEMA[key].kind;
  if (kind === 'positive') return 'a number > 0';
  if (kind === 'nonnegative') return 'a number >= 0';
  if (kind === 'integer') return 'a whole number > 0';
  if (kind === 'url') return 'an http(s) URL';
  if (kind === 'cron') return "a cron expression such as '* * * * *'";
  if (kind === 'optional-url') return "an http(s) URL or ''";
  if (kind === 'bind') return "host:port or ''";
  if (typeof kind === 'object') return `one of ${kind.oneOf.join(', ')}`;
  return 'a non-empty string';
}

/** ari.requestTimeoutMs → CALLBACKD_ARI_REQUEST_TIMEOUT_MS */
export function envName(key: string): string {
  return (
    'CALLBACKD_' +
    key
      .replace(/\./g, '_')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toUpperCase()
  );
}
