// Contract tests of the Zendesk sink against a Zendesk stand-in on 127.0.0.1 that checks the documented
// request shapes: search the end user by phone, create one if needed, create the ticket with
// external_id, add the "not answered" note as a private comment, exactly once across crashes and lost
// answers; 429 Retry-After, 5xx backoff, 4xx dead letter.
import { expect } from 'chai';
import type { NewTicket } from '../../../src/app/ports';
import type { Ticket } from '../../../src/domain/model';
import { silentLogger } from '../../../src/log';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import type { OutboxItem } from '../../../src/store/sqlite/outbox-repo';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { createAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { ZendeskClient } from '../../../src/tickets/zendesk-client';
import { ZendeskDeliverer, zendeskExternalId, zendeskTags } from '../../../src/tickets/zendesk-sink';
import { makeTmpDir, type TmpDir } from '../store/tmp-db';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from './fake-zendesk';
import { recordingLogger } from './loopback-http';

const T0 = 1_700_000_000_000;
const NUMBER = '+491701234567';

describe('tickets/Zendesk deliverer (contract)', () => {
  let tmp: TmpDir;
  let store: SqliteStore;
  let raw: Db;
  let zendesk: FakeZendesk;
  let baseUrl: string;
  let now: number;
  const clock = { now: () => now };

  const newTicket = (entryId: string, over: Partial<NewTicket> = {}): NewTicket => ({
    subject: 'Callback',
    requester: NUMBER,
    reason: 'callback-accepted',
    queue: 'Sales EU',
    did: '+4930123456',
    entryId,
    agentId: 'alice',
    waitedSeconds: 725,
    createdAt: now,
    ...over,
  });
  const deliverer = (
    opts: { apiToken?: string; timeoutMs?: number; languageOf?: (t: Ticket) => string; log?: ReturnType<typeof silentLogger> } = {},
  ) =>
    new ZendeskDeliverer({
      client: new ZendeskClient({
        baseUrl,
        email: ZENDESK_EMAIL,
        apiToken: opts.apiToken ?? ZENDESK_TOKEN,
        clock,
        timeoutMs: opts.timeoutMs ?? 2000,
      }),
      outbox: createAppStore(store, { lockDeadlineMs: 2000 }).outbox,
      clock,
      log: opts.log ?? silentLogger(),
      languageOf: opts.languageOf,
    });
  const kept = (): OutboxItem[] => store.outbox.list().filter((i) => i.sink === 'zendesk');
  const requests = () => zendesk.received.map((r) => `${r.method} ${r.path}`);

  beforeEach(async () => {
    tmp = makeTmpDir();
    store = openStore(tmp.file(), { ticketOutbox: true });
    raw = openDatabase(tmp.file());
    zendesk = new FakeZendesk();
    baseUrl = await zendesk.listen();
    now = T0;
  });
  afterEach(async () => {
    await zendesk.close();
    raw.close();
    store.close();
    tmp.cleanup();
  });

  it('creates the end user by phone and the ticket with requester, subject, tags, external_id and a private description', async () => {
    const ticket = store.tickets.create(newTicket('e1'));

    expect(await deliverer().deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });

    expect(requests()).to.deep.equal([
      'GET /api/v2/tickets.json',
      'GET /api/v2/search.json',
      'POST /api/v2/users.json',
      'POST /api/v2/tickets.json',
    ]);
    const [lookup, search, createUser, createTicket] = zendesk.received;
    expect(lookup.query.get('external_id')).to.equal(`callbackd-${ticket.id}-${T0}`);
    expect(search.query.get('query')).to.equal('role:end-user phone:491701234567');
    expect(createUser.body).to.deep.equal({ user: { name: `Caller ${NUMBER}`, phone: NUMBER, role: 'end-user' } });
    const [user] = zendesk.users;
    expect(createTicket.body).to.deep.equal({
      ticket: {
        subject: 'Callback',
        requester_id: user.id,
        external_id: `callbackd-${ticket.id}-${T0}`,
        tags: ['callbackd', 'callback-accepted', 'callbackd-queue-sales_eu'],
        comment: {
          body: [
            `${NUMBER} asked for a callback while waiting in the queue; an agent accepted it and is calling back.`,
            '',
            `Callback number: ${NUMBER}`,
            'Queue: Sales EU',
            'Number called: +4930123456',
            'Waited: 12 min 5 s',
            'Agent: alice',
          ].join('\n'),
          public: false,
        },
      },
    });
    for (const r of zendesk.received) {
      expect(r.headers.authorization, `${r.method} ${r.path}`).to.equal(
        `Basic ${Buffer.from(`${ZENDESK_EMAIL}/token:${ZENDESK_TOKEN}`).toString('base64')}`,
      );
    }
    expect(zendesk.tickets).to.have.length(1);
    expect(store.outbox.externalId(ticket.id, 'zendesk')).to.equal(String(zendesk.tickets[0].id));
    expect(store.outbox.backlog()).to.equal(0);
  });

  it('makes the end user found by phone the requester instead of creating one', async () => {
    const existing = zendesk.addUser('Maria Muster', '+49 170 1234567');
    store.tickets.create(newTicket('e1', { reason: 'callback-expired', agentId: null }));

    await deliverer().deliverDue();

    expect(requests()).not.to.include('POST /api/v2/users.json');
    expect(zendesk.tickets[0]).to.deep.include({
      requester_id: existing.id,
      tags: ['callbackd', 'callback-expired', 'callbackd-queue-sales_eu'],
    });
    expect(zendesk.tickets[0].comments[0].body).to.match(/has expired\. Please follow up\./);
  });

  it('writes the description and the caller name in the number language', async () => {
    store.tickets.create(newTicket('e1', { subject: 'Rückruf' }));

    await deliverer({ languageOf: (t) => (t.did === '+4930123456' ? 'de' : 'en') }).deliverDue();

    expect(zendesk.users[0].name).to.equal(`Anrufer ${NUMBER}`);
    expect(zendesk.tickets[0].subject).to.equal('Rückruf');
    expect(zendesk.tickets[0].comments[0].body).to.include('Wartezeit: 12 Min. 5 Sek.');
  });

  it('adds the "not answered" note as a private comment to the same Zendesk ticket', async () => {
    const ticket = store.tickets.create(newTicket('e1'));
    store.tickets.addComment(ticket.id, 'callback attempted, not answered (busy, 1 attempt)', now, true);
    const d = deliverer();

    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });

    const [zt] = zendesk.tickets;
    const update = zendesk.received[zendesk.received.length - 1];
    expect(`${update.method} ${update.path}`).to.equal(`PUT /api/v2/tickets/${zt.id}.json`);
    expect(update.body).to.deep.equal({
      ticket: { comment: { body: 'callback attempted, not answered (busy, 1 attempt)', public: false } },
    });
    expect(zt.comments).to.have.length(2);
  });

  it('creates one Zendesk ticket although the delivered mark and the local link were lost after the POST', async () => {
    const ticket = store.tickets.create(newTicket('e1'));
    await deliverer().deliverDue();
    // A crash right after the POST: neither the link nor the delivered mark reached the database.
    raw.prepare('UPDATE ticket_outbox SET delivered_at = NULL').run();
    raw.prepare('DELETE FROM ticket_links').run();
    zendesk.received.length = 0;

    expect(await deliverer().deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });

    expect(requests(), 'found by external_id, nothing created').to.deep.equal(['GET /api/v2/tickets.json']);
    expect(zendesk.tickets).to.have.length(1);
    expect(zendesk.users).to.have.length(1);
    expect(store.outbox.externalId(ticket.id, 'zendesk')).to.equal(String(zendesk.tickets[0].id));
  });

  it('sends nothing when only the delivered mark was lost (the link is written first)', async () => {
    store.tickets.create(newTicket('e1'));
    await deliverer().deliverDue();
    raw.prepare('UPDATE ticket_outbox SET delivered_at = NULL').run();
    zendesk.received.length = 0;

    expect(await deliverer().deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
    expect(zendesk.received).to.deep.equal([]);
    expect(zendesk.tickets).to.have.length(1);
  });

  it('creates one Zendesk ticket when the answer to the create is lost (timeout) and the row is retried', async () => {
    zendesk.failNext('POST', /^\/api\/v2\/tickets\.json$/, { status: 201 }, { apply: true, hang: true });
    store.tickets.create(newTicket('e1'));
    const d = deliverer({ timeoutMs: 200 });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
    expect(kept()[0].lastError).to.equal('POST /api/v2/tickets.json: no answer within 200 ms');
    now += 5000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });

    expect(zendesk.tickets).to.have.length(1);
  });

  it('adds a comment once when the answer to the update was lost', async () => {
    const ticket = store.tickets.create(newTicket('e1'));
    store.tickets.addComment(ticket.id, 'callback attempted, not answered (no answer, 1 attempt)', now, true);
    const d = deliverer({ timeoutMs: 200 });
    await d.deliverDue();
    zendesk.failNext('PUT', /^\/api\/v2\/tickets\/\d+\.json$/, { status: 200 }, { apply: true, hang: true });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
    now += 5000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });

    const last = zendesk.received[zendesk.received.length - 1];
    expect(`${last.method} ${last.path}`).to.equal(`GET /api/v2/tickets/${zendesk.tickets[0].id}/comments.json`);
    expect(zendesk.tickets[0].comments.map((c) => c.body)).to.deep.equal([
      zendesk.tickets[0].comments[0].body,
      'callback attempted, not answered (no answer, 1 attempt)',
    ]);
  });

  it('creates one end user for two tickets of a new number while the search index lags', async () => {
    zendesk.searchLags = true;
    store.tickets.create(newTicket('e1'));
    store.tickets.create(newTicket('e2'));

    expect(await deliverer().deliverDue()).to.deep.equal({ delivered: 2, failed: 0, dead: 0 });

    expect(zendesk.users).to.have.length(1);
    expect(zendesk.tickets.map((t) => t.requester_id)).to.deep.equal([zendesk.users[0].id, zendesk.users[0].id]);
  });

  it('waits as long as a 429 Retry-After says, then creates the ticket once', async () => {
    zendesk.failNext('POST', /^\/api\/v2\/tickets\.json$/, {
      status: 429,
      headers: { 'retry-after': '93' },
      body: 'Number of allowed API requests per minute exceeded',
    });
    store.tickets.create(newTicket('e1'));
    const d = deliverer();

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
    expect(kept()[0]).to.deep.include({
      nextAttemptAt: T0 + 93_000,
      lastError: 'POST /api/v2/tickets.json: HTTP 429: Number of allowed API requests per minute exceeded',
    });
    now = T0 + 92_999;
    await d.deliverDue();
    expect(zendesk.tickets).to.have.length(0);
    now = T0 + 93_000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
    expect(zendesk.tickets).to.have.length(1);
    expect(zendesk.users, 'the user created before the 429 is reused').to.have.length(1);
  });

  it('backs off after a 5xx and delivers on the next due attempt', async () => {
    zendesk.failNext('GET', /^\/api\/v2\/search\.json$/, { status: 503, body: 'Service Unavailable' });
    store.tickets.create(newTicket('e1'));
    const d = deliverer();

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
    expect(kept()[0]).to.deep.include({
      attempts: 1,
      nextAttemptAt: T0 + 5000,
      lastError: 'GET /api/v2/search.json: HTTP 503: Service Unavailable',
    });
    now = T0 + 5000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
  });

  it('makes a row a dead letter on a 4xx, naming the failed step, and does not retry it', async () => {
    zendesk.failNext('POST', /^\/api\/v2\/users\.json$/, { status: 422, body: { error: 'RecordInvalid' } });
    store.tickets.create(newTicket('e1'));
    const { log, lines } = recordingLogger();
    const d = deliverer({ log });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 0, dead: 1 });
    now += 24 * 3600_000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 0, dead: 0 });

    expect(kept()[0]).to.deep.include({ deadAt: T0, lastError: 'POST /api/v2/users.json: HTTP 422: {"error":"RecordInvalid"}' });
    expect(zendesk.tickets).to.have.length(0);
    expect(lines.filter((l) => l.level === 'error')).to.have.length(1);
  });

  it('makes rows dead letters when the API token is wrong (401)', async () => {
    store.tickets.create(newTicket('e1'));

    expect(await deliverer({ apiToken: 'wrong' }).deliverDue()).to.deep.equal({ delivered: 0, failed: 0, dead: 1 });
    expect(kept()[0].lastError).to.match(/^GET \/api\/v2\/tickets\.json: HTTP 401/);
  });

  it('skips a comment on a ticket that was created before Zendesk delivery was configured', async () => {
    const old = store.tickets.create(newTicket('e1'));
    store.outbox.assign(['webhook']);
    store.tickets.addComment(old.id, 'callback attempted, not answered (busy, 1 attempt)', now, true);
    const d = new ZendeskDeliverer({
      client: new ZendeskClient({ baseUrl, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, clock }),
      outbox: createAppStore(store, { lockDeadlineMs: 2000 }).outbox,
      clock,
      log: silentLogger(),
      sinks: ['webhook', 'zendesk'],
    });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
    expect(zendesk.received).to.deep.equal([]);
  });

  it('names the external id and the tags as documented', () => {
    expect(zendeskExternalId({ id: 42, createdAt: T0 })).to.equal(`callbackd-42-${T0}`);
    expect(zendeskTags({ reason: 'callback-expired', queue: 'Support/1st level' })).to.deep.equal([
      'callbackd',
      'callback-expired',
      'callbackd-queue-support_1st_level',
    ]);
    expect(zendeskTags({ reason: 'callback-accepted', queue: null })).to.deep.equal(['callbackd', 'callback-accepted']);
  });
});
