// `callbackd tickets list|show`: the "Callback" tickets created when an agent calls back or a
// callback expires, with their internal comments (e.g. "callback attempted, not answered").
// `callbackd tickets outbox list|retry`: their deliveries to the webhook / Zendesk, and the dead
// letters a receiver refused, which are retried only when someone says so.
import type { Command } from 'commander';
import type { Ticket } from '../domain/model';
import type { OutboxEntry, OutboxItem } from '../store/sqlite/outbox-repo';
import type { CliDeps } from './context';
import { withContext } from './context';
import { CliError, invalid, notFound } from './errors';
import { done, formatDuration, formatTime, printJson, printList, sink, table, type Column } from './output';
import { parsePositiveInt, parseSince } from './validate';

export function parseTicketList(opts: { since?: string; limit?: string }, now: number): { since?: number; limit: number } {
  return {
    since: opts.since === undefined ? undefined : parseSince(opts.since, now),
    limit: parsePositiveInt('--limit', opts.limit ?? '50'),
  };
}

export function parseTicketId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw invalid(`ticket id must be a positive whole number, got '${value}'`);
  return Number(value);
}

const COLUMNS: Column<Ticket>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'created', value: (t) => formatTime(t.createdAt) },
  { header: 'subject', value: (t) => t.subject },
  { header: 'requester', value: (t) => t.requester },
  { header: 'reason', value: (t) => t.reason },
  { header: 'queue', value: (t) => t.queue },
  { header: 'agent', value: (t) => t.agentId },
  { header: 'waited', value: (t) => formatDuration(t.waitedSeconds) },
];

export function parseOutboxId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw invalid(`outbox row id must be a positive whole number, got '${value}'`);
  return Number(value);
}

/** `retry <id>` or `retry --all-dead`, exactly one of them. */
export function parseOutboxRetry(idText: string | undefined, opts: { allDead?: boolean }): { id: number } | { allDead: true } {
  if (idText !== undefined && opts.allDead) throw invalid('give an outbox row id or --all-dead, not both');
  if (opts.allDead) return { allDead: true };
  if (idText === undefined) throw invalid('give the id of an outbox row (see callbackd tickets outbox list) or --all-dead');
  return { id: parseOutboxId(idText) };
}

export type OutboxState = 'unassigned' | 'pending' | 'waiting' | 'dead';

/** unassigned: not yet given to the sinks (the daemon does that before sending); waiting: behind an
 *  earlier undelivered row of the same ticket; dead: refused by the receiver. */
export function outboxState(e: OutboxEntry): OutboxState {
  if (e.deadAt !== null) return 'dead';
  if (e.sink === null) return 'unassigned';
  return e.blockedBy !== null ? 'waiting' : 'pending';
}

const OUTBOX_COLUMNS: Column<OutboxEntry>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'sink', value: (e) => e.sink },
  { header: 'kind', value: (e) => e.kind },
  { header: 'ticket', value: (e) => e.ticketId },
  { header: 'state', value: (e) => (outboxState(e) === 'waiting' ? `waiting for ${e.blockedBy}` : outboxState(e)) },
  { header: 'attempts', value: (e) => e.attempts },
  { header: 'next', value: (e) => (outboxState(e) === 'pending' ? formatTime(e.nextAttemptAt) : null) },
  { header: 'last error', value: (e) => e.lastError },
];

const describeRow = (i: OutboxItem) => `outbox row ${i.id} (${i.sink ?? 'no sink yet'}, ${i.kind} of ticket ${i.ticketId})`;

