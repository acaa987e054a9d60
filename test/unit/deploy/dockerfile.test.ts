// The Docker image, checked without a Docker engine (none on these machines): what it copies exists
// and is in the build context, it runs the compiled entry point as `node` with /data owned by it, its
// environment is accepted by the config loader, and its HEALTHCHECK command really tells a ready
// daemon from an unready or absent one (run here against a real listener).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load';
import { silentLogger } from '../../../src/log';
import type { Readiness } from '../../../src/metrics/health';
import { startMetricsServer, type MetricsServer } from '../../../src/metrics/server';
import { compiledEntry, envOf, parseDockerfile, readRepoFile, ROOT, type Instruction } from './repo-files';

const instructions = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = Math.max(...instructions.map((i) => i.stage));
const inRuntime = (op: string): Instruction[] => instructions.filter((i) => i.op === op && i.stage === runtime);

/** .dockerignore semantics for plain patterns: root-relative globs (* ? **); a match on a directory
 *  excludes everything below it. */
function ignoredBy(patterns: string[], rel: string): string | undefined {
  const glob = (part: string) =>
    part
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
  const toRegex = (p: string) =>
    new RegExp(
      `^${p
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map(glob)
        .join('.*')}$`,
    );
  const parts = rel.split('/');
  for (const p of patterns) {
    const re = toRegex(p);
    for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return p;
  }
  return undefined;
}

function runHealthcheck(bind: string): Promise<number | null> {
  const hc = inRuntime('HEALTHCHECK')[0];
  const argv = JSON.parse(hc.args.slice(hc.args.indexOf('CMD ') + 4)) as string[];
  return new Promise((resolve, reject) => {
    // Async on purpose: the listener under test runs in this process and must keep answering.
    const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
      env: { PATH: process.env.PATH, CALLBACKD_METRICS_BIND: bind },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

describe('deploy/Dockerfile', () => {
  it('copies only paths that exist in the repo and are not excluded from the build context', () => {
    const patterns = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(
      patterns.filter((p) => p.startsWith('!')),
      'exceptions are not understood by this check',
    ).to.deep.equal([]);
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'sounds']);
    for (const src of sources) {
      expect(fs.existsSync(path.join(ROOT, src)), `${src} exists`).to.equal(true);
      // Every file the repo tracks below a copied path must reach the image, not only the path itself.
      const tracked = execFileSync('git', ['ls-files', '--', src], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(tracked, `${src} is tracked`).to.not.be.empty;
      for (const file of tracked) expect(ignoredBy(patterns, file), `${file} is in the build context`).to.equal(undefined);
    }
    // Local state must never be baked into the image (nor slow the build: .sandbox is ~500 MB).
    for (const local of ['.sandbox/rootfs', 'node_modules/x', 'dist/cli', 'data/callbackd.db', '.git/HEAD', 'sounds/custom/en/a.wav']) {
      expect(ignoredBy(patterns, local), local).to.be.a('string');
    }
  });

  it('builds in a first stage and runs the compiled CLI with plain node in a node:20-bookworm-slim runtime', () => {
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(froms).to.deep.equal(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    const build = instructions.filter((i) => i.op === 'RUN' && i.stage === 0).map((i) => i.args);
    expect(
      build.some((r) => /python3/.test(r) && /g\+\+/.test(r)),
      'toolchain for better-sqlite3',
    ).to.equal(true);
    expect(build.some((r) => /npm ci\b/.test(r))).to.equal(true);
    const entry = `/app/${compiledEntry()}`;
    const compile = build.find((r) => r.includes('npm run build'));
    expect(compile).to.match(/npm prune --omit=dev/);
    expect(compile).to.contain(`node ${compiledEntry()} --help`);
    expect(JSON.parse(inRuntime('ENTRYPOINT')[0].args)).to.deep.equal(['node', entry]);
    expect(JSON.parse(inRuntime('CMD')[0].args)).to.deep.equal(['start']);
    expect(
      inRuntime('RUN').some((r) => r.args.includes(`exec node ${entry}`)),
      'callbackd on PATH for docker exec',
    ).to.equal(true);
    expect(
      inRuntime('RUN').some((r) => /apt-get install .*\bsox\b/.test(r.args)),
      'sox for greetings add',
    ).to.equal(true);
    const copiedFromBuild = instructions.filter((i) => i.stage === runtime && i.op === 'COPY' && i.args.startsWith('--from=build'));
    expect(copiedFromBuild.map((i) => i.args)).to.deep.equal([
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
  });

  it('runs as node with /data owned by node before VOLUME, so a fresh named volume can hold the database', () => {
    const runtimeOps = instructions.filter((i) => i.stage === runtime);
    const chown = runtimeOps.findIndex((i) => i.op === 'RUN' && /chown node:node \/data\b/.test(i.args));
    const volume = runtimeOps.findIndex((i) => i.op === 'VOLUME' && i.args === '/data');
    const user = runtimeOps.findIndex((i) => i.op === 'USER');
    expect(chown, 'chown /data').to.be.greaterThan(-1);
    expect(volume, 'VOLUME after the chown (later changes to a volume path are discarded)').to.be.greaterThan(chown);
    expect(runtimeOps[user].args).to.equal('node');
    expect(user).to.be.greaterThan(chown);
    expect(inRuntime('STOPSIGNAL')[0].args).to.equal('SIGTERM');
  });

  it('sets an environment the config loader accepts: DB in /data, metrics on all interfaces on the EXPOSEd port', () => {
    const env = envOf(instructions, runtime);
    expect(env.CALLBACKD_DB_PATH).to.equal('/data/callbackd.db');
    const config = loadConfig({ env: { ...env, CALLBACKD_ARI_URL: 'http://asterisk:8088', CALLBACKD_ARI_PASSWORD: 'secret' } });
    expect(config.db.path).to.equal('/data/callbackd.db');
    expect(config.metrics.bind).to.equal('0.0.0.0:9464');
    expect(inRuntime('EXPOSE').map((i) => i.args)).to.deep.equal(['9464']);
  });

  describe('HEALTHCHECK command', () => {
    let server: MetricsServer | undefined;
    let readiness: Readiness;

    beforeEach(async () => {
      readiness = { ready: true, checks: { ari: { ok: true }, db: { ok: true } } };
      server = await startMetricsServer({
        bind: '127.0.0.1:0',
        reports: {
          statsInput: () =>
            Promise.resolve({ now: 0, since: 0, queues: [], open: [], requested: [], openAtStart: [], waits: [], closed: [] }),
        },
        log: silentLogger(),
        readiness: () => Promise.resolve(readiness),
      });
    });
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('exits 0 when /readyz answers 200, 1 on 503, and 1 when nothing listens', async () => {
      const bind = `0.0.0.0:${server!.port}`;
      expect(await runHealthcheck(bind)).to.equal(0);
      readiness = { ready: false, checks: { ari: { ok: false, detail: 'ARI event socket is down' } } };
      expect(await runHealthcheck(bind)).to.equal(1);
      const port = server!.port;
      await server!.close();
      server = undefined;
      expect(await runHealthcheck(`0.0.0.0:${port}`)).to.equal(1);
    });
  });
});
