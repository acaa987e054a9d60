// The tickets.* settings as loadConfig reads them: webhook credentials, the subject template and the
// Zendesk keys, which only work together.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config/load';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).code).to.equal('CONFIG_INVALID');
    return err as ConfigError;
  }
  return expect.fail('expected loadConfig to throw');
}

const ZENDESK_ENV = {
  CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN: 'acme',
  CALLBACKD_TICKETS_ZENDESK_EMAIL: 'callbackd@acme.example',
  CALLBACKD_TICKETS_ZENDESK_API_TOKEN: 'tok-123456',
};

describe('config: tickets settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callbackd-tickets-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (content: unknown): string => {
    const path = join(dir, 'callbackd.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('reads the three-level Zendesk keys from a nested file', () => {
    const path = file({
      tickets: {
        zendesk: { subdomain: 'acme', email: 'callbackd@acme.example', apiToken: 'tok-123456', baseUrl: 'http://127.0.0.1:9/' },
      },
    });
    expect(loadConfig({ file: path, env: {} }).tickets.zendesk).to.deep.equal({
      subdomain: 'acme',
      email: 'callbackd@acme.example',
      apiToken: 'tok-123456',
      baseUrl: 'http://127.0.0.1:9/',
    });
  });

  it('reads the Zendesk keys from the environment', () => {
    const config = loadConfig({ env: ZENDESK_ENV });
    expect(config.tickets.zendesk).to.deep.equal({
      subdomain: 'acme',
      email: 'callbackd@acme.example',
      apiToken: 'tok-123456',
      baseUrl: '',
    });
    expect(config.tickets.webhookUrl, 'other tickets keys keep their defaults').to.equal('');
  });

  it('refuses an unknown key inside tickets.zendesk by its full name', () => {
    const err = configError(() => loadConfig({ file: file({ tickets: { zendesk: { token: 'x' } } }), env: {} }));
    expect(err.message).to.include("'tickets.zendesk.token'");
  });

  it('refuses a webhook URL with credentials, pointing to tickets.webhookAuthorization and hiding the password', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_TICKETS_WEBHOOK_URL: 'https://ops:hunter2@desk.example/hook' } }));
    expect(err.message).to.include("'tickets.webhookUrl'");
    expect(err.message).to.include('tickets.webhookAuthorization');
    expect(err.message).not.to.include('hunter2');
  });

  it('accepts a webhook URL without credentials together with an authorization and a secret', () => {
    const config = loadConfig({
      env: {
        CALLBACKD_TICKETS_WEBHOOK_URL: 'https://desk.example/hook?source=callbackd',
        CALLBACKD_TICKETS_WEBHOOK_AUTHORIZATION: 'Bearer s3cr3t',
        CALLBACKD_TICKETS_WEBHOOK_SECRET: 'whsec',
      },
    });
    expect(config.tickets).to.include({
      webhookUrl: 'https://desk.example/hook?source=callbackd',
      webhookAuthorization: 'Bearer s3cr3t',
      webhookSecret: 'whsec',
    });
  });

  it('never shows a bad webhook secret or API token in the message', () => {
    const err = configError(() => loadConfig({ file: file({ tickets: { webhookSecret: 987654321 } }), env: {} }));
    expect(err.message).to.include("'tickets.webhookSecret'");
    expect(err.message).to.include('(hidden)');
    expect(err.message).not.to.include('987654321');
    const token = configError(() => loadConfig({ file: file({ tickets: { zendesk: { apiToken: ['tok-abc'] } } }), env: {} }));
    expect(token.message).to.include("'tickets.zendesk.apiToken'");
    expect(token.message).not.to.include('tok-abc');
  });

  it('names the Zendesk keys that are missing when only some are set', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN: 'acme' } }));
    expect(err.message).to.include('missing: tickets.zendesk.email, tickets.zendesk.apiToken');
    const noToken = configError(() => loadConfig({ env: { ...ZENDESK_ENV, CALLBACKD_TICKETS_ZENDESK_API_TOKEN: '' } }));
    expect(noToken.message).to.include('missing: tickets.zendesk.apiToken');
  });

  it('accepts tickets.zendesk.baseUrl instead of a subdomain', () => {
    const config = loadConfig({
      env: { ...ZENDESK_ENV, CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN: '', CALLBACKD_TICKETS_ZENDESK_BASE_URL: 'http://127.0.0.1:8123' },
    });
    expect(config.tickets.zendesk).to.include({ subdomain: '', baseUrl: 'http://127.0.0.1:8123' });
  });

  it('refuses a full host name as the Zendesk subdomain, saying what is meant', () => {
    const err = configError(() => loadConfig({ env: { ...ZENDESK_ENV, CALLBACKD_TICKETS_ZENDESK_SUBDOMAIN: 'acme.zendesk.com' } }));
    expect(err.message).to.include("'tickets.zendesk.subdomain'");
    expect(err.message).to.include("e.g. 'acme' for https://acme.zendesk.com");
  });

  it('refuses a Zendesk email that is not an address', () => {
    const err = configError(() => loadConfig({ env: { ...ZENDESK_ENV, CALLBACKD_TICKETS_ZENDESK_EMAIL: 'callbackd' } }));
    expect(err.message).to.include("'tickets.zendesk.email'");
  });

  it('refuses a subject template with an unknown placeholder, naming the key and the placeholder', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_TICKETS_SUBJECT_TEMPLATE: '{subject} {caller}' } }));
    expect(err.message).to.include("'tickets.subjectTemplate'");
    expect(err.message).to.include('{caller}');
  });
});
