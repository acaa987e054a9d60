// The README's configuration table is what admins read: it must list every key with its true default
// and range, and nothing else.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA, type Setting } from '../../src/config/schema';
import { ROOT } from './config-helpers';

function configurationTable(): Map<string, string[]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-zA-Z.]+)` \|(.*)\|$/.exec(line);
    if (m)
      rows.set(
        m[1],
        m[2].split(' | ').map((c) => c.trim()),
      );
  }
  return rows;
}

function shownDefault(spec: Setting): string {
  if (typeof spec.default === 'number') return String(spec.default);
  return spec.default === '' ? '(empty)' : `\`${spec.default}\``;
}

describe('README configuration table', () => {
  const rows = configurationTable();

  it('has one row per schema key and no other', () => {
    expect([...rows.keys()]).to.have.members(Object.keys(SCHEMA));
  });

  for (const [key, spec] of Object.entries(SCHEMA) as [string, Setting][]) {
    it(`${key}: default and range are the schema's`, () => {
      const [shown, range] = rows.get(key) ?? [];
      expect(shown, 'default').to.satisfy((s: string) => s.startsWith(shownDefault(spec)));
      if (spec.kind === 'count') expect(range).to.equal(`${spec.min}–${spec.max}`);
      if (spec.kind === 'duration') expect(range).to.satisfy((r: string) => r.startsWith(`${spec.min}–${spec.max} ${spec.unit}`));
    });
  }
});
