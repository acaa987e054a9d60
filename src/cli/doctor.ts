// `callbackd doctor`: everything a call needs, checked from the outside, one ok/FAIL line each.
// Exit 1 if anything failed, so it can gate a deployment or a monitoring probe.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { preflight } from '../ari/preflight';
import { checkRoute } from '../ari/route-check';
import { languageForNumber } from '../domain/language';
import type { Greeting, NumberConfig } from '../domain/model';
import { PROMPT_IDS } from '../domain/prompts';
import { describeError } from '../errors';
import { shownDbUrl } from '../config/schema';
import { storeKind } from '../store/open-store';
import { openDatabase } from '../store/sqlite/db';
import type { CliContext, CliDeps } from './context';
import { withContext } from './context';
import { CliError } from './errors';
import { printJson, sink } from './output';
import { findSoundFile } from './sounds';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SoundFacts {
  numbers: readonly NumberConfig[];
  greetings: readonly Greeting[];
  installed: readonly string[];
  defaultLanguage: string;
  soundState(sound: string): 'ok' | 'missing' | 'outside';
  promptExists(language: string, id: string): boolean;
}

/** The language a call on this number is played in (the daemon's own rule). */
const languageOf = (f: SoundFacts, n: NumberConfig | undefined) => languageForNumber(n?.callbackLanguage, f.defaultLanguage, f.installed);

/** Each greeting a number uses must exist in that number's language with its file present; every
 *  other greeting recording must at least have its file. */
export function checkGreetings(f: SoundFacts): Check[] {
  const checks: Check[] = [];
  const covered = new Set<Greeting>();
  const needs = new Map<string, Set<string>>(); // "name\0language" → numbers needing it
  for (const n of f.numbers) {
    for (const name of [n.callbackGreeting, n.confirmationGreeting]) {
      if (name === null) continue;
      const key = `${name}\0${languageOf(f, n)}`;
      if (!needs.has(key)) needs.set(key, new Set());
      needs.get(key)!.add(n.did);
    }
  }
  for (const [key, dids] of needs) {
    const [name, language] = key.split('\0');
    const label = `greeting ${name} (${language}) for ${[...dids].join(', ')}`;
    const g = f.greetings.find((x) => x.name === name && x.language === language);
    if (!g) {
      checks.push({
        name: label,
        ok: false,
        detail: `no ${language} recording; add one with: callbackd greetings add ${name} --language ${language} ...`,
      });
      continue;
    }
    covered.add(g);
    checks.push(soundCheck(f, label, g));
  }
  for (const g of f.greetings) if (!covered.has(g)) checks.push(soundCheck(f, `greeting ${g.name} (${g.language})`, g));
  return checks;
}

function soundCheck(f: SoundFacts, label: string, g: Greeting): Check {
  const state = f.soundState(g.sound);
  if (state === 'missing') return { name: label, ok: false, detail: `sound file for ${g.sound} is missing under sounds.dir` };
  return { name: label, ok: true, detail: state === 'outside' ? `${g.sound} (outside sounds.prefix, not checked)` : g.sound };
}

/** Every shipped prompt in every language a number (or an unknown DID, in the default) is played in. */
export function checkPrompts(f: SoundFacts): Check[] {
  const languages = new Set([languageOf(f, undefined), ...f.numbers.map((n) => languageOf(f, n))]);
  return [...languages].sort().map((language) => {
    const missing = PROMPT_IDS.filter((id) => !f.promptExists(language, id));
    const name = `shipped prompts (${language})`;
    if (missing.length === 0) return { name, ok: true, detail: `${PROMPT_IDS.length} prompts present` };
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ', ...' : '');
    return { name, ok: false, detail: `${missing.length} of ${PROMPT_IDS.length} missing: ${shown}` };
  });
}

