// Issue 21 item 8: credentials in ari.url are refused at load and never quoted in any message.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { hideUrlCredentials } from '../../src/config/schema';
import { configError } from './config-helpers';

describe('config: ari.url credentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callbackd-ari-url-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const withCredentials: [string, string][] = [
    ['user and password', 'http://admin:hunter2-secret@pbx.example:8088'],
    ['a password only', 'https://:hunter2-secret@pbx.example:8089'],
    ['a user only', 'http://hunter2-secret@pbx.example:8088'],
    ['a path after the host', 'http://admin:hunter2-secret@pbx.example:8088/asterisk'],
  ];
  for (const [what, url] of withCredentials) {
    it(`refuses ${what} in the environment, naming the key and showing no credential`, () => {
      const err = configError(() => loadConfig({ env: { CALLBACKD_ARI_URL: url } }));
      expect(err.message).to.include("config key 'ari.url' must not contain credentials");
      expect(err.message).to.include('ari.user and ari.password');
      expect(err.message).not.to.include('hunter2');
      expect(err.message).not.to.include('pbx.example');
    });

    it(`refuses ${what} in the file`, () => {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ ari: { url } }));
      const err = configError(() => loadConfig({ file, env: {} }));
      expect(err.message).to.include("'ari.url'");
      expect(err.message).not.to.include('hunter2');
    });
  }

  it('a URL that is malformed AND carries credentials is refused without quoting them', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_ARI_URL: 'ftp://admin:hunter2-secret@pbx.example' } }));
    expect(err.message).to.include("config key 'ari.url' must be an http(s) URL");
    expect(err.message).to.include('"ftp://(hidden)@pbx.example"');
    expect(err.message).not.to.include('hunter2');
  });

  it('a malformed tickets.webhookUrl with credentials is not quoted either', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_TICKETS_WEBHOOK_URL: 'mailto://bob:hunter2-secret@example.org' } }));
    expect(err.message).to.include("'tickets.webhookUrl'");
    expect(err.message).not.to.include('hunter2');
  });

  it('a URL without credentials is accepted; an @ in the path is not taken for credentials', () => {
    expect(loadConfig({ env: { CALLBACKD_ARI_URL: 'http://pbx.example:8088' } }).ari.url).to.equal('http://pbx.example:8088');
    expect(loadConfig({ env: { CALLBACKD_ARI_URL: 'http://pbx.example:8088/a@b' } }).ari.url).to.equal('http://pbx.example:8088/a@b');
  });

  const hidden: [string, string][] = [
    ['http://u:p@h:1/x', 'http://(hidden)@h:1/x'],
    ['https://:p@h', 'https://(hidden)@h'],
    ['http://h/a@b', 'http://h/a@b'],
    ['http://h?q=a@b', 'http://h?q=a@b'],
    ['not a url', 'not a url'],
  ];
  for (const [raw, shown] of hidden) {
    it(`hideUrlCredentials(${JSON.stringify(raw)}) is ${JSON.stringify(shown)}`, () => {
      expect(hideUrlCredentials(raw)).to.equal(shown);
    });
  }
});
