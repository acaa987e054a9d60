// `callbackd settings list|get|set`: system-wide settings kept in the database (so the running daemon
// sees them on the next call): the default language and the toll-fraud prefix blocklist.
import type { Command } from 'commander';
import { DEFAULT_PREFIXES_TOKEN, effectiveBlockedPrefixes } from '../domain/toll-guard';
import type { CliContext, CliDeps } from './context';
import { withContext } from './context';
import { invalid } from './errors';
import { done, printJson, printList, type Column } from './output';

export const SETTINGS = {
  default_language: 'system default language of the prompts (number → this → en)',
  blocked_prefixes: "comma-separated E.164 prefixes callbacks are never placed to, e.g. +49900,+881; 'default' = the shipped list",
} as const;

export type SettingKey = keyof typeof SETTINGS;

function parseKey(key: string): SettingKey {
  if (!(key in SETTINGS)) throw invalid(`unknown setting '${key}'; known: ${Object.keys(SETTINGS).join(', ')}`);
  return key as SettingKey;
}

/**
 * blocked_prefixes: E.164 prefixes ('+' optional, added), or the word 'default' for the shipped list
 * ('default,+4989' extends it). An empty value is kept as '' and means "no prefixes at all": any set
 * value replaces the defaults.
 */
function parseBlockedPrefixes(value: string): string {
  const items = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const normalised = items.map((p) => {
    if (p.toLowerCase() === DEFAULT_PREFIXES_TOKEN) return DEFAULT_PREFIXES_TOKEN;
    if (!/^\+?[1-9][0-9]{0,14}$/.test(p))
      throw invalid(
        `blocked_prefixes: '${p}' is not an E.164 prefix such as +49900 ('+' and digits) or the word ${DEFAULT_PREFIXES_TOKEN}`,
      );
    return p.startsWith('+') ? p : `+${p}`;
  });
  return [...new Set(normalised)].join(',');
}

export function parseSetting(key: string, value: string, installedLanguages: string[]): { key: SettingKey; value: string } {
  const k = parseKey(key);
  if (k === 'default_language') {
    const lang = value.trim().toLowerCase();
    if (!installedLanguages.includes(lang))
      throw invalid(`no prompts installed for language '${value}' (installed: ${installedLanguages.join(', ')})`);
    return { key: k, value: lang };
  }
  return { key: k, value: parseBlockedPrefixes(value) };
}

/** A setting as the daemon sees it: what is stored, and what applies (the stored value or the default). */
export interface SettingView {
  key: SettingKey;
  /** The value in effect; blocked_prefixes expanded ('default' replaced by the shipped list). */
  value: string;
  /** 'set' = stored in the database; 'default' = unset, the shipped/configured default applies. */
  source: 'set' | 'default';
  /** The stored value as written by `settings set`, null when unset. */
  stored: string | null;
  meaning: string;
}

/** What a setting means right now; `stored` is the raw database value (undefined = unset). */
export function viewSetting(key: SettingKey, stored: string | undefined, configuredLanguage: string): SettingView {
  const base = {
    key,
    source: stored === undefined ? ('default' as const) : ('set' as const),
    stored: stored ?? null,
    meaning: SETTINGS[key],
  };
  if (key === 'default_language') return { ...base, value: stored ?? configuredLanguage };
  return { ...base, value: effectiveBlockedPrefixes(stored).join(',') };
}

async function viewOf(ctx: CliContext, key: SettingKey): Promise<SettingView> {
  return viewSetting(key, await ctx.store.directory.setting(key), ctx.config.language.default);
}

const COLUMNS: Column<SettingView>[] = [
  { header: 'key', value: (r) => r.key },
  { header: 'value', value: (r) => (r.value === '' ? '(none)' : r.value) },
  { header: 'source', value: (r) => r.source },
  { header: 'meaning', value: (r) => r.meaning },
];

export function registerSettings(program: Command, deps: CliDeps): void {
  const settings = program.command('settings').description('system-wide settings stored in the database');

  settings
    .command('list')
    .description('list settings with the values in effect (defaults where unset)')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const rows = await Promise.all((Object.keys(SETTINGS) as SettingKey[]).map((key) => viewOf(ctx, key)));
        printList(ctx.json, rows, COLUMNS, 'no settings');
      }),
    );

  settings
    .command('get')
    .argument('<key>', Object.keys(SETTINGS).join(' | '))
    .option('--json', 'print JSON')
    .description('show a setting: the value in effect, and whether it is set or the default')
    .action((key: string, _opts, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const view = await viewOf(ctx, parseKey(key));
        if (ctx.json) return printJson(view);
        const shown = view.value === '' ? '(none)' : view.value;
        const origin = view.source === 'default' ? ' (default; unset)' : view.stored !== view.value ? ` (set to '${view.stored}')` : '';
        done(`${view.key} = ${shown}${origin}`);
      }),
    );

  settings
    .command('set')
    .argument('<key>', Object.keys(SETTINGS).join(' | '))
    .argument('<value>')
    .description("change a setting (blocked_prefixes: a set value, even '', replaces the default list)")
    .action((key: string, value: string, _opts, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const s = parseSetting(key, value, ctx.languages());
        await ctx.store.admin.setSetting(s.key, s.value);
        done(`${s.key} = ${s.value === '' ? '(none)' : s.value}`);
      }),
    );
}
