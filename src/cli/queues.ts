// `callbackd queues list|add|set`: queue settings (max wait of live callers, overflow, music on hold).
import type { Command } from 'commander';
import type { QueueConfig } from '../domain/model';
import type { CliDeps } from './context';
import { withContext } from './context';
import { CliError, invalid, notFound } from './errors';
import { done, formatDuration, printList, type Column } from './output';
import { MAX_WAIT_SECONDS, parseName, parseSeconds } from './validate';

export interface QueueOptions {
  /** false from --no-max-wait: no limit. */
  maxWait?: string | false;
  overflow?: string;
  moh?: string;
}

/** 'hangup' or 'context:<context>,<exten>,<priority>' (where the daemon sends callers past max wait). */
export function parseOverflow(value: string): string {
  if (value === 'hangup' || /^context:[^,\s]+,[^,\s]+,[^,\s]+$/.test(value)) return value;
  throw invalid(`overflow must be hangup or context:<context>,<exten>,<priority>, got '${value}'`);
}

function parseChanges(opts: QueueOptions): Partial<QueueConfig> {
  const c: Partial<QueueConfig> = {};
  if (opts.maxWait !== undefined)
    c.maxWaitSeconds = opts.maxWait === false ? null : parseSeconds('--max-wait', opts.maxWait, MAX_WAIT_SECONDS);
  if (opts.overflow !== undefined) c.overflow = parseOverflow(opts.overflow);
  if (opts.moh !== undefined) c.mohClass = parseName('music on hold class', opts.moh);
  return c;
}

export function parseQueueAdd(name: string, opts: QueueOptions): QueueConfig {
  return { name: parseName('queue', name), maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default', ...parseChanges(opts) };
}

export function parseQueueSet(current: QueueConfig, opts: QueueOptions): QueueConfig {
  const changes = parseChanges(opts);
  if (Object.keys(changes).length === 0) throw invalid(`nothing to change for queue ${current.name}; see callbackd queues set --help`);
  return { ...current, ...changes };
}

const COLUMNS: Column<QueueConfig>[] = [
  { header: 'name', value: (q) => q.name },
  { header: 'max wait', value: (q) => (q.maxWaitSeconds === null ? 'unlimited' : formatDuration(q.maxWaitSeconds)) },
  { header: 'overflow', value: (q) => q.overflow },
  { header: 'moh class', value: (q) => q.mohClass },
];

function settingOptions(cmd: Command): Command {
  return cmd
    .option('--max-wait <seconds>', 'seconds (0-86400) a live caller may wait before overflow (callback slots are exempt)')
    .option('--no-max-wait', 'no limit')
    .option('--overflow <action>', 'hangup or context:<context>,<exten>,<priority>')
    .option('--moh <class>', 'musiconhold.conf class');
}

export function registerQueues(program: Command, deps: CliDeps): void {
  const queues = program.command('queues').description('queues callers wait in');

  queues
    .command('list')
    .description('list queues')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) =>
          printList(ctx.json, await ctx.store.directory.queues(), COLUMNS, 'no queues; add one with: callbackd queues add <name>'),
        { mustExist: true },
      ),
    );

  settingOptions(queues.command('add').argument('<name>', 'queue name').description('add a queue')).action(
    (name: string, opts: QueueOptions, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const q = parseQueueAdd(name, opts);
        if (await ctx.store.directory.queue(q.name))
          throw new CliError('CLI_ALREADY_EXISTS', `queue ${q.name} already exists; change it with: callbackd queues set ${q.name} ...`);
        await ctx.store.admin.upsertQueue(q);
        done(`added queue ${q.name}`);
      }),
  );

  settingOptions(queues.command('set').argument('<name>', 'queue name').description("change a queue's settings")).action(
    (name: string, opts: QueueOptions, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const current = await ctx.store.directory.queue(name);
          if (!current) throw notFound(`queue ${name} does not exist; add it with: callbackd queues add ${name}`);
          await ctx.store.admin.upsertQueue(parseQueueSet(current, opts));
          done(`updated queue ${name}`);
        },
        { mustExist: true },
      ),
  );
}
