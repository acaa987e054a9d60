// Helpers for the deploy tests: where the repo is, where the build puts the CLI entry point, and a
// reader for the Dockerfile's instructions.
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..', '..');

export function readRepoFile(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** The compiled CLI, relative to the package root, as tsconfig.build.json lays it out (rootDir → outDir),
 *  e.g. 'dist/cli/index.js'. Derived rather than hard-coded, so a changed build layout fails here. */
export function compiledEntry(): string {
  const cfg = JSON.parse(readRepoFile('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
  const source = 'src/cli/index.ts';
  if (!fs.existsSync(path.join(ROOT, source))) throw new Error(`${source} is missing`);
  const rel = path.relative(cfg.compilerOptions.rootDir, source).replace(/\.ts$/, '.js');
  return path.posix.join(cfg.compilerOptions.outDir, rel.split(path.sep).join('/'));
}

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  op: string;
  args: string;
  /** Index of the build stage (0 = first FROM). */
  stage: number;
}

/** Dockerfile → instructions, with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment lines inside a continued instruction
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s+(.*)$/.exec(full);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2].trim(), stage });
  }
  return out;
}

/** ENV lines (`A=1 B=2` form) of one stage → object. */
export function envOf(instructions: Instruction[], stage: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructions.filter((x) => x.op === 'ENV' && x.stage === stage)) {
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
