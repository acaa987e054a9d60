// `callbackd numbers list|add|set|remove`: the DIDs the daemon answers and their callback settings
// (DESIGN.md §1 step 10). The daemon reads numbers per call, so changes apply to the next call.
import { checkRoute } from '../ari/route-check';
import type { Command } from 'commander';
import type { GreetingKind, NumberConfig, NumberKind } from '../domain/model';
import type { CliContext, CliDeps } from './context';
import { withContext } from './context';
import { CliError, invalid, notFound } from './errors';
import { done, printList, sink, type Column } from './output';
import {
  isEntryPointName,
  parseE164,
  parseEntryPointName,
  parseInstalledLanguage,
  parseName,
  parseNumberKey,
  parseOnOff,
  parseTrunk,
} from './validate';

/** Raw commander options; `false` comes from --no-<option> and means "clear it". */
export interface NumberOptions {
  queue?: string;
  kind?: string;
  callback?: string;
  language?: string | false;
  offerGreeting?: string | false;
  confirmationGreeting?: string | false;
  trunk?: string | false;
  callerId?: string | false;
  allowedCountries?: string | false;
}

/** 'de, AT' → 'AT,DE'; '*' = any country. ISO 3166 alpha-2 only, so a typo cannot open a country. */
export function parseCountries(value: string): string {
  const codes = value
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  if (codes.length === 0) throw invalid('--allowed-countries needs ISO country codes such as DE,AT or *');
  if (codes.includes('*')) return '*';
  const bad = codes.find((c) => !/^[A-Z]{2}$/.test(c));
  if (bad) throw invalid(`--allowed-countries: '${bad}' is not an ISO country code (two letters, e.g. DE)`);
  return [...new Set(codes)].sort().join(',');
}

function parseKind(value: string): NumberKind {
  if (value === 'voice' || value === 'digital') return value;
  throw invalid(`number kind must be voice or digital, got '${value}'`);
}

/** Syntax of every option that is present; the result only carries what was given. */
function parseChanges(opts: NumberOptions): Partial<NumberConfig> {
  const c: Partial<NumberConfig> = {};
  if (opts.queue !== undefined) c.queue = parseName('queue', opts.queue);
  if (opts.kind !== undefined) c.kind = parseKind(opts.kind);
  if (opts.callback !== undefined) c.callbackEnabled = parseOnOff('--callback', opts.callback);
  // The language is checked against the installed prompts later (checkNumber), here only cleared or kept.
  if (opts.language !== undefined) c.callbackLanguage = opts.language === false ? null : opts.language;
  if (opts.offerGreeting !== undefined)
    c.callbackGreeting = opts.offerGreeting === false ? null : parseName('greeting', opts.offerGreeting);
  if (opts.confirmationGreeting !== undefined) {
    c.confirmationGreeting = opts.confirmationGreeting === false ? null : parseName('greeting', opts.confirmationGreeting);
  }
  if (opts.trunk !== undefined) c.outboundTrunk = opts.trunk === false ? null : parseTrunk(opts.trunk);
  if (opts.callerId !== undefined) c.outboundCallerId = opts.callerId === false ? null : parseE164('--caller-id', opts.callerId);
  if (opts.allowedCountries !== undefined)
    c.allowedCountries = opts.allowedCountries === false ? null : parseCountries(opts.allowedCountries);
  return c;
}

/** A digital (messaging) number has no voice channel to call back on; the DB refuses it too. */
function refuseCallbackOnDigital(n: NumberConfig): void {
  if (n.kind === 'digital' && n.callbackEnabled) {
    throw new CliError(
      'CLI_CALLBACK_ON_DIGITAL',
      `number ${n.did} is digital (messaging): callbacks are only possible on voice numbers; use --callback off or --kind voice`,
    );
  }
}

/** A voice number is dialled and answered: it needs its E.164 number, a name will not do. */
function voiceNeedsNumber(name: string): CliError {
  return invalid(
    `'${name}' is a name, but a voice number needs its phone number with + and country code (e.g. +49 30 123456); for a browser/app entry point without a phone number use --kind digital`,
  );
}

function refuseVoiceWithoutNumber(n: NumberConfig): void {
  if (n.kind === 'voice' && isEntryPointName(n.did)) throw voiceNeedsNumber(n.did);
}

/**
 * The key a new number is stored under. Voice: the E.164 number, any international notation. Digital
 * (a browser/app entry point, Zendesk Talk's "digital line"): a plain name, or a number if it has one;
 * input with letters (other than a tel:/sip: URI) is meant as a name and checked as one.
 */
