// `callbackd greetings list|add|remove`: sysadmin recordings used as a number's callback offer or
// confirmation, per language under <sounds.dir>/custom/<lang>/<name>.wav (+ .sln16/.ulaw/.alaw).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Greeting, GreetingKind, NumberConfig } from '../domain/model';
import type { CliContext, CliDeps } from './context';
import { withContext } from './context';
import { CliError, invalid, notFound } from './errors';
import { done, printList, type Column } from './output';
import { customSound, findSoundFile, installSound, soundFiles } from './sounds';
import { parseGreetingKind, parseInstalledLanguage, parseLanguageTag, parseName } from './validate';

export interface GreetingAddOptions {
  kind?: string;
  language?: string;
  file?: string;
  replace?: boolean;
}

export interface GreetingAdd {
  name: string;
  kind: GreetingKind;
  language: string;
  file: string;
  replace: boolean;
}

export function parseGreetingAdd(name: string, opts: GreetingAddOptions, installed: readonly string[]): GreetingAdd {
  if (opts.kind === undefined) throw invalid('greetings add needs --kind offer|confirmation');
  if (opts.language === undefined) throw invalid('greetings add needs --language <lang>');
  if (opts.file === undefined) throw invalid('greetings add needs --file <recording.wav>');
  return {
    name: parseName('greeting', name),
    kind: parseGreetingKind(opts.kind),
    // A greeting in a language without shipped prompts would never be chosen for a call.
    language: parseInstalledLanguage(opts.language, installed),
    file: opts.file,
    replace: opts.replace === true,
  };
}

/** A name means one kind of greeting in every language; numbers refer to it by name only. */
export function checkGreetingAdd(add: GreetingAdd, existing: readonly Greeting[]): void {
  const other = existing.find((g) => g.name === add.name && g.kind !== add.kind);
  if (other)
    throw new CliError(
      'CLI_CONFLICT',
      `greeting '${add.name}' is a ${other.kind} greeting (in ${other.language}); use another name for a ${add.kind} one`,
    );
  if (!add.replace && existing.some((g) => g.name === add.name && g.language === add.language)) {
    throw new CliError('CLI_ALREADY_EXISTS', `greeting '${add.name}' already exists in ${add.language}; add --replace to re-record it`);
  }
}

/** Numbers that would lose their greeting if `name` (in `language`, or entirely) went away. */
export function greetingUsers(name: string, remainingLanguages: readonly string[], numbers: readonly NumberConfig[]): string[] {
  if (remainingLanguages.length > 0) return [];
  return numbers.filter((n) => n.callbackGreeting === name || n.confirmationGreeting === name).map((n) => n.did);
}

function fileState(ctx: CliContext, g: Greeting): string {
  const found = findSoundFile(ctx.config.sounds.prefix, ctx.soundsDir, g.sound);
  return found === 'outside' ? 'not checked' : found === 'missing' ? 'MISSING' : 'ok';
}

export function registerGreetings(program: Command, deps: CliDeps): void {
  const greetings = program.command('greetings').description('recorded greetings for the callback offer and confirmation');

  greetings
    .command('list')
    .description('list greetings and whether their sound files are present')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const rows = (await ctx.store.directory.greetings()).map((g) => ({ ...g, file: fileState(ctx, g) }));
          const columns: Column<(typeof rows)[number]>[] = [
            { header: 'name', value: (g) => g.name },
            { header: 'kind', value: (g) => g.kind },
            { header: 'language', value: (g) => g.language },
            { header: 'sound', value: (g) => g.sound },
            { header: 'file', value: (g) => g.file },
          ];
          printList(
            ctx.json,
            rows,
            columns,
            'no greetings; add one with: callbackd greetings add <name> --kind offer --language en --file rec.wav',
          );
        },
        { mustExist: true },
      ),
    );

  greetings
    .command('add')
    .argument('<name>', 'greeting name, referred to by numbers set --offer-greeting / --confirmation-greeting')
    .description(
      'install a recording as a greeting in one language: 8 kHz mono WAV (converted with sox if needed) and .sln16/.ulaw/.alaw beside it',
    )
    .option('--kind <kind>', 'offer or confirmation')
    .option('--language <lang>', 'language of the recording (must have prompts installed)')
    .option('--file <path>', 'the recording (WAV; other formats sox can read work too)')
    .option('--replace', 'replace an existing recording of this greeting in this language')
    .action((name: string, opts: GreetingAddOptions, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const add = parseGreetingAdd(name, opts, ctx.languages());
        checkGreetingAdd(add, await ctx.store.directory.greetings());
        if (!fs.existsSync(add.file) || !fs.statSync(add.file).isFile()) throw notFound(`recording ${add.file} does not exist`);
        const target = customSound(ctx.config.sounds.prefix, ctx.soundsDir, add.language, add.name);
        const installed = installSound(add.file, target.file);
        await ctx.store.admin.upsertGreeting({ name: add.name, kind: add.kind, language: add.language, sound: target.sound });
        const how = installed.converted ? `converted from ${installed.from}` : 'copied';
        const others = installed.files.slice(1).map((f) => path.extname(f));
        const also = others.length > 0 ? `, also ${others.join(' ')}` : ' only; install sox for .sln16 .ulaw .alaw';
        done(`added greeting ${add.name} (${add.kind}, ${add.language}): ${target.file} (${how}${also}), sound ${target.sound}`);
      }),
    );

  greetings
    .command('remove')
    .argument('<name>', 'greeting name')
    .option('--language <lang>', 'only this language (default: all)')
    .description('remove a greeting (refused while a number still uses it)')
    .action((name: string, opts: { language?: string }, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const language = opts.language === undefined ? undefined : parseLanguageTag(opts.language);
          const all = (await ctx.store.directory.greetings()).filter((g) => g.name === name);
          const going = all.filter((g) => language === undefined || g.language === language);
          if (going.length === 0) throw notFound(`greeting '${name}'${language ? ` in ${language}` : ''} does not exist`);
          const remaining = all.filter((g) => !going.includes(g)).map((g) => g.language);
          const users = greetingUsers(name, remaining, await ctx.store.directory.numbers());
          if (users.length > 0)
            throw new CliError(
              'CLI_CONFLICT',
              `greeting '${name}' is used by ${users.join(', ')}; change those numbers first (numbers set --no-offer-greeting / --no-confirmation-greeting)`,
            );
          await ctx.store.admin.removeGreeting(name, language);
          // Only files the CLI installed itself are deleted; a sound elsewhere belongs to someone else.
          for (const g of going) {
            const own = customSound(ctx.config.sounds.prefix, ctx.soundsDir, g.language, g.name);
            if (g.sound === own.sound) for (const file of soundFiles(own.file)) fs.rmSync(file, { force: true });
          }
          done(`removed greeting ${name} (${going.map((g) => g.language).join(', ')})`);
        },
        { mustExist: true },
      ),
    );
}
