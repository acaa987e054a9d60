// bin/callbackd decides what to run: an up-to-date dist/, else the sources through tsx, else a one-line
// refusal. Tested on a throw-away package tree holding a copy of the real launcher, whose dist/ and
// src/ entry points only say which of them ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '../../..');

describe('bin/callbackd launcher', function () {
  this.timeout(20_000);
  let pkg: string;
  const T = Date.now() / 1000 - 3600; // seconds, as utimes takes them

  const setTime = (p: string, t: number) => fs.utimesSync(p, t, t);
  const write = (rel: string, text: string, t: number) => {
    const p = path.join(pkg, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    setTime(p, t);
    return p;
  };
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(pkg, 'bin', 'callbackd'), ...args], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, lines: r.stderr.split('\n').filter((l) => l !== '') };
  };

  beforeEach(() => {
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-launcher-'));
    fs.mkdirSync(path.join(pkg, 'bin'));
    fs.copyFileSync(path.join(ROOT, 'bin', 'callbackd'), path.join(pkg, 'bin', 'callbackd'));
    write('package.json', '{"name": "callbackd"}', T);
    // Type annotations: only tsx can run this file.
    write(
      'src/cli/index.ts',
      "export function main(argv: string[]): void { process.stdout.write('src ' + argv.slice(2).join(' ')); }\n",
      T,
    );
    write('dist/cli/index.js', "exports.main = (argv) => process.stdout.write('dist ' + argv.slice(2).join(' '));\n", T + 10);
    write('dist/.build-stamp', '', T + 5);
    for (const dir of ['src/cli', 'src', 'dist/cli', 'dist']) setTime(path.join(pkg, dir), T);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  });
  afterEach(() => fs.rmSync(pkg, { recursive: true, force: true }));

  it('runs dist/ when its build stamp is newer than everything under src/, passing the arguments', () => {
    expect(run('queues', 'list')).to.deep.include({ status: 0, stdout: 'dist queues list' });
  });

  it('runs the sources through tsx when a source file changed after the build started', () => {
    setTime(path.join(pkg, 'src/cli/index.ts'), T + 6);
    expect(run('--version')).to.deep.include({ status: 0, stdout: 'src --version' });
  });

  it('runs the sources when a file was added or deleted under src/ after the build (its folder changed)', () => {
    setTime(path.join(pkg, 'src/cli'), T + 6);
    expect(run().stdout).to.equal('src ');
  });

  it('runs the sources when dist/ has no build stamp (not built by npm run build)', () => {
    fs.rmSync(path.join(pkg, 'dist/.build-stamp'));
    expect(run().stdout).to.equal('src ');
  });

  it('runs dist/ of an installed package (no src/) without a stamp and without tsx', () => {
    fs.rmSync(path.join(pkg, 'src'), { recursive: true });
    fs.rmSync(path.join(pkg, 'dist/.build-stamp'));
    fs.rmSync(path.join(pkg, 'node_modules'));
    expect(run('start')).to.deep.include({ status: 0, stdout: 'dist start' });
  });

  it('refuses a stale dist/ without tsx with one line and exit 78, instead of running old code', () => {
    fs.rmSync(path.join(pkg, 'node_modules'));
    setTime(path.join(pkg, 'src/cli/index.ts'), T + 6);
    const r = run('start');
    expect(r).to.deep.include({ status: 78, stdout: '' });
    expect(r.lines).to.deep.equal([`callbackd: NOT_BUILT: dist/ is older than src/ and tsx is not installed; run npm run build in ${pkg}`]);
  });

  it('refuses a missing dist/ without tsx with one line and exit 78', () => {
    fs.rmSync(path.join(pkg, 'node_modules'));
    fs.rmSync(path.join(pkg, 'dist'), { recursive: true });
    const r = run('start');
    expect(r.status).to.equal(78);
    expect(r.lines).to.deep.equal([`callbackd: NOT_BUILT: dist/ is missing and tsx is not installed; run npm run build in ${pkg}`]);
  });
});
