import { validate as validateCron } from 'node-cron';
import { boundDuration, checkRange, describeRange, type DurationUnit, type Range } from '../domain/durations';
import { subjectTemplateProblem } from '../domain/ticket-text';

// Every setting the daemon knows, with its default and how to validate it. A key not listed here is a
// typo and is refused by name, so a misspelt setting never silently falls back to its default. The
// `Config` type is derived from this table, so a setting is declared exactly once.

/** A whole number in an inclusive range (attempts, limits). */
interface CountSetting extends Range {
  kind: 'count';
  integer: true;
  default: number;
}

/** A duration in the unit the key's name says (…Ms, …Seconds, …Minutes), in an inclusive range whose
 *  maximum fits a timer (checked by boundDuration). */
interface DurationSetting extends Range {
  kind: 'duration';
  unit: DurationUnit;
  default: number;
}

/** A file or folder. Relative values are resolved (see load.ts): from a config file against the
 *  file's folder, the default and values from the environment against the working directory. */
export interface PathSetting {
  kind: 'path';
  default: string;
  /** If set, an empty value is allowed and stands for this path inside the package (the folder with
   *  package.json), so a config file copied anywhere still finds what callbackd ships. */
  emptyInPackage?: string;
}

interface TextSetting {
  // optional-*: '' = not set (a feature stays off); secrets are never shown in error messages.
  // optional-db-url: '' or postgres(ql)://…; shown without its userinfo (it may carry a password).
  kind: 'string' | 'secret' | 'url' | 'optional-url' | 'optional-db-url' | 'bind' | 'cron' | 'optional-string' | 'optional-secret';
  default: string;
}

interface ChoiceSetting {
  kind: { oneOf: readonly string[] };
  default: string;
}

export type Setting = CountSetting | DurationSetting | PathSetting | TextSetting | ChoiceSetting;

export const SCHEMA = {
  'ari.url': { kind: 'url', default: 'http://127.0.0.1:8088' },
  'ari.user': { kind: 'string', default: 'callbackd' },
  // The sandbox's password; production sets its own via file or CALLBACKD_ARI_PASSWORD.
  'ari.password': { kind: 'secret', default: 'callbackd-dev' },
  'ari.app': { kind: 'string', default: 'callbackd' },
  'ari.requestTimeoutMs': { kind: 'duration', unit: 'ms', integer: true, min: 100, max: 60_000, default: 5000 },
  // ':memory:' is SQLite's in-memory database and is kept as it is.
  'db.path': { kind: 'path', default: 'data/callbackd.db' },
  // How long a write may wait for another process's lock (a CLI, a backup) before the call it belongs
  // to is told "sorry"; the event loop never waits, the write is retried on a timer meanwhile.
  'db.lockTimeoutSeconds': { kind: 'duration', unit: 's', min: 1, max: 3600, default: 60 },
  // Empty = the SQLite file db.path. postgres://user@host:port/database?sslmode=… = PostgreSQL (several
  // daemons may share it); TLS through the URL's sslmode parameters.
  'db.url': { kind: 'optional-db-url', default: '' },
  // PostgreSQL password when the URL has none; empty = PGPASSWORD or none (trust/peer/cert auth).
  'db.password': { kind: 'optional-secret', default: '' },
  'log.level': { kind: { oneOf: ['error', 'warn', 'info', 'debug'] }, default: 'info' },
  'log.format': { kind: { oneOf: ['auto', 'json', 'pretty'] }, default: 'auto' },
  'ivr.offerDelaySeconds': { kind: 'duration', unit: 's', min: 0, max: 3600, default: 30 },
  'ivr.offerIntervalSeconds': { kind: 'duration', unit: 's', min: 1, max: 3600, default: 60 },
  'ivr.menuTimeoutSeconds': { kind: 'duration', unit: 's', min: 1, max: 60, default: 6 },
  'ivr.firstDigitTimeoutSeconds': { kind: 'duration', unit: 's', min: 1, max: 60, default: 10 },
  'ivr.interDigitTimeoutSeconds': { kind: 'duration', unit: 's', min: 1, max: 60, default: 5 },
  'ivr.maxEntryAttempts': { kind: 'count', integer: true, min: 1, max: 10, default: 3 },
  'callback.expiryMinutes': { kind: 'duration', unit: 'min', min: 1, max: 10_080, default: 60 },
  // How often the expiry sweep runs (node-cron syntax; a 6-field form has seconds).
  'callback.expirySweepCron': { kind: 'cron', default: '* * * * *' },
  // Dial attempts of the customer per accepted callback (1 = no retry) and the pause between them.
  'callback.maxAttempts': { kind: 'count', integer: true, min: 1, max: 10, default: 1 },
  'callback.retryDelaySeconds': { kind: 'duration', unit: 's', min: 0, max: 3600, default: 120 },
  // Toll-fraud guard: callback requests one caller ID may make per hour.
  'callback.maxRequestsPerCallerPerHour': { kind: 'count', integer: true, min: 1, max: 1000, default: 5 },
  // Withheld callers cannot be told apart: they share one (higher) budget per DID.
  'callback.maxWithheldRequestsPerDidPerHour': { kind: 'count', integer: true, min: 1, max: 10_000, default: 20 },
  // How long the customer's phone rings before the attempt counts as not answered.
  'callback.customerRingSeconds': { kind: 'duration', unit: 's', min: 5, max: 300, default: 30 },
  'agents.ringTimeoutSeconds': { kind: 'duration', unit: 's', min: 1, max: 300, default: 20 },
  'agents.wrapUpSeconds': { kind: 'duration', unit: 's', min: 0, max: 3600, default: 10 },
  // Offers in a row an agent lets ring out before being logged out.
  'agents.maxMissed': { kind: 'count', integer: true, min: 1, max: 100, default: 3 },
  // After a decline, the same agent is not offered that callback again for this long.
  'agents.declineCooldownSeconds': { kind: 'duration', unit: 's', min: 0, max: 3600, default: 60 },
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
  // Where the daemon itself finds the prompts, to know which languages exist. Empty (the default) = the
  // prompts shipped in the package, wherever callbackd is started from and wherever its config lives.
  'sounds.dir': { kind: 'path', default: '', emptyInPackage: 'sounds' },
} as const satisfies Record<string, Setting>;

