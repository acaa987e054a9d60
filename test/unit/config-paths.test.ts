// Relative paths: from a config file against the file's folder, from the environment against the
// working directory, the shipped prompts against the package, wherever callbackd is started from.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { packageRoot, packageVersion } from '../../src/config/package';
import { ROOT } from './config-helpers';

describe('config paths', () => {
  let dir: string;
  let etc: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callbackd-paths-'));
    etc = join(dir, 'etc', 'callbackd');
    mkdirSync(etc, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: unknown) => {
    const file = join(etc, 'callbackd.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  };

  it("resolves relative db.path and sounds.dir from a config file against the file's folder", () => {
    const file = write({ db: { path: 'state/callbackd.db' }, sounds: { dir: '../../share/sounds' } });
    const config = loadConfig({ file, env: {}, cwd: '/' });
    expect(config.db.path).to.equal(join(etc, 'state', 'callbackd.db'));
    expect(config.sounds.dir).to.equal(join(dir, 'share', 'sounds'));
  });

  it('keeps absolute paths from a config file as they are', () => {
    const file = write({ db: { path: '/var/lib/callbackd/callbackd.db' }, sounds: { dir: '/usr/share/callbackd/sounds' } });
    const config = loadConfig({ file, env: {}, cwd: dir });
    expect(config.db.path).to.equal('/var/lib/callbackd/callbackd.db');
    expect(config.sounds.dir).to.equal('/usr/share/callbackd/sounds');
  });

  it('resolves relative paths from the environment against the working directory, even over a file', () => {
    const file = write({ db: { path: 'from-file.db' } });
    const config = loadConfig({ file, env: { CALLBACKD_DB_PATH: 'data/x.db', CALLBACKD_SOUNDS_DIR: 'prompts' }, cwd: '/srv/cb' });
    expect(config.db.path).to.equal('/srv/cb/data/x.db');
    expect(config.sounds.dir).to.equal('/srv/cb/prompts');
  });

  it('reads a relative config file name against the working directory', () => {
    write({ db: { path: 'x.db' } });
    expect(loadConfig({ file: 'etc/callbackd/callbackd.json', env: {}, cwd: dir }).db.path).to.equal(join(etc, 'x.db'));
  });

  it('finds the shipped prompts by default wherever it is started from', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.sounds.dir).to.equal(join(ROOT, 'sounds'));
    expect(existsSync(join(config.sounds.dir, 'en', 'welcome.wav'))).to.equal(true);
  });

  it('an empty sounds.dir in a file or the environment also means the shipped prompts', () => {
    expect(loadConfig({ file: write({ sounds: { dir: '' } }), env: {}, cwd: dir }).sounds.dir).to.equal(join(ROOT, 'sounds'));
    expect(loadConfig({ env: { CALLBACKD_SOUNDS_DIR: '' }, cwd: dir }).sounds.dir).to.equal(join(ROOT, 'sounds'));
  });

  it('puts the default database under the working directory', () => {
    expect(loadConfig({ env: {}, cwd: dir }).db.path).to.equal(join(dir, 'data', 'callbackd.db'));
  });

  it("keeps SQLite's :memory: database as it is, from a file and from the environment", () => {
    expect(loadConfig({ file: write({ db: { path: ':memory:' } }), env: {} }).db.path).to.equal(':memory:');
    expect(loadConfig({ env: { CALLBACKD_DB_PATH: ':memory:' } }).db.path).to.equal(':memory:');
  });

  it('knows the package folder and its version', () => {
    expect(packageRoot()).to.equal(ROOT);
    expect(packageVersion()).to.match(/^\d+\.\d+\.\d+/);
  });
});