function parseAddKey(did: string, digital: boolean): string {
  if (!digital) {
    if (isEntryPointName(did)) throw voiceNeedsNumber(did);
    return parseE164('DID', did);
  }
  if (/[A-Za-z]/.test(did) && !/^(tel|sips?):/i.test(did.trim())) return parseEntryPointName(did);
  return parseE164('DID', did);
}

/** `numbers add <did>`: see parseAddKey for what <did> may be; callback on a digital one is refused. */
export function parseNumberAdd(did: string, opts: NumberOptions): NumberConfig {
  if (opts.queue === undefined) throw invalid('numbers add needs --queue <name>');
  const changes = parseChanges(opts);
  const n: NumberConfig = {
    did: parseAddKey(did, changes.kind === 'digital'),
    kind: 'voice',
    queue: '',
    callbackEnabled: false,
    callbackLanguage: null,
    callbackGreeting: null,
    confirmationGreeting: null,
    outboundTrunk: null,
    allowedCountries: null,
    outboundCallerId: null,
    ...changes,
  };
  refuseCallbackOnDigital(n);
  return n;
}

export function parseNumberSet(current: NumberConfig, opts: NumberOptions): NumberConfig {
  const changes = parseChanges(opts);
  if (Object.keys(changes).length === 0) throw invalid(`nothing to change for ${current.did}; see callbackd numbers set --help`);
  const n = { ...current, ...changes };
  refuseVoiceWithoutNumber(n);
  refuseCallbackOnDigital(n);
  return n;
}

export interface NumberRefs {
  queueExists(name: string): boolean;
  languages: readonly string[];
  greetingKind(name: string): GreetingKind | undefined;
}

/** References must exist: the queue, an installed language, greetings of the right kind. */
export function checkNumberRefs(n: NumberConfig, refs: NumberRefs): NumberConfig {
  if (!refs.queueExists(n.queue)) throw notFound(`queue '${n.queue}' does not exist; add it first with: callbackd queues add ${n.queue}`);
  const language = n.callbackLanguage === null ? null : parseInstalledLanguage(n.callbackLanguage, refs.languages);
  const greeting = (name: string | null, kind: GreetingKind, option: string) => {
    if (name === null) return;
    const found = refs.greetingKind(name);
    if (found === undefined) throw notFound(`greeting '${name}' does not exist; add it with: callbackd greetings add ${name} ...`);
    if (found !== kind) throw invalid(`greeting '${name}' is a ${found} greeting, ${option} needs a ${kind} one`);
  };
  greeting(n.callbackGreeting, 'callback-offer', '--offer-greeting');
  greeting(n.confirmationGreeting, 'callback-confirmation', '--confirmation-greeting');
  return { ...n, callbackLanguage: language };
}

/** Read once, then checked synchronously: a number refers to a handful of queues and greetings. */
async function refsOf(ctx: CliContext): Promise<NumberRefs> {
  const [queues, greetings] = await Promise.all([ctx.store.directory.queues(), ctx.store.directory.greetings()]);
  return {
    queueExists: (name) => queues.some((q) => q.name === name),
    languages: ctx.languages(),
    greetingKind: (name) => greetings.find((g) => g.name === name)?.kind,
  };
}

const COLUMNS: Column<NumberConfig>[] = [
  { header: 'did', value: (n) => n.did },
  { header: 'kind', value: (n) => n.kind },
  { header: 'queue', value: (n) => n.queue },
  { header: 'callback', value: (n) => (n.callbackEnabled ? 'on' : 'off') },
  { header: 'language', value: (n) => n.callbackLanguage ?? '(default)' },
  { header: 'offer greeting', value: (n) => n.callbackGreeting ?? '(shipped)' },
  { header: 'confirmation greeting', value: (n) => n.confirmationGreeting ?? '(shipped)' },
  { header: 'trunk', value: (n) => n.outboundTrunk },
  { header: 'callback countries', value: (n) => n.allowedCountries ?? "(DID's country)" },
];

