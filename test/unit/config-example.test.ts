// callbackd.example.json is the admin's template: every key, with its default (secrets as placeholders).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { SCHEMA, type Setting } from '../../src/config/schema';
import { DEFAULTS, get, ROOT } from './config-helpers';

const EXAMPLE = join(ROOT, 'callbackd.example.json');

function flatKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('callbackd.example.json', () => {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;

  it('has exactly the keys of the schema', () => {
    expect(flatKeys(example)).to.have.members(Object.keys(SCHEMA));
    expect(flatKeys(example)).to.have.length(Object.keys(SCHEMA).length);
  });

  it('holds every default, and a placeholder instead of each secret', () => {
    for (const [key, spec] of Object.entries(SCHEMA) as [string, Setting][]) {
      if (spec.kind === 'secret') expect(get(example, key), key).to.equal('change-me');
      else expect(get(example, key), key).to.equal(spec.default);
    }
  });

  it('loads cleanly, giving the defaults (paths relative to its own folder)', () => {
    expect(loadConfig({ file: EXAMPLE, env: {}, cwd: '/' })).to.deep.equal({
      ...DEFAULTS,
      ari: { ...DEFAULTS.ari, password: 'change-me' },
      db: { ...DEFAULTS.db, path: join(ROOT, 'data', 'callbackd.db') },
    });
  });
});
