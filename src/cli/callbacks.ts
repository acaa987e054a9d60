// `callbackd callbacks list|cancel`: callback slots in the queues. Cancelling takes the slot out of the
// queue for good (state 'cancelled', outcome "cancelled by <user>"); no ticket is created.
import type { Command } from 'commander';
import type { CallbackRow, CancelOutcome } from '../app/ports';
import type { CliDeps } from './context';
import { withContext } from './context';
import { CliError, notFound } from './errors';
import { done, formatDuration, formatTime, printList, type Column } from './output';
import { parseName, parseSince } from './validate';

export interface CallbackListOptions {
  queue?: string;
  all?: boolean;
  since?: string;
}

export function parseCallbackList(opts: CallbackListOptions, now: number): { queue?: string; all: boolean; since?: number } {
  return {
    queue: opts.queue === undefined ? undefined : parseName('queue', opts.queue),
    all: opts.all === true,
    since: opts.all ? parseSince(opts.since ?? '24h', now) : undefined,
  };
}

/** Only a pending slot is cancelled (the store decides, in the same transaction as the close): an
 *  offered/dialing one is in an agent's hands right now, a closed one is history. */
export function checkCancel(id: string, outcome: CancelOutcome): void {
  if (outcome.kind === 'not-found') throw notFound(`callback ${id} does not exist (see callbackd callbacks list)`);
  if (outcome.kind === 'refused') throw new CliError('CLI_CONFLICT', outcome.message);
}

type ListedCallback = CallbackRow & { place: number | null; waitedSeconds: number };

export function registerCallbacks(program: Command, deps: CliDeps): void {
  const callbacks = program.command('callbacks').description('callback slots in the queues');

  callbacks
    .command('list')
    .description('list open callbacks, oldest place first (--all: also closed ones)')
    .option('--queue <name>', 'only this queue')
    .option('--all', 'include closed callbacks requested within --since')
    .option('--since <duration>', 'with --all: how far back, e.g. 15m, 24h, 7d', '24h')
    .option('--json', 'print JSON')
    .action((opts: CallbackListOptions, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const now = ctx.clock.now();
          const filter = parseCallbackList(opts, now);
          const listed = await ctx.store.reports.callbacks(filter);
          const places = await Promise.all(listed.map((c) => ctx.store.callers.position(c.id)));
          const rows: ListedCallback[] = listed.map((c, i) => ({
            ...c,
            place: places[i] ?? null,
            // Open: waiting so far; closed: until the agent's call started, or until it was closed.
            waitedSeconds: Math.max(0, Math.floor(((c.agentCallStartedAt ?? c.closedAt ?? now) - c.requestedAt) / 1000)),
          }));
          const columns: Column<ListedCallback>[] = [
            { header: 'id', value: (c) => c.id },
            { header: 'queue', value: (c) => c.queue },
            { header: 'place', value: (c) => c.place },
            { header: 'number', value: (c) => c.callbackNumber },
            { header: 'state', value: (c) => c.state },
            { header: 'requested', value: (c) => formatTime(c.requestedAt) },
            { header: 'waited', value: (c) => formatDuration(c.waitedSeconds) },
            { header: 'did', value: (c) => c.did },
            ...(filter.all ? [{ header: 'outcome', value: (c: ListedCallback) => c.outcome }] : []),
          ];
          printList(ctx.json, rows, columns, filter.all ? 'no callbacks in that period' : 'no open callbacks');
        },
        { mustExist: true },
      ),
    );

  callbacks
    .command('cancel')
    .argument('<id>', 'callback id (from callbacks list)')
    .option('--by <name>', 'who cancels, recorded in the outcome (default: your login name)')
    .description('remove a pending callback from its queue')
    .action((id: string, opts: { by?: string }, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const by = opts.by?.trim() || ctx.user;
          checkCancel(id, await ctx.store.callbacks.cancel(id, ctx.clock.now(), by));
          done(`cancelled callback ${id}`);
        },
        { mustExist: true },
      ),
    );
}
