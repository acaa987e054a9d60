// The shape the design promises, checked on the source itself: no module imports itself back through
// others (type imports included: a cycle of types is still two concerns that cannot be read apart),
// and the layering that eslint also enforces (src/app on its ports only, src/domain pure).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]);
  return specs.map((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
    return base;
  });
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => i.startsWith(SRC))]));
const rel = (f: string) => path.relative(SRC, f);

describe('architecture', () => {
  it('has no import cycle in src/ (type imports included)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map(rel).join(' → '));
        return;
      }
      state.set(f, 'visiting');
      stack.push(f);
      for (const next of graph.get(f) ?? []) visit(next);
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) visit(f);
    expect(cycles).to.deep.equal([]);
  });

  it('src/app imports neither src/ari nor src/store (only its own ports)', () => {
    const bad = files
      .filter((f) => rel(f).startsWith(`app${path.sep}`))
      .flatMap((f) => (graph.get(f) ?? []).filter((i) => /^(ari|store)\//.test(rel(i))).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).to.deep.equal([]);
  });

  it('src/domain imports only src/domain', () => {
    const bad = files
      .filter((f) => rel(f).startsWith(`domain${path.sep}`))
      .flatMap((f) => (graph.get(f) ?? []).filter((i) => !rel(i).startsWith(`domain${path.sep}`)).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).to.deep.equal([]);
  });
});
