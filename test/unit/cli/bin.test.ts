// The real executable, spawned: what a sysadmin's shell and scripts see (exit codes, stdout vs stderr).
// Slower than the in-process tests (each spawn loads tsx), so only the process-level contract is here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { makeCliEnv, type CliEnv } from './cli-env';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/callbackd');

/** The environment without CALLBACKD_* variables of whoever runs the tests (their sandbox, their ARI). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CALLBACKD_')));
  return { ...env, ...extra };
}

/** Spawns bin/callbackd with exactly these arguments. */
function spawnBin(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cleanEnv(opts.env), cwd: opts.cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split('\n').filter((l) => l !== '') };
}

describe('bin/callbackd (spawned)', function () {
  this.timeout(20_000);
  let env: CliEnv;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', env.configFile, '--db', env.db, ...args], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeEach(() => {
    env = makeCliEnv();
  });
  afterEach(() => env.cleanup());

  it('exits 1 with exactly one readable line on stderr when a command is refused', () => {
    expect(cli('queues', 'add', 'support').status).to.equal(0);
    const r = cli('numbers', 'add', '+4930123456', '--queue', 'support', '--kind', 'digital', '--callback', 'on');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr.split('\n').filter((l) => l !== '')).to.deep.equal([
      'callbackd: CLI_CALLBACK_ON_DIGITAL: number +4930123456 is digital (messaging): callbacks are only possible on voice numbers; use --callback off or --kind voice',
    ]);
  });

  it('adds a number that numbers list --json then shows, with nothing on stderr', () => {
    expect(cli('queues', 'add', 'support').status).to.equal(0);
    const add = cli('numbers', 'add', '+4930123456', '--queue', 'support', '--callback', 'on', '--language', 'en');
    expect(add).to.include({ status: 0, stderr: '' });
    const list = cli('numbers', 'list', '--json');
    expect(list).to.include({ status: 0, stderr: '' });
    expect(JSON.parse(list.stdout)).to.deep.equal([
      {
        did: '+4930123456',
        kind: 'voice',
        queue: 'support',
        callbackEnabled: true,
        callbackLanguage: 'en',
        callbackGreeting: null,
        confirmationGreeting: null,
        outboundTrunk: null,
        allowedCountries: null,
        outboundCallerId: null,
      },
    ]);
  });

  it('exits 2 on a usage error (unknown option) as commander reports it', () => {
    const r = cli('numbers', 'list', '--bogus');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/unknown option '--bogus'/);
  });

  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(spawnBin(['--version'])).to.include({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  describe('configuration errors exit 78 (EX_CONFIG) with one line, for start and every command', () => {
    const commands = [['start'], ['queues', 'list'], ['numbers', 'add', '+4930123456', '--queue', 'support']];

    for (const command of commands) {
      it(`callbackd ${command.join(' ')} with an unknown CALLBACKD_ variable names it`, () => {
        const r = spawnBin(['--db', env.db, ...command], { env: { CALLBACKD_IVR_OFER_DELAY_SECONDS: '5' } });
        expect(r.status).to.equal(78);
        expect(r.stdout).to.equal('');
        expect(r.lines).to.deep.equal(['callbackd: CONFIG_INVALID: unknown config environment variable CALLBACKD_IVR_OFER_DELAY_SECONDS']);
      });
    }

    it('a value out of range', () => {
      const r = spawnBin(['start'], { env: { CALLBACKD_IVR_OFFER_DELAY_SECONDS: '1e23' } });
      expect(r.status).to.equal(78);
      expect(r.lines).to.deep.equal([
        `callbackd: CONFIG_INVALID: config key 'ivr.offerDelaySeconds' must be a number of seconds from 0 to 3600, got "1e23" from environment variable CALLBACKD_IVR_OFFER_DELAY_SECONDS`,
      ]);
    });

    it('credentials in ari.url, without echoing them (issue 21)', () => {
      const r = spawnBin(['start'], { env: { CALLBACKD_ARI_URL: 'http://admin:hunter2-secret@127.0.0.1:8088' } });
      expect(r.status).to.equal(78);
      expect(r.lines).to.deep.equal([
        "callbackd: CONFIG_INVALID: config key 'ari.url' must not contain credentials (user:password@); put them in ari.user and ari.password",
      ]);
      expect(r.stdout + r.stderr).not.to.include('hunter2');
    });

    it('an unknown key in the config file', () => {
      fs.writeFileSync(env.configFile, JSON.stringify({ ivr: { offerDelaySecs: 5 } }));
      const r = spawnBin(['--config', env.configFile, 'start']);
      expect(r.status).to.equal(78);
      expect(r.lines).to.deep.equal([
        `callbackd: CONFIG_INVALID: unknown config key 'ivr.offerDelaySecs' in config file ${env.configFile}`,
      ]);
    });

    it('a config file that is not JSON', () => {
      fs.writeFileSync(env.configFile, '{ "ari": ');
      const r = spawnBin(['--config', env.configFile, '--db', env.db, 'queues', 'list']);
      expect(r.status).to.equal(78);
      expect(r.lines).to.have.length(1);
      expect(r.lines[0]).to.match(/^callbackd: CONFIG_INVALID: config file .* is not valid JSON/);
    });

    it('a config file that cannot be read (named by CALLBACKD_CONFIG)', () => {
      const missing = path.join(env.dir, 'missing.json');
      const r = spawnBin(['start'], { env: { CALLBACKD_CONFIG: missing } });
      expect(r.status).to.equal(78);
      expect(r.lines).to.deep.equal([`callbackd: CONFIG_INVALID: cannot read config file ${missing}: ENOENT`]);
    });
  });

  it('runs normally beside the service link variables of a Kubernetes Service named callbackd', () => {
    const links = {
      CALLBACKD_SERVICE_HOST: '10.96.0.12',
      CALLBACKD_PORT: 'tcp://10.96.0.12:9464',
      CALLBACKD_PORT_9464_TCP_ADDR: '10.96.0.12',
    };
    const r = spawnBin(['--config', env.configFile, '--db', env.db, 'queues', 'add', 'support'], { env: links });
    expect(r).to.include({ status: 0, stderr: '' });
  });

  it('started from another folder without a config file, finds the shipped prompts', () => {
    const elsewhere = fs.mkdtempSync(path.join(env.dir, 'elsewhere-')); // no sounds/ here
    expect(spawnBin(['--db', env.db, 'queues', 'add', 'support'], { cwd: elsewhere }).status).to.equal(0);
    const r = spawnBin(['--db', env.db, 'numbers', 'add', '+4930123456', '--queue', 'support', '--callback', 'on', '--language', 'de'], {
      cwd: elsewhere,
      // No config file, so no ARI from it: keep the route check away from any real Asterisk on this machine.
      env: { CALLBACKD_ARI_URL: 'http://127.0.0.1:9' },
    });
    expect(r).to.include({ status: 0, stderr: '' });
  });
});
