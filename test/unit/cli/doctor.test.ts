// `callbackd doctor` against a stand-in ARI (plain HTTP server answering the two requests doctor makes)
// and a temp database and sounds.dir; plus the pure greeting/prompt checks.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { checkGreetings, checkPrompts, type SoundFacts } from '../../../src/cli/doctor';
import { soundFiles } from '../../../src/cli/sounds';
import type { Greeting, NumberConfig } from '../../../src/domain/model';
import { PROMPT_IDS } from '../../../src/domain/prompts';
import { usePostgres } from '../store/postgres/pg-fixture';
import { makeCliEnv, wavBytes, type CliEnv } from './cli-env';

const number = (did: string, language: string | null, offer: string | null): NumberConfig => ({
  did,
  kind: 'voice',
  queue: 'support',
  callbackEnabled: true,
  callbackLanguage: language,
  callbackGreeting: offer,
  confirmationGreeting: null,
  outboundTrunk: null,
});
const greeting = (name: string, language: string): Greeting => ({
  name,
  kind: 'callback-offer',
  language,
  sound: `callbackd/custom/${language}/${name}`,
});

describe('cli/doctor checks', () => {
  const facts = (over: Partial<SoundFacts>): SoundFacts => ({
    numbers: [],
    greetings: [],
    installed: ['de', 'en'],
    defaultLanguage: 'en',
    soundState: () => 'ok',
    promptExists: () => true,
    ...over,
  });

  it('needs each used greeting in the language its number is played in', () => {
    const checks = checkGreetings(
      facts({
        numbers: [number('+4930123456', 'de', 'spring'), number('+4930123457', null, 'spring')],
        greetings: [greeting('spring', 'de')],
      }),
    );
    expect(checks.map((c) => [c.name, c.ok])).to.deep.equal([
      ['greeting spring (de) for +4930123456', true],
      ['greeting spring (en) for +4930123457', false],
    ]);
    expect(checks[1].detail).to.match(/no en recording/);
  });

  it('fails a greeting whose file is missing, also when no number uses it', () => {
    const checks = checkGreetings(facts({ greetings: [greeting('unused', 'en')], soundState: () => 'missing' }));
    expect(checks).to.deep.equal([
      { name: 'greeting unused (en)', ok: false, detail: 'sound file for callbackd/custom/en/unused is missing under sounds.dir' },
    ]);
  });

  it('checks the shipped prompts of every language in use and of the default language', () => {
    const checks = checkPrompts(
      facts({ numbers: [number('+4930123456', 'de', null)], promptExists: (lang, id) => lang === 'en' || id !== 'welcome' }),
    );
    expect(checks.map((c) => [c.name, c.ok, c.detail])).to.deep.equal([
      ['shipped prompts (de)', false, `1 of ${PROMPT_IDS.length} missing: welcome`],
      ['shipped prompts (en)', true, `${PROMPT_IDS.length} prompts present`],
    ]);
  });
});

