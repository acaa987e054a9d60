import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { envName, SCHEMA } from '../../src/config/schema';
import { configError, DEFAULTS, get } from './config-helpers';

describe('config/load', () => {
  let dir: string;
  let n = 0;

  /** Writes a config file with the given text (objects are JSON-encoded) and returns its path. */
  function file(content: unknown): string {
    const path = join(dir, `callbackd-${++n}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callbackd-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('layers', () => {
    it('gives the defaults when nothing is set', () => {
      expect(loadConfig({ env: {} })).to.deep.equal(DEFAULTS);
    });

    it('ignores environment variables that are not config keys', () => {
      expect(loadConfig({ env: { PATH: '/usr/bin', HOME: '/root', CALLBACKD: 'x' } })).to.deep.equal(DEFAULTS);
    });

    it('lets a nested JSON file override defaults and keeps the defaults for the rest', () => {
      const path = file({
        ari: { url: 'http://pbx.example:8088', password: 's3cret' },
        ivr: { offerDelaySeconds: 0, maxEntryAttempts: 5 },
        log: { level: 'debug' },
      });
      expect(loadConfig({ file: path, env: {} })).to.deep.equal({
        ...DEFAULTS,
        ari: { ...DEFAULTS.ari, url: 'http://pbx.example:8088', password: 's3cret' },
        ivr: { ...DEFAULTS.ivr, offerDelaySeconds: 0, maxEntryAttempts: 5 },
        log: { ...DEFAULTS.log, level: 'debug' },
      });
    });

    it('accepts an empty JSON object as a file (all defaults)', () => {
      expect(loadConfig({ file: file({}), env: {} })).to.deep.equal(DEFAULTS);
    });

    it('lets the environment override the file, key by key', () => {
      const path = file({ ivr: { offerDelaySeconds: 10, menuTimeoutSeconds: 8 }, ari: { user: 'from-file' } });
      const config = loadConfig({ file: path, env: { CALLBACKD_IVR_OFFER_DELAY_SECONDS: '45', CALLBACKD_ARI_USER: 'from-env' } });
      expect(config.ivr.offerDelaySeconds).to.equal(45);
      expect(config.ari.user).to.equal('from-env');
      expect(config.ivr.menuTimeoutSeconds).to.equal(8); // file value not touched by the environment
      expect(config.ivr.offerIntervalSeconds).to.equal(DEFAULTS.ivr.offerIntervalSeconds);
    });

    it('reads the file named by CALLBACKD_CONFIG when no file is passed', () => {
      const path = file({ db: { path: '/var/lib/callbackd/db.sqlite' } });
      expect(loadConfig({ env: { CALLBACKD_CONFIG: path } }).db.path).to.equal('/var/lib/callbackd/db.sqlite');
    });

    it('prefers the file passed in over CALLBACKD_CONFIG', () => {
      const passed = file({ db: { path: 'passed.db' } });
      const named = file({ db: { path: 'named.db' } });
      expect(loadConfig({ file: passed, env: { CALLBACKD_CONFIG: named } }).db.path).to.equal(join(dir, 'passed.db'));
    });
  });

  describe('environment variable names', () => {
    // [key, variable, value as set in the environment, value in the config]
    const cases: [string, string, string, string | number][] = [
      ['ari.url', 'CALLBACKD_ARI_URL', 'https://pbx.example:8089', 'https://pbx.example:8089'],
      ['ari.user', 'CALLBACKD_ARI_USER', 'ops', 'ops'],
      ['ari.password', 'CALLBACKD_ARI_PASSWORD', 'pw-from-env', 'pw-from-env'],
      ['ari.app', 'CALLBACKD_ARI_APP', 'cbd2', 'cbd2'],
      ['ari.requestTimeoutMs', 'CALLBACKD_ARI_REQUEST_TIMEOUT_MS', '2500', 2500],
      ['db.path', 'CALLBACKD_DB_PATH', '/tmp/x.db', '/tmp/x.db'],
      ['db.lockTimeoutSeconds', 'CALLBACKD_DB_LOCK_TIMEOUT_SECONDS', '45', 45],
      ['db.url', 'CALLBACKD_DB_URL', 'postgres://cb@db.example/callbackd', 'postgres://cb@db.example/callbackd'],
      ['db.password', 'CALLBACKD_DB_PASSWORD', 'pw', 'pw'],
      ['log.level', 'CALLBACKD_LOG_LEVEL', 'warn', 'warn'],
      ['log.format', 'CALLBACKD_LOG_FORMAT', 'json', 'json'],
      ['ivr.offerDelaySeconds', 'CALLBACKD_IVR_OFFER_DELAY_SECONDS', '12', 12],
      ['ivr.offerIntervalSeconds', 'CALLBACKD_IVR_OFFER_INTERVAL_SECONDS', '90', 90],
      ['ivr.menuTimeoutSeconds', 'CALLBACKD_IVR_MENU_TIMEOUT_SECONDS', '7.5', 7.5],
      ['ivr.firstDigitTimeoutSeconds', 'CALLBACKD_IVR_FIRST_DIGIT_TIMEOUT_SECONDS', '15', 15],
      ['ivr.interDigitTimeoutSeconds', 'CALLBACKD_IVR_INTER_DIGIT_TIMEOUT_SECONDS', '3', 3],
      ['ivr.maxEntryAttempts', 'CALLBACKD_IVR_MAX_ENTRY_ATTEMPTS', '4', 4],
      ['callback.expiryMinutes', 'CALLBACKD_CALLBACK_EXPIRY_MINUTES', '120', 120],
      ['callback.maxAttempts', 'CALLBACKD_CALLBACK_MAX_ATTEMPTS', '2', 2],
      ['callback.maxRequestsPerCallerPerHour', 'CALLBACKD_CALLBACK_MAX_REQUESTS_PER_CALLER_PER_HOUR', '2', 2],
      ['callback.maxWithheldRequestsPerDidPerHour', 'CALLBACKD_CALLBACK_MAX_WITHHELD_REQUESTS_PER_DID_PER_HOUR', '50', 50],
      ['callback.customerRingSeconds', 'CALLBACKD_CALLBACK_CUSTOMER_RING_SECONDS', '40', 40],
      ['callback.expirySweepCron', 'CALLBACKD_CALLBACK_EXPIRY_SWEEP_CRON', '*/5 * * * * *', '*/5 * * * * *'],
      ['callback.retryDelaySeconds', 'CALLBACKD_CALLBACK_RETRY_DELAY_SECONDS', '30', 30],
      ['agents.ringTimeoutSeconds', 'CALLBACKD_AGENTS_RING_TIMEOUT_SECONDS', '15', 15],
      ['agents.wrapUpSeconds', 'CALLBACKD_AGENTS_WRAP_UP_SECONDS', '0', 0],
      ['agents.maxMissed', 'CALLBACKD_AGENTS_MAX_MISSED', '5', 5],
      ['agents.declineCooldownSeconds', 'CALLBACKD_AGENTS_DECLINE_COOLDOWN_SECONDS', '90', 90],
      ['tickets.webhookUrl', 'CALLBACKD_TICKETS_WEBHOOK_URL', 'http://127.0.0.1:9000/tickets', 'http://127.0.0.1:9000/tickets'],
      ['tickets.webhookAuthorization', 'CALLBACKD_TICKETS_WEBHOOK_AUTHORIZATION', 'Bearer abc', 'Bearer abc'],
      ['tickets.webhookSecret', 'CALLBACKD_TICKETS_WEBHOOK_SECRET', 'whsec-1', 'whsec-1'],
      ['tickets.subjectTemplate', 'CALLBACKD_TICKETS_SUBJECT_TEMPLATE', '{subject} {number}', '{subject} {number}'],
      // Zendesk keys only work together (test/unit/tickets/tickets-config.test.ts sets them); here '' (off).
      ['tickets.zendesk.subdomain', 'CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN', '', ''],
      ['tickets.zendesk.email', 'CALLBACKD_TICKETS_ZENDESK_EMAIL', '', ''],
      ['tickets.zendesk.apiToken', 'CALLBACKD_TICKETS_ZENDESK_API_TOKEN', '', ''],
      ['tickets.zendesk.baseUrl', 'CALLBACKD_TICKETS_ZENDESK_BASE_URL', '', ''],
      ['metrics.bind', 'CALLBACKD_METRICS_BIND', '127.0.0.1:19464', '127.0.0.1:19464'],
      ['language.default', 'CALLBACKD_LANGUAGE_DEFAULT', 'de', 'de'],
      ['sounds.prefix', 'CALLBACKD_SOUNDS_PREFIX', 'cb', 'cb'],
      ['sounds.dir', 'CALLBACKD_SOUNDS_DIR', '/opt/sounds', '/opt/sounds'],
    ];

    for (const [key, variable, raw, value] of cases) {
      it(`${key} is set by ${variable}`, () => {
        expect(envName(key)).to.equal(variable);
        const config = loadConfig({ env: { [variable]: raw } });
        expect(get(config, key)).to.equal(value);
        // …and nothing else changed.
        for (const [other] of cases) if (other !== key) expect(get(config, other), other).to.deep.equal(get(DEFAULTS, other));
      });
    }

    it('the table above covers every key in the schema', () => {
      expect(cases.map(([key]) => key)).to.have.members(Object.keys(SCHEMA));
    });
  });

  describe('refusals', () => {
    it('refuses an unknown key in the file, naming the key and the file', () => {
      const path = file({ ivr: { offerDelaySecs: 5 } });
      const err = configError(() => loadConfig({ file: path, env: {} }));
      expect(err.message).to.include("'ivr.offerDelaySecs'");
      expect(err.message).to.include(path);
    });

    it('refuses an unknown top-level key in the file', () => {
      const path = file({ ari: { url: 'http://pbx:8088' }, verbose: true });
      const err = configError(() => loadConfig({ file: path, env: {} }));
      expect(err.message).to.include("'verbose'");
      expect(err.message).to.include(path);
    });

    it('refuses a group given as a plain value', () => {
      const path = file({ ivr: 30 });
      expect(configError(() => loadConfig({ file: path, env: {} })).message).to.include("'ivr'");
    });

    // [key, bad value in the file, what the message says is expected]
    const badInFile: [string, unknown, string][] = [
      ['ivr.menuTimeoutSeconds', 0, 'a number of seconds from 1 to 60'],
      ['ivr.offerDelaySeconds', -1, 'a number of seconds from 0 to 3600'],
      ['ivr.maxEntryAttempts', 2.5, 'a whole number from 1 to 10'],
      ['ari.requestTimeoutMs', 'soon', 'a whole number of milliseconds from 100 to 60000'],
      ['ari.url', 'pbx.example:8088', 'an http(s) URL'],
      ['ari.url', 'ftp://pbx.example', 'an http(s) URL'],
      ['log.level', 'verbose', 'one of error, warn, info, debug'],
      ['log.format', 'xml', 'one of auto, json, pretty'],
      ['ari.user', '', 'a non-empty string'],
      ['db.path', 42, 'a non-empty path'],
      ['language.default', null, 'a non-empty string'],
      ['ivr.offerIntervalSeconds', true, 'a number of seconds from 1 to 3600'],
      ['sounds.dir', ['sounds'], "a path or ''"],
      ['db.path', '', 'a non-empty path'],
    ];
    for (const [key, bad, expected] of badInFile) {
      it(`a bad ${key} in the file (${JSON.stringify(bad)}) names the key, the value and the file`, () => {
        const [group, name] = key.split('.');
        const path = file({ [group]: { [name]: bad } });
        const err = configError(() => loadConfig({ file: path, env: {} }));
        expect(err.message).to.include(`'${key}'`);
        expect(err.message).to.include(expected);
        expect(err.message).to.include(`config file ${path}`);
        expect(err.message).to.include(JSON.stringify(bad));
      });
    }

    // [key, bad value in the environment]
    const badInEnv: [string, string][] = [
      ['ivr.maxEntryAttempts', '2.5'],
      ['ivr.maxEntryAttempts', '0'],
      ['ivr.offerDelaySeconds', '-5'],
      ['ivr.menuTimeoutSeconds', 'six'],
      ['ivr.interDigitTimeoutSeconds', ''],
      ['ari.requestTimeoutMs', 'Infinity'],
      ['ari.url', 'localhost:8088'],
      ['log.level', 'INFO'],
      ['ari.user', ''],
    ];
    for (const [key, bad] of badInEnv) {
      it(`a bad ${key} in the environment (${JSON.stringify(bad)}) names the key and the variable`, () => {
        const err = configError(() => loadConfig({ env: { [envName(key)]: bad } }));
        expect(err.message).to.include(`'${key}'`);
        expect(err.message).to.include(`environment variable ${envName(key)}`);
        expect(err.message).to.include(JSON.stringify(bad));
      });
    }

    it('a bad environment value is refused even when the file had a good one', () => {
      const path = file({ ivr: { offerIntervalSeconds: 90 } });
      const err = configError(() => loadConfig({ file: path, env: { CALLBACKD_IVR_OFFER_INTERVAL_SECONDS: '0' } }));
      expect(err.message).to.include('environment variable CALLBACKD_IVR_OFFER_INTERVAL_SECONDS');
      expect(err.message).not.to.include(path);
    });

    const badPasswords: [string, unknown][] = [
      ['a number', 987654321],
      ['an array', ['hunter2-secret']],
      ['an object', { value: 'hunter2-secret' }],
      ['a boolean', true],
    ];
    for (const [what, bad] of badPasswords) {
      it(`a bad ari.password in the file (${what}) never appears in the message`, () => {
        const path = file({ ari: { password: bad } });
        const err = configError(() => loadConfig({ file: path, env: {} }));
        expect(err.message).to.include('ari.password');
        expect(err.message).to.include(path);
        expect(err.message).not.to.include('987654321');
        expect(err.message).not.to.include('hunter2');
      });
    }

    it('an empty ari.password in the environment is refused, naming the variable but showing no value', () => {
      const err = configError(() => loadConfig({ env: { CALLBACKD_ARI_PASSWORD: '' } }));
      expect(err.message).to.include("'ari.password'");
      expect(err.message).to.include('environment variable CALLBACKD_ARI_PASSWORD');
      expect(err.message).to.include('(hidden)');
      expect(err.message).not.to.include('""');
    });

    it('a file that is not JSON is CONFIG_INVALID and names the file', () => {
      const path = file('ivr:\n  offerDelaySeconds: 30\n');
      const err = configError(() => loadConfig({ file: path, env: {} }));
      expect(err.message).to.include(path);
      expect(err.message).to.include('not valid JSON');
    });

    it('a file that is not JSON never quotes its content (it may hold the ARI password)', () => {
      const path = file('{"ari": {"password": hunter2-secret}}');
      const err = configError(() => loadConfig({ file: path, env: {} }));
      expect(err.message).to.include('not valid JSON');
      expect(err.message).not.to.include('hunter2');
    });

    it('a misspelt CALLBACKD_ environment variable is refused by name', () => {
      const err = configError(() => loadConfig({ env: { CALLBACKD_IVR_OFER_DELAY_SECONDS: '5' } }));
      expect(err.message).to.include('CALLBACKD_IVR_OFER_DELAY_SECONDS');
    });

    for (const text of ['[1, 2]', 'null', '42', '"ari"']) {
      it(`a JSON file that is not an object (${text}) is CONFIG_INVALID`, () => {
        const path = file(text);
        const err = configError(() => loadConfig({ file: path, env: {} }));
        expect(err.message).to.include(path);
        expect(err.message).to.include('must hold a JSON object');
      });
    }

    it('a missing file is CONFIG_INVALID and names the file and the reason', () => {
      const path = join(dir, 'does-not-exist.json');
      const err = configError(() => loadConfig({ file: path, env: {} }));
      expect(err.message).to.include(`cannot read config file ${path}`);
      expect(err.message).to.include('ENOENT');
    });

    it('a missing file named by CALLBACKD_CONFIG is CONFIG_INVALID too', () => {
      const path = join(dir, 'nope.json');
      expect(configError(() => loadConfig({ env: { CALLBACKD_CONFIG: path } })).message).to.include(path);
    });
  });

  describe('values', () => {
    it('strips a trailing slash from ari.url in the file', () => {
      const path = file({ ari: { url: 'http://pbx.example:8088/' } });
      expect(loadConfig({ file: path, env: {} }).ari.url).to.equal('http://pbx.example:8088');
    });

    it('strips trailing slashes from ari.url in the environment, keeping a path', () => {
      expect(loadConfig({ env: { CALLBACKD_ARI_URL: 'https://pbx.example/asterisk//' } }).ari.url).to.equal('https://pbx.example/asterisk');
    });

    it('turns numbers from the environment into numbers', () => {
      const config = loadConfig({ env: { CALLBACKD_IVR_OFFER_DELAY_SECONDS: '0', CALLBACKD_CALLBACK_EXPIRY_MINUTES: '1.5' } });
      expect(config.ivr.offerDelaySeconds).to.equal(0);
      expect(config.callback.expiryMinutes).to.equal(1.5);
    });

    it('accepts numbers written as strings in the file', () => {
      expect(loadConfig({ file: file({ ivr: { offerIntervalSeconds: '45' } }), env: {} }).ivr.offerIntervalSeconds).to.equal(45);
    });
  });
});
