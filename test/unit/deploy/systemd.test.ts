// deploy/systemd/callbackd.service, checked by systemd itself (systemd-analyze, offline; .ci/run
// installs the `systemd` package for it) and against the build layout and the config loader.
//
// `systemd-analyze verify` insists that ExecStart's program exists. The unit names /usr/bin/node
// (Debian's and NodeSource's nodejs); on a machine where node lives elsewhere the verified copy uses
// the node running this test instead, and nothing else in the unit is changed. The script argument is
// not checked by systemd, so the test checks it itself: it must be the build output of
// src/cli/index.ts under the install prefix.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load';
import { compiledEntry, readRepoFile, ROOT } from './repo-files';

const UNIT = 'deploy/systemd/callbackd.service';
const PREFIX = '/opt/callbackd';
const NODE = '/usr/bin/node';

/** [Service] (or another section) → key → values in order (a key may repeat). */
function section(text: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    if (current !== name) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

function analyze(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze not runnable (${r.error.message}); install the systemd package`);
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

/** Environment=A=1 lines → object. */
function environment(service: Map<string, string[]>): Record<string, string> {
  return Object.fromEntries((service.get('Environment') ?? []).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
}

/** The env file format used here: KEY=value or KEY='value', # comments. */
function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return out;
}

describe('deploy/systemd unit', () => {
  const text = readRepoFile(UNIT);
  const service = section(text, 'Service');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-systemd-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify without a single warning', () => {
    const node = fs.existsSync(NODE) ? NODE : process.execPath;
    const copy = path.join(dir, 'callbackd.service');
    fs.writeFileSync(copy, text.split(`ExecStart=${NODE} `).join(`ExecStart=${node} `));
    const r = analyze(['verify', copy]);
    expect(r.output).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('runs the compiled CLI under /opt/callbackd with plain node', () => {
    expect(service.get('ExecStart')).to.deep.equal([`${NODE} ${PREFIX}/${compiledEntry()} start`]);
  });

  it('is hardened: systemd-analyze security rates its exposure OK (at most 2.0 of 10)', () => {
    const r = analyze(['security', '--offline=yes', path.join(ROOT, UNIT)]);
    const level = /Overall exposure level for callbackd\.service: ([\d.]+)/.exec(r.output);
    expect(level, r.output.slice(-500)).to.not.equal(null);
    expect(Number(level![1])).to.be.at.most(2.0);
  });

  it('runs as its own user with its state directory, restarts on failure but not on a config error (78)', () => {
    const one = (key: string) => service.get(key)?.join(' ');
    expect(one('User')).to.equal('callbackd');
    expect(one('Group')).to.equal('callbackd');
    expect(one('StateDirectory')).to.equal('callbackd');
    expect(one('WorkingDirectory')).to.equal('/var/lib/callbackd');
    expect(one('Restart')).to.equal('on-failure');
    expect(one('RestartPreventExitStatus')).to.equal('78');
    expect(one('EnvironmentFile')).to.equal('/etc/callbackd/callbackd.env');
    expect(section(text, 'Unit').get('StartLimitIntervalSec')).to.deep.equal(['0']);
    expect(service.get('CapabilityBoundingSet')).to.deep.equal(['']);
    for (const [key, value] of Object.entries({
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      UMask: '0077',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
    })) {
      expect(one(key), key).to.equal(value);
    }
    expect(service.get('SystemCallFilter')).to.include('@system-service');
    // V8 probes pkey_alloc at start, outside @system-service: the default SIGSYS would kill node.
    expect(one('SystemCallErrorNumber')).to.equal('EPERM');
    // V8's JIT needs writable+executable memory.
    expect(service.has('MemoryDenyWriteExecute')).to.equal(false);
  });

  it('keeps the database in the state directory, and the config loader accepts its environment and the example env file', () => {
    const env = environment(service);
    expect(path.dirname(env.CALLBACKD_DB_PATH)).to.equal('/var/lib/callbackd');
    expect(env.CALLBACKD_SOUNDS_DIR).to.equal(`${PREFIX}/sounds`);
    const example = envFile(readRepoFile('deploy/systemd/callbackd.env.example'));
    expect(example).to.have.property('CALLBACKD_ARI_PASSWORD');
    const config = loadConfig({ env: { ...env, ...example } });
    expect(config.db.path).to.equal(env.CALLBACKD_DB_PATH);
    expect(config.ari.password).to.equal('change-me');
  });

  it('has an admin wrapper that runs the same entry point with the same database, as the service user', () => {
    const wrapper = readRepoFile('deploy/systemd/callbackd-admin');
    expect(spawnSync('sh', ['-n', path.join(ROOT, 'deploy/systemd/callbackd-admin')]).status, 'sh syntax').to.equal(0);
    const env = environment(service);
    expect(wrapper).to.contain(`. ${service.get('EnvironmentFile')![0]}\n`);
    expect(wrapper).to.contain(`export CALLBACKD_DB_PATH=${env.CALLBACKD_DB_PATH}\n`);
    expect(wrapper).to.contain(`export CALLBACKD_SOUNDS_DIR=${env.CALLBACKD_SOUNDS_DIR}\n`);
    expect(wrapper).to.contain(`exec runuser -u callbackd -- ${NODE} ${PREFIX}/${compiledEntry()} "$@"\n`);
    expect(fs.statSync(path.join(ROOT, 'deploy/systemd/callbackd-admin')).mode & 0o111).to.not.equal(0);
  });
});
