// `callbackd settings list|set|unset`: system-wide settings kept in the database (so the running daemon
// sees them on the next call): the default language and the toll-fraud prefix blocklist.
import type { Command } from 'commander';
import type { CliDeps } from './context';
import { withContext } from './context';
import { invalid } from './errors';
import { done, printList, type Column } from './output';

export const SETTINGS = {
  default_language: 'system default language of the prompts (number → this → en)',
  blocked_prefixes: 'comma-separated E.164 prefixes callbacks are never placed to, e.g. +49900,+881',
} as const;

export type SettingKey = keyof typeof SETTINGS;

export function parseSetting(key: string, value: string, installedLanguages: string[]): { key: SettingKey; value: string } {
  if (!(key in SETTINGS)) throw invalid(`unknown setting '${key}'; known: ${Object.keys(SETTINGS).join(', ')}`);
  if (key === 'default_language') {
    const lang = value.trim().toLowerCase();
    if (!installedLanguages.includes(lang))
      throw invalid(`no prompts installed for language '${value}' (installed: ${installedLanguages.join(', ')})`);
    return { key, value: lang };
  }
  const prefixes = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bad = prefixes.find((p) => !/^\+?[1-9][0-9]{0,14}$/.test(p));
  if (bad) throw invalid(`blocked_prefixes: '${bad}' is not an E.164 prefix such as +49900`);
  return { key: key as SettingKey, value: prefixes.map((p) => (p.startsWith('+') ? p : `+${p}`)).join(',') };
}

interface Row {
  key: string;
  value: string;
  meaning: string;
}

const COLUMNS: Column<Row>[] = [
  { header: 'key', value: (r) => r.key },
  { header: 'value', value: (r) => r.value },
  { header: 'meaning', value: (r) => r.meaning },
];

export function registerSettings(program: Command, deps: CliDeps): void {
  const settings = program.command('settings').description('system-wide settings stored in the database');

  settings
    .command('list')
    .description('list settings')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(cmd, deps, (ctx) => {
        const rows = (Object.keys(SETTINGS) as SettingKey[]).map((key) => ({
          key,
          value: ctx.store.settings.get(key) ?? '',
          meaning: SETTINGS[key],
        }));
        printList(ctx.json, rows, COLUMNS, 'no settings');
      }),
    );

  settings
    .command('set')
    .argument('<key>', Object.keys(SETTINGS).join(' | '))
    .argument('<value>')
    .description('change a setting')
    .action((key: string, value: string, _opts, cmd: Command) =>
      withContext(cmd, deps, (ctx) => {
        const s = parseSetting(key, value, ctx.languages());
        ctx.store.settings.set(s.key, s.value);
        done(`${s.key} = ${s.value}`);
      }),
    );
}