export type Schema = Record<string, Setting>;

/** The TypeScript type a setting's value has. */
type ValueOf<S> = S extends { kind: { oneOf: readonly (infer C)[] } } ? C : S extends { kind: 'count' | 'duration' } ? number : string;

/** 'ari.url' → 'ari'; 'url' → 'url'. */
type HeadOf<K extends string> = K extends `${infer H}.${string}` ? H : K;

/** Turns flat dotted keys into nested objects, at any depth: {'a.b.c': V} → { a: { b: { c: V } } }. */
type Nest<T extends Record<string, unknown>> = {
  [H in HeadOf<keyof T & string>]: H extends keyof T
    ? T[H]
    : Nest<{ [K in keyof T & string as K extends `${H}.${infer R}` ? R : never]: T[K] }>;
};

/** The loaded configuration of a schema, nested by the dots of its keys. */
export type ConfigOf<S extends Schema> = Nest<{ -readonly [K in keyof S & string]: ValueOf<S[K]> }>;

/** config.ari.url, config.ivr.offerDelaySeconds, … */
export type Config = ConfigOf<typeof SCHEMA>;

const UNIT_WORD: Record<DurationUnit, string> = { ms: 'milliseconds', s: 'seconds', min: 'minutes' };

/** The value `raw` (from a file or the environment) stands for, or null when it is not acceptable. */
export function checkValue(spec: Setting, raw: unknown): string | number | null {
  if (spec.kind === 'count' || spec.kind === 'duration') {
    if (typeof raw !== 'number' && (typeof raw !== 'string' || raw.trim() === '')) return null;
    const n = Number(raw);
    const r = spec.kind === 'duration' ? boundDuration(n, spec.unit, spec) : checkRange(n, spec);
    return r.ok ? r.value : null;
  }
  if ((spec.kind === 'optional-url' || spec.kind === 'optional-db-url' || spec.kind === 'bind') && raw === '') return '';
  if (spec.kind === 'path' && spec.emptyInPackage !== undefined && raw === '') return '';
  if ((spec.kind === 'optional-string' || spec.kind === 'optional-secret') && typeof raw === 'string') return raw;
  if (typeof raw !== 'string' || raw === '') return null;
  switch (spec.kind) {
    case 'optional-url':
      return /^https?:\/\/[^\s/]+/.test(raw) ? raw : null;
    case 'optional-db-url':
      return isPostgresUrl(raw) ? raw : null;
    case 'bind':
      return /^[^\s:]+:\d{1,5}$/.test(raw) && Number(raw.split(':').pop()) <= 65535 ? raw : null;
    case 'cron':
      return validateCron(raw) ? raw : null;
    case 'url':
      return /^https?:\/\/[^\s/]+/.test(raw) ? raw.replace(/\/+$/, '') : null;
    case 'string':
    case 'secret':
    case 'path':
    case 'optional-string':
    case 'optional-secret':
      return raw;
    default:
      return spec.kind.oneOf.includes(raw) ? raw : null;
  }
}

/** What a setting accepts, for the error message: "a number of seconds from 0 to 3600". */
export function expectation(spec: Setting): string {
  switch (spec.kind) {
    case 'count':
      return describeRange(spec);
    case 'duration':
      return describeRange(spec, UNIT_WORD[spec.unit]);
    case 'url':
      return 'an http(s) URL';
    case 'cron':
      return "a cron expression such as '* * * * *'";
    case 'optional-url':
      return "an http(s) URL or ''";
    case 'optional-db-url':
      return "a postgres://user@host:port/database URL or '' (SQLite)";
    case 'bind':
      return "host:port or ''";
    case 'path':
      return spec.emptyInPackage === undefined ? 'a non-empty path' : "a path or ''";
    case 'string':
    case 'secret':
      return 'a non-empty string';
    case 'optional-string':
    case 'optional-secret':
      return "a string ('' = not set)";
    default:
      return `one of ${spec.kind.oneOf.join(', ')}`;
  }
}

/** postgres:// or postgresql:// with a host (or a socket dir as ?host=) and a parseable rest. */
function isPostgresUrl(raw: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(raw)) return false;
  try {
    const u = new URL(raw);
    return u.hostname !== '' || u.searchParams.has('host');
  } catch {
    return false;
  }
}

/** A database URL as it may be shown (logs, errors, config dumps): without user and password. */
export function shownDbUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(hidden)';
  }
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
 * Checks that need more than one key: run once on the merged config. Returns one line naming the key,
 * or undefined. Values of secrets and URLs with credentials are never quoted.
 */
export function checkCombinations(config: Config): string | undefined {
  return checkAriUrl(config.ari.url) ?? checkTickets(config.tickets);
}

/** `raw` with any user:password@ replaced, for messages; works on strings URL() cannot parse too. */
export function hideUrlCredentials(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1(hidden)@');
}

// ari-client would send them in every request's URL and our own errors and logs quote ari.url; the
// credentials belong in ari.user / ari.password, which are never printed.
function checkAriUrl(url: string): string | undefined {
  if (!hasCredentials(url) && hideUrlCredentials(url) === url) return undefined;
  return "config key 'ari.url' must not contain credentials (user:password@); put them in ari.user and ari.password";
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
