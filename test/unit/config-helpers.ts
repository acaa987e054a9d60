// Shared by the config tests: the defaults as loadConfig returns them, and small helpers.
import { expect } from 'chai';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { CallbackdError } from '../../src/errors';

export const ROOT = resolve(__dirname, '../..');

export const DEFAULTS: Config = {
  ari: { url: 'http://127.0.0.1:8088', user: 'callbackd', password: 'callbackd-dev', app: 'callbackd', requestTimeoutMs: 5000 },
  // Relative defaults come back absolute: the database against the working directory, the shipped
  // prompts against the package (see config-paths.test.ts).
  db: { path: resolve('data/callbackd.db'), lockTimeoutSeconds: 60, url: '', password: '' },
  log: { level: 'info', format: 'auto' },
  ivr: {
    offerDelaySeconds: 30,
    offerIntervalSeconds: 60,
    menuTimeoutSeconds: 6,
    firstDigitTimeoutSeconds: 10,
    interDigitTimeoutSeconds: 5,
    maxEntryAttempts: 3,
  },
  callback: {
    expiryMinutes: 60,
    expirySweepCron: '* * * * *',
    maxAttempts: 1,
    retryDelaySeconds: 120,
    maxRequestsPerCallerPerHour: 5,
    maxWithheldRequestsPerDidPerHour: 20,
    customerRingSeconds: 30,
  },
  agents: { ringTimeoutSeconds: 20, wrapUpSeconds: 10, maxMissed: 3, declineCooldownSeconds: 60 },
  tickets: {
    webhookUrl: '',
    webhookAuthorization: '',
    webhookSecret: '',
    subjectTemplate: '{subject}',
    zendesk: { subdomain: '', email: '', apiToken: '', baseUrl: '' },
  },
  metrics: { bind: '127.0.0.1:9464' },
  language: { default: 'en' },
  sounds: { prefix: 'callbackd', dir: join(ROOT, 'sounds') },
};

/** The value of a dotted key at any depth, e.g. get(config, 'ivr.offerDelaySeconds'). */
export function get(config: object, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], config);
}

/** Runs fn, which must throw a CONFIG_INVALID ConfigError, and returns that error. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect(err).to.be.instanceOf(CallbackdError);
    expect((err as ConfigError).code).to.equal('CONFIG_INVALID');
    return err as ConfigError;
  }
  return expect.fail('expected loadConfig to throw');
}
