// `callbackd tickets outbox list|retry` against a temp database whose outbox is filled the way the
// daemon fills it (tickets and comments written, given to the sinks, some delivered, some refused).
import { expect } from 'chai';
import { parseOutboxRetry } from '../../../src/cli/tickets';
import type { NewTicket } from '../../../src/app/ports';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { fixedClock, makeCliEnv, type CliEnv } from './cli-env';

const T0 = 1_700_000_000_000;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

describe('cli/tickets outbox argument checks', () => {
  it('takes either an id or --all-dead', () => {
    expect(parseOutboxRetry('12', {})).to.deep.equal({ id: 12 });
    expect(parseOutboxRetry(undefined, { allDead: true })).to.deep.equal({ allDead: true });
    expect(codeOf(() => parseOutboxRetry('12', { allDead: true }))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseOutboxRetry(undefined, {}))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseOutboxRetry('#12', {}))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseOutboxRetry('0', {}))).to.equal('CLI_INVALID_ARGUMENT');
  });
});

describe('cli/tickets outbox commands', () => {
  let env: CliEnv;
  let daemonStore: SqliteStore;
  const clock = fixedClock(T0);
  /** Outbox row ids: ticket 1 to both sinks (webhook delivered, Zendesk dead), its comment, ticket 2. */
  let ids: { hookTicket: number; zendeskTicket: number; zendeskComment: number; hookComment: number; fresh: number };

  const ticket = (entryId: string): NewTicket => ({
    subject: 'Callback',
    requester: '+491701111111',
    reason: 'callback-accepted',
    queue: 'support',
    did: '+4930123456',
    entryId,
    agentId: 'alice',
    waitedSeconds: 90,
    createdAt: T0 - 60_000,
  });

  beforeEach(() => {
    env = makeCliEnv();
    daemonStore = openStore(env.db, { ticketOutbox: true });
    const o = daemonStore.outbox;
    const t1 = daemonStore.tickets.create(ticket('e1'));
    daemonStore.tickets.addComment(t1.id, 'callback attempted, not answered (busy, 1 attempt)', T0 - 50_000);
    o.assign(['webhook', 'zendesk']);
    const rows = o.list();
    const find = (sink: string, kind: string) => rows.find((r) => r.sink === sink && r.kind === kind)!.id;
    ids = {
      hookTicket: find('webhook', 'ticket'),
      zendeskTicket: find('zendesk', 'ticket'),
      zendeskComment: find('zendesk', 'comment'),
      hookComment: find('webhook', 'comment'),
      fresh: 0,
    };
    o.delivered(ids.hookTicket, T0 - 40_000);
    o.failed(ids.hookComment, T0 - 40_000, 'HTTP 503: maintenance', T0 + 5000);
    o.dead(ids.zendeskTicket, T0 - 40_000, 'POST /api/v2/users.json: HTTP 422: {"error":"RecordInvalid"}');
    daemonStore.tickets.create(ticket('e2'));
    ids.fresh = o.list().find((r) => r.sink === null)!.id;
  });
  afterEach(() => {
    daemonStore.close();
    env.cleanup();
  });

  it('lists what is not delivered yet, oldest first, with state, attempts and last error', async () => {
    const text = await env.run(['tickets', 'outbox', 'list'], clock);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).to.match(/^ID\s+SINK\s+KIND\s+TICKET\s+STATE\s+ATTEMPTS\s+NEXT\s+LAST ERROR$/);
    // Ids follow the writes: the rows as written went to the webhook, the Zendesk copies came after.
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 5))).to.deep.equal([
      [String(ids.hookComment), 'webhook', 'comment', '1', 'pending'],
      [String(ids.zendeskTicket), 'zendesk', 'ticket', '1', 'dead'],
      [String(ids.zendeskComment), 'zendesk', 'comment', '1', `waiting for ${ids.zendeskTicket}`],
      [String(ids.fresh), '-', 'ticket', '2', 'unassigned'],
    ]);
    expect(lines[1]).to.match(/\s1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+HTTP 503: maintenance$/);
    expect(lines[2]).to.match(/\s1\s+-\s+POST \/api\/v2\/users\.json: HTTP 422: \{"error":"RecordInvalid"\}$/);
  });

  it('lists only dead letters with --dead, as JSON with ISO times on request', async () => {
    const rows = JSON.parse(await env.run(['tickets', 'outbox', 'list', '--dead', '--json'], clock));
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({
      id: ids.zendeskTicket,
      sink: 'zendesk',
      kind: 'ticket',
      ticketId: 1,
      state: 'dead',
      attempts: 1,
      deadAt: new Date(T0 - 40_000).toISOString(),
      lastError: 'POST /api/v2/users.json: HTTP 422: {"error":"RecordInvalid"}',
    });
    expect(rows[0].payload).to.include({ requester: '+491701111111', reason: 'callback-accepted' });
  });

  it('says so when there is nothing to list', async () => {
    daemonStore.outbox.retryAllDead(T0);
    expect(await env.run(['tickets', 'outbox', 'list', '--dead'], clock)).to.equal('no dead letters\n');
  });

  it('retries one dead letter: one line, and the row is due now for its sink', async () => {
    const out = await env.run(['tickets', 'outbox', 'retry', String(ids.zendeskTicket)], clock);

    expect(out).to.equal(`outbox row ${ids.zendeskTicket} (zendesk, ticket of ticket 1): will be delivered again at the next run\n`);
    expect(daemonStore.outbox.due('zendesk', T0, 10).map((i) => i.id)).to.deep.equal([ids.zendeskTicket]);
  });

  it('retries a row waiting for its backoff at once', async () => {
    expect(await env.run(['tickets', 'outbox', 'retry', String(ids.hookComment)], clock)).to.match(/will be attempted at the next run/);
    expect(daemonStore.outbox.due('webhook', T0, 10).map((i) => i.id)).to.deep.equal([ids.hookComment]);
  });

  it('retries all dead letters, one line each', async () => {
    daemonStore.outbox.dead(ids.hookComment, T0, 'HTTP 401: bad token');

    const out = await env.run(['tickets', 'outbox', 'retry', '--all-dead'], clock);

    expect(out.trimEnd().split('\n')).to.deep.equal([
      `outbox row ${ids.hookComment} (webhook, comment of ticket 1): will be delivered again (last error: HTTP 401: bad token)`,
      `outbox row ${ids.zendeskTicket} (zendesk, ticket of ticket 1): will be delivered again (last error: POST /api/v2/users.json: HTTP 422: {"error":"RecordInvalid"})`,
    ]);
    expect(await env.run(['tickets', 'outbox', 'retry', '--all-dead'], clock)).to.equal('no dead letters to retry\n');
  });

  it('refuses to retry a delivered row, an unknown one, or an unclear request', async () => {
    const delivered = await env.fail(['tickets', 'outbox', 'retry', String(ids.hookTicket)], clock);
    expect(delivered.code).to.equal('CLI_CONFLICT');
    expect(delivered.message).to.equal(`outbox row ${ids.hookTicket} (webhook, ticket of ticket 1) was already delivered`);
    expect((await env.fail(['tickets', 'outbox', 'retry', '999'], clock)).code).to.equal('CLI_NOT_FOUND');
    expect((await env.fail(['tickets', 'outbox', 'retry', 'abc'], clock)).code).to.equal('CLI_INVALID_ARGUMENT');
    expect((await env.fail(['tickets', 'outbox', 'retry'], clock)).code).to.equal('CLI_INVALID_ARGUMENT');
    expect((await env.fail(['tickets', 'outbox', 'retry', '1', '--all-dead'], clock)).code).to.equal('CLI_INVALID_ARGUMENT');
  });
});

describe('cli/tickets outbox without a database', () => {
  it('refuses to list rather than create an empty database', async () => {
    const env = makeCliEnv();
    try {
      expect((await env.fail(['tickets', 'outbox', 'list'])).code).to.equal('CLI_NO_DATABASE');
    } finally {
      env.cleanup();
    }
  });
});
