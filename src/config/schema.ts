import { validate as validateCron } from 'node-cron';
import { subjectTemplateProblem } from '../domain/ticket-text';

// Every setting the daemon knows, with its default and how to validate it. A key not listed here is a
// typo and is refused by name, so a misspelt setting never silently falls back to its default.

export interface Config {
  ari: { url: string; user: string; password: string; app: string; requestTimeoutMs: number };
  db: { path: string };
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
  };
  agents: { ringTimeoutSeconds: number; wrapUpSeconds: number; maxMissed: number; declineCooldownSeconds: number };
  tickets: {
    webhookUrl: string;
    webhookAuthorization: string;
    webhookSecret: string;
    subjectTemplate: string;
    zendesk: {
      subdomain: string;
      email: string;
      apiToken: string;
      baseUrl: string;
    };
  };
  metrics: { bind: string };
  language: { default: string };
  sounds: { prefix: string; dir: string };
}

type Kind =
  | 'string'
  | 'secret'
  | 'url'
  | 'optional-url'
  | 'bind'
  | 'cron'
  | 'positive'
  | 'nonnegative'
  | 'integer'
  | { oneOf: readonly string[] }
  // '' = not set (a feature stays off); never shown in error messages.
  | 'optional-secret'
  // '' = not set.
  | 'optional-string';

export const SCHEMA: Record<string, { kind: Kind; default: string | number }> = {
  'ari.url': { kind: 'url', default: 'http://127.0.0.1:8088' },
  'ari.user': { kind: 'string', default: 'callbackd' },
  // The sandbox's password; production sets its own via file or CALLBACKD_ARI_PASSWORD.
  'ari.password': { kind: 'secret', default: 'callbackd-dev' },
  'ari.app': { kind: 'string', default: 'callbackd' },
  'ari.requestTimeoutMs': { kind: 'positive', default: 5000 },
  'db.path': { kind: 'string', default: 'data/callbackd.db' },
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
  'agents.ringTimeoutSeconds': { kind: 'positive', default: 20 },
  'agents.wrapUpSeconds': { kind: 'nonnegative', default: 10 },
  // Offers in a row an agent lets ring out before being logged out.
  'agents.maxMissed': { kind: 'integer', default: 3 },
  // After a decline, the same agent is not offered that callback again for this long.
  'agents.declineCooldownSeconds': { kind: 'nonnegative', default: 60 },
  // Empty = tickets stay in SQLite only; a URL = also POSTed there as JSON (with retries).
  'tickets.webhookUrl': { kind: 'optional-url', default: '' },
  // Sent as the Authorization header of every webhook POST, e.g. 'Bearer <token>' or 'Basic <base64>'.
  'tickets.webhookAuthorization': { kind: 'optional-secret', default: '' },
  // HMAC-SHA256 key: each POST carries Callbackd-Timestamp and Callbackd-Signature (README, Tickets).
  'tickets.webhookSecret': { kind: 'optional-secret', default: '' },
  // Subject of new tickets: {subject} is "Callback" in the number's language; also {number} {queue} {did}.
  'tickets.subjectTemplate': { kind: 'string', default: '{subject}' },
  // Zendesk delivery is on when these are set: https://<subdomain>.zendesk.com, an agent's email and
  // an API token (Admin Center > Apps and integrations > Zendesk API).
  'tickets.zendesk.subdomain': { kind: 'optional-string', default: '' },
  'tickets.zendesk.email': { kind: 'optional-string', default: '' },
  'tickets.zendesk.apiToken': { kind: 'optional-secret', default: '' },
  // Instead of https://<subdomain>.zendesk.com (a proxy, or a test server).
  'tickets.zendesk.baseUrl': { kind: 'optional-url', default: '' },
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
  if ((kind === 'optional-string' || kind === 'optional-secret') && typeof raw === 'string') return raw;
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
  if (kind === 'optional-string' || kind === 'optional-secret') return "a string ('' = not set)";
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

/**
 * Checks that need more than one key's kind: run once on the merged config. Returns one line naming
 * the key, or undefined. Values of secrets and URLs with credentials are never quoted.
 */
export function checkCombinations(config: Config): string | undefined {
  return checkTickets(config.tickets);
}

function hasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false; // the kind check already accepted it; URL() only refuses what fetch would too
  }
}

function checkTickets(t: Config['tickets']): string | undefined {
  // A user:pass@ URL would be sent without the credentials by fetch() and then fail forever.
  if (hasCredentials(t.webhookUrl)) {
    return "config key 'tickets.webhookUrl' must not contain credentials (user:password@); put them in tickets.webhookAuthorization, e.g. 'Basic <base64 of user:password>' or 'Bearer <token>'";
  }
  const subjectProblem = subjectTemplateProblem(t.subjectTemplate);
  if (subjectProblem) return `config key 'tickets.subjectTemplate' cannot be used: ${subjectProblem}`;
  const z = t.zendesk;
  if (z.subdomain === '' && z.email === '' && z.apiToken === '' && z.baseUrl === '') return undefined;
  const missing = [
    z.subdomain === '' && z.baseUrl === '' ? 'tickets.zendesk.subdomain' : undefined,
    z.email === '' ? 'tickets.zendesk.email' : undefined,
    z.apiToken === '' ? 'tickets.zendesk.apiToken' : undefined,
  ].filter((k) => k !== undefined);
  if (missing.length > 0) {
    return `Zendesk delivery needs tickets.zendesk.subdomain, tickets.zendesk.email and tickets.zendesk.apiToken; missing: ${missing.join(', ')}`;
  }
  if (z.subdomain !== '' && !/^[a-z0-9][a-z0-9-]*$/i.test(z.subdomain)) {
    return `config key 'tickets.zendesk.subdomain' must be the name before .zendesk.com (e.g. 'acme' for https://acme.zendesk.com), got ${JSON.stringify(z.subdomain)}`;
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(z.email)) {
    return "config key 'tickets.zendesk.email' must be the email address of the Zendesk agent the API token belongs to";
  }
  if (hasCredentials(z.baseUrl)) {
    return "config key 'tickets.zendesk.baseUrl' must not contain credentials; they come from tickets.zendesk.email and tickets.zendesk.apiToken";
  }
  return undefined;
}