export function registerTickets(program: Command, deps: CliDeps): void {
  const tickets = program.command('tickets').description('callback tickets');

  tickets
    .command('list')
    .description('list tickets, newest first')
    .option('--since <duration>', 'only tickets created within, e.g. 24h, 7d')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action((opts: { since?: string; limit?: string }, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => printList(ctx.json, await ctx.store.reports.tickets(parseTicketList(opts, ctx.clock.now())), COLUMNS, 'no tickets'),
        { mustExist: true },
      ),
    );

  tickets
    .command('show')
    .argument('<id>', 'ticket id')
    .option('--json', 'print JSON')
    .description('show a ticket with its comments')
    .action((idText: string, _opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const id = parseTicketId(idText);
          const ticket = await ctx.store.tickets.get(id);
          if (!ticket) throw notFound(`ticket ${id} does not exist`);
          const comments = await ctx.store.tickets.comments(id);
          if (ctx.json) return printJson({ ...ticket, comments });
          const lines: Array<[string, unknown]> = [
            ['ticket', `#${ticket.id} ${ticket.subject}`],
            ['requester', ticket.requester],
            ['reason', ticket.reason],
            ['created', formatTime(ticket.createdAt)],
            ['queue', ticket.queue ?? '-'],
            ['number', ticket.did ?? '-'],
            ['callback', ticket.entryId ?? '-'],
            ['agent', ticket.agentId ?? '-'],
            ['waited', formatDuration(ticket.waitedSeconds)],
          ];
          sink.out(lines.map(([k, v]) => `${(k + ':').padEnd(11)}${String(v)}`).join('\n') + '\n');
          sink.out(
            comments.length === 0
              ? '\nno comments\n'
              : '\n' +
                  table(comments, [
                    { header: 'time', value: (c) => formatTime(c.createdAt) },
                    { header: 'visibility', value: (c) => (c.internal ? 'internal' : 'public') },
                    { header: 'text', value: (c) => c.body },
                  ]),
          );
        },
        { mustExist: true },
      ),
    );

  registerOutbox(tickets, deps);
}

function registerOutbox(tickets: Command, deps: CliDeps): void {
  const outbox = tickets.command('outbox').description('deliveries of tickets to the webhook / Zendesk');

  outbox
    .command('list')
    .description('undelivered rows, oldest first (--dead: only those a receiver refused)')
    .option('--dead', 'only dead letters')
    .option('--json', 'print JSON')
    .action((opts: { dead?: boolean }, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const rows = await ctx.store.outbox.list({ dead: opts.dead === true });
          if (ctx.json) return printJson(rows.map((e) => ({ ...e, state: outboxState(e) })));
          printList(false, rows, OUTBOX_COLUMNS, opts.dead ? 'no dead letters' : 'nothing waiting for delivery');
        },
        { mustExist: true },
      ),
    );

  outbox
    .command('retry')
    .argument('[id]', 'outbox row id (from tickets outbox list)')
    .option('--all-dead', 'retry every dead letter')
    .description('deliver a dead letter (or a row waiting for its backoff) again at the next run of the daemon')
    .action((idText: string | undefined, opts: { allDead?: boolean }, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const target = parseOutboxRetry(idText, opts);
          const now = ctx.clock.now();
          if ('allDead' in target) {
            const retried = await ctx.store.outbox.retryAllDead(now);
            if (retried.length === 0) return done('no dead letters to retry');
            for (const row of retried) done(`${describeRow(row)}: will be delivered again (last error: ${row.lastError ?? '-'})`);
            return;
          }
          const row = await ctx.store.outbox.get(target.id);
          if (!row) throw notFound(`outbox row ${target.id} does not exist (see callbackd tickets outbox list)`);
          if (row.deliveredAt !== null) throw new CliError('CLI_CONFLICT', `${describeRow(row)} was already delivered`);
          // retry() re-checks "undelivered" in its UPDATE: the daemon may have delivered it just now.
          if (!(await ctx.store.outbox.retry(row.id, now)))
            throw new CliError('CLI_CONFLICT', `${describeRow(row)} was delivered meanwhile`);
          done(`${describeRow(row)}: will be ${row.deadAt !== null ? 'delivered again' : 'attempted'} at the next run`);
        },
        { mustExist: true },
      ),
    );
}
