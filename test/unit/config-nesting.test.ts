// The Config type and the nested object are both derived from the flat schema keys, at any depth.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigOf } from '../../src/config/load';
import type { Config, ConfigOf, Schema } from '../../src/config/schema';
import { configError } from './config-helpers';

/** A schema of the shape other features add (tickets.zendesk.*), to test three levels of keys. */
const TEST_SCHEMA = {
  'tickets.webhookUrl': { kind: 'optional-url', default: '' },
  'tickets.zendesk.subdomain': { kind: 'string', default: 'acme' },
  'tickets.zendesk.apiToken': { kind: 'secret', default: 'placeholder-token' },
  'tickets.zendesk.timeoutMs': { kind: 'duration', unit: 'ms', integer: true, min: 100, max: 60_000, default: 5000 },
  'log.level': { kind: { oneOf: ['error', 'info'] }, default: 'info' },
} as const satisfies Schema;

/** Compile-time equality: the assignment below fails to type-check when the shapes differ. */
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('config nesting', () => {
  it('derives a nested type of any depth from the dotted keys', () => {
    const same: Equal<
      ConfigOf<typeof TEST_SCHEMA>,
      {
        tickets: { webhookUrl: string; zendesk: { subdomain: string; apiToken: string; timeoutMs: number } };
        log: { level: 'error' | 'info' };
      }
    > = true;
    expect(same).to.equal(true);
  });

  it("keeps the daemon's Config shape (the codebase reads config.ari.url, config.ivr.offerDelaySeconds, …)", () => {
    const log: Equal<Config['log'], { level: 'error' | 'warn' | 'info' | 'debug'; format: 'auto' | 'json' | 'pretty' }> = true;
    const ari: Equal<Config['ari'], { url: string; user: string; password: string; app: string; requestTimeoutMs: number }> = true;
    const groups: Equal<
      keyof Config,
      'ari' | 'db' | 'log' | 'ivr' | 'callback' | 'agents' | 'tickets' | 'metrics' | 'language' | 'sounds'
    > = true;
    expect([log, ari, groups]).to.deep.equal([true, true, true]);
  });

  it('nests three-level keys from the defaults', () => {
    expect(readConfigOf(TEST_SCHEMA, { env: {} }).config).to.deep.equal({
      tickets: { webhookUrl: '', zendesk: { subdomain: 'acme', apiToken: 'placeholder-token', timeoutMs: 5000 } },
      log: { level: 'info' },
    });
  });

  it('reads three-level keys from a nested file and from CALLBACKD_A_B_C variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbackd-nesting-'));
    try {
      const file = join(dir, 'callbackd.json');
      writeFileSync(file, JSON.stringify({ tickets: { zendesk: { subdomain: 'example', apiToken: 'from-file' } } }));
      const { config } = readConfigOf(TEST_SCHEMA, {
        file,
        env: { CALLBACKD_TICKETS_ZENDESK_API_TOKEN: 'from-env', CALLBACKD_TICKETS_ZENDESK_TIMEOUT_MS: '2000' },
      });
      expect(config.tickets.zendesk).to.deep.equal({ subdomain: 'example', apiToken: 'from-env', timeoutMs: 2000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a group of the third level given as a plain value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbackd-nesting-'));
    try {
      const file = join(dir, 'callbackd.json');
      writeFileSync(file, JSON.stringify({ tickets: { zendesk: 'acme' } }));
      expect(configError(() => readConfigOf(TEST_SCHEMA, { file, env: {} })).message).to.include("unknown config key 'tickets.zendesk'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown third-level key by its full name', () => {
    const err = configError(() => readConfigOf(TEST_SCHEMA, { env: { CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN: '' } }));
    expect(err.message).to.include("'tickets.zendesk.subdomain'");
    expect(err.message).to.include('CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN');
    const unknown = configError(() => readConfigOf(TEST_SCHEMA, { env: { CALLBACKD_TICKETS_ZENDESK_EMAIL: 'a@b.c' } }));
    expect(unknown.message).to.equal('unknown config environment variable CALLBACKD_TICKETS_ZENDESK_EMAIL');
  });

  it('hides a bad third-level secret', () => {
    const err = configError(() => readConfigOf(TEST_SCHEMA, { env: { CALLBACKD_TICKETS_ZENDESK_API_TOKEN: '' } }));
    expect(err.message).to.include('(hidden)');
  });
});