async function checkAri(ctx: CliContext): Promise<Check[]> {
  const { url, user, password, app, requestTimeoutMs } = ctx.config.ari;
  const checks: Check[] = [];
  try {
    const info = await preflight({ url, user, password }, requestTimeoutMs);
    checks.push({ name: 'ARI reachable, credentials accepted', ok: true, detail: `${url} as ${user}, Asterisk ${info.version}` });
  } catch (err) {
    checks.push({ name: 'ARI reachable, credentials accepted', ok: false, detail: describeError(err) });
    checks.push({ name: `application ${app} registered`, ok: false, detail: 'not checked: ARI not available' });
    return checks;
  }
  // Asterisk lists a Stasis application only while a websocket subscribes to it: the daemon is connected.
  const name = `application ${app} registered (daemon connected)`;
  try {
    const res = await fetch(`${url}/ari/applications/${encodeURIComponent(app)}`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    await res.arrayBuffer();
    if (res.status === 200) checks.push({ name, ok: true, detail: 'yes' });
    else if (res.status === 404)
      checks.push({ name, ok: false, detail: `Asterisk does not know '${app}': is callbackd start running and connected?` });
    else checks.push({ name, ok: false, detail: `HTTP ${res.status} from /ari/applications/${app}` });
  } catch (err) {
    checks.push({ name, ok: false, detail: (err as Error).message });
  }
  return checks;
}

/** Every number with callbacks on must have an outbound route that can dial (a dialplan extension in
 *  its context, or an existing PJSIP trunk). Probing needs the daemon connected. */
async function checkRoutes(ctx: CliContext): Promise<Check[]> {
  const { url, user, password, app, requestTimeoutMs } = ctx.config.ari;
  const checks: Check[] = [];
  for (const n of await ctx.store.directory.numbers()) {
    if (!n.callbackEnabled || n.kind !== 'voice') continue;
    const r = await checkRoute({ url, user, password, app, timeoutMs: requestTimeoutMs }, n.outboundTrunk, n.did);
    checks.push({ name: `outbound route of ${n.did}`, ok: r.state === 'ok', detail: r.detail });
  }
  return checks;
}

/** Undamaged (quick_check) and writable = a real write transaction succeeds (then rolled back): catches
 *  damaged pages, read-only files and dirs. */
function checkDb(dbPath: string): Check {
  const name = `database intact and writable (${dbPath})`;
  if (dbPath !== ':memory:' && !fs.existsSync(dbPath)) return { name, ok: false, detail: 'file does not exist (check --db / db.path)' };
  try {
    // quick_check too: damaged pages would otherwise only show up mid-call.
    const db = openDatabase(dbPath, undefined, { integrityCheck: true });
    try {
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('doctor.write_check', 'x')").run();
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
    return { name, ok: true, detail: 'yes' };
  } catch (err) {
    return { name, ok: false, detail: describeError(err) };
  }
}

/** PostgreSQL: reachable with these credentials, schema migrated (opening the store does that) and
 *  taking writes now — not a standby or a read-only session — asked through the Store port. */
async function checkPgDb(ctx: CliContext): Promise<Check> {
  const name = `database reachable and writable (${shownDbUrl(ctx.config.db.url)})`;
  try {
    const probe = await ctx.store.probeWrite();
    return probe.ok ? { name, ok: true, detail: 'yes' } : { name, ok: false, detail: probe.detail ?? 'does not take writes' };
  } catch (err) {
    return { name, ok: false, detail: describeError(err) };
  }
}

async function soundChecks(ctx: CliContext): Promise<Check[]> {
  const soundsDir = ctx.soundsDir;
  const facts: SoundFacts = {
    numbers: await ctx.store.directory.numbers(),
    greetings: await ctx.store.directory.greetings(),
    installed: ctx.languages(),
    defaultLanguage: await ctx.defaultLanguage(),
    soundState: (sound) => {
      const r = findSoundFile(ctx.config.sounds.prefix, soundsDir, sound);
      return typeof r === 'string' ? r : 'ok';
    },
    promptExists: (language, id) => fs.existsSync(path.join(soundsDir, language, `${id}.wav`)),
  };
  return [...checkGreetings(facts), ...checkPrompts(facts)];
}

export function registerDoctor(program: Command, deps: CliDeps): void {
  program
    .command('doctor')
    .description('check ARI, the daemon connection, greetings, prompts and the database; exit 1 if any check fails')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const checks: Check[] = [];
        const add = (list: Check[]) => {
          checks.push(...list);
          if (!ctx.json) for (const c of list) sink.out(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
        };
        const ari = await checkAri(ctx);
        add(ari);
        const db = storeKind(ctx.config) === 'postgres' ? await checkPgDb(ctx) : checkDb(ctx.dbPath);
        add([db]);
        if (db.ok) {
          try {
            // Without ARI the routes cannot be probed; its failed check already says so.
            if (ari[0].ok) add(await checkRoutes(ctx));
            add(await soundChecks(ctx));
          } catch (err) {
            add([{ name: 'greetings and prompts', ok: false, detail: `not checked: ${describeError(err)}` }]);
          }
        } else add([{ name: 'greetings and prompts', ok: false, detail: 'not checked: database not available' }]);
        if (ctx.json) printJson(checks);
        const failed = checks.filter((c) => !c.ok).length;
        if (failed > 0) throw new CliError('CLI_DOCTOR_FAILED', `${failed} of ${checks.length} checks failed`);
      }),
    );
}
