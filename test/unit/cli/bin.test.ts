// The real executable, spawned: what a sysadmin's shell and scripts see (exit codes, stdout vs stderr).
// Slower than the in-process tests (each spawn loads tsx), so only the process-level contract is here.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { makeCliEnv, type CliEnv } from './cli-env';

const BIN = path.resolve(__dirname, '../../../bin/callbackd');

describe('bin/callbackd (spawned)', function () {
  this.timeout(20_000);
  let env: CliEnv;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', env.configFile, '--db', env.db, ...args], { encoding: 'utf8' });
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
});