function settingOptions(cmd: Command): Command {
  return cmd
    .option('--queue <name>', 'queue the callers wait in')
    .option('--kind <kind>', 'voice or digital (a browser/app entry point, may be a name; cannot have callbacks)')
    .option('--callback <on|off>', 'offer callbacks on this number')
    .option('--language <lang>', 'language of the callback prompts (must have prompts installed)')
    .option('--no-language', 'use the system default language')
    .option('--offer-greeting <name>', 'greeting played as the callback offer')
    .option('--no-offer-greeting', 'use the shipped offer prompt')
    .option('--confirmation-greeting <name>', 'greeting played once the request is stored')
    .option('--no-confirmation-greeting', 'use the shipped confirmation prompt')
    .option(
      '--trunk <route>',
      'where callbacks are dialled: dialplan:<context>, a template like PJSIP/0{national}@carrier, or a PJSIP trunk',
    )
    .option('--no-trunk', 'dial through the dialplan context callbackd-outbound (the default)')
    .option('--caller-id <number>', 'number the customer sees when called back (default: the DID)')
    .option('--no-caller-id', 'show the DID to the customer')
    .option('--allowed-countries <codes>', 'countries callbacks may go to, e.g. DE,AT or * (toll-fraud guard)')
    .option('--no-allowed-countries', "only the DID's own country (the default)");
}

/** A number with callbacks on whose route is definitely broken gets a warning (stored all the same:
 *  the admin may fix the dialplan next). An unknown result (daemon not running) stays quiet; `callbackd
 *  doctor` reports it. */
async function warnOnBrokenRoute(ctx: CliContext, n: NumberConfig): Promise<void> {
  if (!n.callbackEnabled || !n.did.startsWith('+')) return;
  const { url, user, password, app, requestTimeoutMs } = ctx.config.ari;
  const check = await checkRoute({ url, user, password, app, timeoutMs: requestTimeoutMs }, n.outboundTrunk, n.did);
  if (check.state === 'broken') sink.err(`callbackd: warning: callbacks of ${n.did} cannot be dialled: ${check.detail}\n`);
}

export function registerNumbers(program: Command, deps: CliDeps): void {
  const numbers = program.command('numbers').description('numbers (DIDs) the daemon answers and their callback settings');

  numbers
    .command('list')
    .description('list the configured numbers')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) =>
          printList(
            ctx.json,
            await ctx.store.directory.numbers(),
            COLUMNS,
            'no numbers configured; add one with: callbackd numbers add <did> --queue <queue>',
          ),
        { mustExist: true },
      ),
    );

  settingOptions(
    numbers
      .command('add')
      .argument('<did>', 'the number with country code, e.g. +49 30 123456 (or the name of a --kind digital entry point)')
      .description('add a number'),
  ).action((did: string, opts: NumberOptions, cmd: Command) =>
    withContext(cmd, deps, async (ctx) => {
      const parsed = parseNumberAdd(did, opts);
      if (await ctx.store.directory.number(parsed.did))
        throw new CliError(
          'CLI_ALREADY_EXISTS',
          `number ${parsed.did} already exists; change it with: callbackd numbers set ${parsed.did} ...`,
        );
      const n = checkNumberRefs(parsed, await refsOf(ctx));
      await ctx.store.admin.upsertNumber(n);
      done(`added number ${n.did} (queue ${n.queue}, callback ${n.callbackEnabled ? 'on' : 'off'})`);
      await warnOnBrokenRoute(ctx, n);
    }),
  );

  settingOptions(
    numbers
      .command('set')
      .argument('<did>', 'the number with country code, or a digital entry point name')
      .description("change a number's settings"),
  ).action((did: string, opts: NumberOptions, cmd: Command) =>
    withContext(
      cmd,
      deps,
      async (ctx) => {
        const key = parseNumberKey(did);
        const current = await ctx.store.directory.number(key);
        if (!current) throw notFound(`number ${key} does not exist; add it with: callbackd numbers add ${key} --queue <queue>`);
        const n = checkNumberRefs(parseNumberSet(current, opts), await refsOf(ctx));
        await ctx.store.admin.upsertNumber(n);
        done(`updated number ${n.did}`);
        await warnOnBrokenRoute(ctx, n);
      },
      { mustExist: true },
    ),
  );

  numbers
    .command('remove')
    .argument('<did>', 'the number with country code, or a digital entry point name')
    .description('stop answering a number')
    .action((did: string, _opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const key = parseNumberKey(did);
          if (!(await ctx.store.directory.number(key))) throw notFound(`number ${key} does not exist`);
          // Executing a callback needs its number's outbound trunk; removing it would strand them.
          const open = (await ctx.store.reports.callbacks()).filter((c) => c.did === key).length;
          if (open > 0)
            throw new CliError(
              'CLI_CONFLICT',
              `number ${key} still has ${open} open callback(s); cancel them first (callbackd callbacks list)`,
            );
          await ctx.store.admin.removeNumber(key);
          done(`removed number ${key}`);
        },
        { mustExist: true },
      ),
    );
}
