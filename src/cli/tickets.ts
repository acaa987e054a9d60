// `callbackd tickets list|show`: the "Callback" tickets created when an agent calls back or a
// callback expires, with their internal comments (e.g. "callback attempted, not answered").
import type { Command } from 'commander';
import type { Ticket } from '../domain/model';
import type { CliDeps } from './context';
import { withContext } from './context';
import { invalid, notFound } from './errors';
import { formatDuration, formatTime, printJson, printList, sink, table, type Column } from './output';
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
        (ctx) => printList(ctx.json, ctx.store.tickets.list(parseTicketList(opts, ctx.clock.now())), COLUMNS, 'no tickets'),
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
        (ctx) => {
          const id = parseTicketId(idText);
          const ticket = ctx.store.tickets.get(id);
          if (!ticket) throw notFound(`ticket ${id} does not exist`);
          const comments = ctx.store.tickets.comments(id);
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
}