describe('cli/doctor command', () => {
  let env: CliEnv;
  let ari: http.Server;
  let registered: boolean;
  let routed: boolean;
  const saved: Record<string, string | undefined> = {};
  const ARI_ENV = ['CALLBACKD_ARI_URL', 'CALLBACKD_ARI_USER', 'CALLBACKD_ARI_PASSWORD', 'CALLBACKD_ARI_APP'];

  beforeEach(async () => {
    // The environment would override the config file's ARI settings (e.g. set by the integration harness).
    for (const k of ARI_ENV) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    registered = true;
    routed = true;
    const auth = `Basic ${Buffer.from('callbackd:secret').toString('base64')}`;
    ari = http.createServer((req, res) => {
      if (req.headers.authorization !== auth) return void res.writeHead(401).end();
      if (req.url === '/ari/asterisk/info')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"system":{"version":"22.10.1"}}');
      if (req.url === '/ari/applications/callbackd' && registered) return void res.writeHead(200).end('{}');
      // The outbound route probe: a Local channel created in our app, DIALPLAN_EXISTS read on it, deleted.
      if (req.method === 'POST' && req.url?.startsWith('/ari/channels/create?')) return void res.writeHead(200).end('{}');
      if (req.method === 'DELETE' && req.url?.startsWith('/ari/channels/probe-')) return void res.writeHead(204).end();
      if (req.url?.includes('/variable?variable=DIALPLAN_EXISTS(callbackd-outbound%2C%2B4930123456%2C1)'))
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: routed ? '1' : '0' }));
      res.writeHead(404).end('{"message":"Application not found"}');
    });
    await new Promise<void>((resolve) => ari.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(ari.address() as AddressInfo).port}`;
    env = makeCliEnv({ ari: { url, user: 'callbackd', password: 'secret', app: 'callbackd' } });
    await env.run(['queues', 'add', 'support']);
    const rec = path.join(env.dir, 'rec.wav');
    fs.writeFileSync(rec, wavBytes(8000, 1));
    await env.run(['greetings', 'add', 'spring', '--kind', 'offer', '--language', 'de', '--file', rec]);
    await env.run([
      'numbers',
      'add',
      '+4930123456',
      '--queue',
      'support',
      '--callback',
      'on',
      '--language',
      'de',
      '--offer-greeting',
      'spring',
    ]);
  });
  afterEach(async () => {
    env.cleanup();
    ari.closeAllConnections();
    await new Promise((resolve) => ari.close(resolve));
    for (const k of ARI_ENV)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  it('prints one ok line per check and succeeds when everything is in place', async () => {
    const lines = (await env.run(['doctor'])).trim().split('\n');
    expect(lines.every((l) => l.startsWith('ok  '))).to.equal(true, lines.join('\n'));
    expect(lines[0]).to.match(/ARI reachable, credentials accepted: .* Asterisk 22.10.1/);
    expect(lines[1]).to.match(/application callbackd registered \(daemon connected\): yes/);
    expect(lines.slice(2).map((l) => l.split(':')[0])).to.deep.equal([
      `ok    database intact and writable (${env.db})`,
      'ok    outbound route of +4930123456',
      'ok    greeting spring (de) for +4930123456',
      'ok    shipped prompts (de)',
      'ok    shipped prompts (en)',
    ]);
  });

  it('fails with one FAIL line per problem: daemon not connected, no outbound route, greeting file gone, prompt missing', async () => {
    registered = false;
    routed = false;
    for (const file of soundFiles(path.join(env.soundsDir, 'custom', 'de', 'spring.wav'))) fs.rmSync(file, { force: true });
    fs.rmSync(path.join(env.soundsDir, 'de', 'offer.wav'));
    const { out, error } = await env.attempt(['doctor']);
    expect(error).to.include({ code: 'CLI_DOCTOR_FAILED', message: '4 of 7 checks failed' });
    expect(out.split('\n').filter((l) => l.startsWith('FAIL'))).to.deep.equal([
      "FAIL  application callbackd registered (daemon connected): Asterisk does not know 'callbackd': is callbackd start running and connected?",
      'FAIL  outbound route of +4930123456: dialplan context callbackd-outbound has no extension matching +4930123456',
      'FAIL  greeting spring (de) for +4930123456: sound file for callbackd/custom/de/spring is missing under sounds.dir',
      `FAIL  shipped prompts (de): 1 of ${PROMPT_IDS.length} missing: offer`,
    ]);
  });

  it('reports a database with damaged pages as a failed check, naming the fix', async () => {
    const bytes = fs.readFileSync(env.db);
    // Keep the header (page 1), damage the pages after it.
    bytes.fill(0x5a, 4096, Math.min(bytes.length, 4096 * 4));
    fs.writeFileSync(env.db, bytes);
    fs.rmSync(`${env.db}-wal`, { force: true });
    fs.rmSync(`${env.db}-shm`, { force: true });
    const { out, error } = await env.attempt(['doctor']);
    expect(error).to.include({ code: 'CLI_DOCTOR_FAILED' });
    expect(out).to.match(/^FAIL {2}database intact and writable \(.*\): STORE_CORRUPT: .*damaged.*restore it from a backup/m);
  });

  it('reports JSON checks, and a wrong password or an unreachable ARI as a failed check', async () => {
    const config = JSON.parse(fs.readFileSync(env.configFile, 'utf8'));
    fs.writeFileSync(env.configFile, JSON.stringify({ ...config, ari: { ...config.ari, password: 'wrong' } }));
    const { out, error } = await env.attempt(['doctor', '--json']);
    expect(error).to.include({ code: 'CLI_DOCTOR_FAILED' });
    const checks = JSON.parse(out);
    expect(checks[0]).to.include({ name: 'ARI reachable, credentials accepted', ok: false });
    expect(checks[0].detail).to.match(/^ARI_AUTH: .*rejected user 'callbackd'/);
    expect(checks[1]).to.include({ ok: false, detail: 'not checked: ARI not available' });
    expect(checks.slice(2).every((c: { ok: boolean }) => c.ok)).to.equal(true);

    // A port that was free a moment ago: nothing answers there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    fs.writeFileSync(env.configFile, JSON.stringify({ ...config, ari: { ...config.ari, url: `http://127.0.0.1:${freePort}` } }));
    const unreachable = await env.attempt(['doctor']);
    expect(unreachable.out).to.match(/^FAIL {2}ARI reachable, credentials accepted: ARI_UNREACHABLE/);
  });

  it('reports a missing database without creating it', async () => {
    const missing = path.join(env.dir, 'missing.db');
    const err = await env.fail(['--db', missing, 'doctor']);
    expect(err.code).to.equal('CLI_DOCTOR_FAILED');
    expect(fs.existsSync(missing)).to.equal(false);
  });

  describe('on PostgreSQL (db.url)', () => {
    const pg = usePostgres();
    const usePg = async () => {
      const config = JSON.parse(fs.readFileSync(env.configFile, 'utf8'));
      const url = pg.cluster().url(await pg.database());
      fs.writeFileSync(env.configFile, JSON.stringify({ ...config, db: { url, password: pg.cluster().password } }));
      return url;
    };

    it('checks the server through the store, not a SQLite file, and shows the URL without credentials', async () => {
      const url = await usePg();
      fs.rmSync(env.db, { force: true }); // no SQLite file to find: the check must not look for one
      const lines = (await env.run(['doctor'])).trim().split('\n');
      expect(lines.every((l) => l.startsWith('ok  '))).to.equal(true, lines.join('\n'));
      // Shown without the user (and a password, were there one in the URL).
      const shown = url.replace(`//${pg.cluster().user}@`, '//');
      expect(shown).to.match(/^postgres:\/\/127\.0\.0\.1:\d+\/\w+$/);
      expect(lines).to.include(`ok    database reachable and writable (${shown}): yes`);
      expect(fs.existsSync(env.db), 'no SQLite file created').to.equal(false);
    });

    it('fails the database check, and skips what needs it, while the server is down', async function () {
      this.timeout(20_000);
      await usePg();
      pg.cluster().pause();
      try {
        const { out, error } = await env.attempt(['doctor']);
        expect(error).to.include({ code: 'CLI_DOCTOR_FAILED' });
        expect(out).to.match(
          /^FAIL {2}database reachable and writable \(postgres:\/\/127\.0\.0\.1:\d+\/\w+\): .*is unreachable: connect ECONNREFUSED/m,
        );
        expect(out).to.match(/^FAIL {2}greetings and prompts: not checked: database not available$/m);
      } finally {
        pg.cluster().resume();
      }
    });
  });
});
