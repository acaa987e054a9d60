import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { NewTicket } from '../../../src/app/ports';
import { silentLogger, type Logger } from '../../../src/log';
import type { OutboxRepo } from '../../../src/store/outbox-repo';
import { openStore, type SqliteStore } from '../../../src/store/sqlite-store';
import { backoffMs, WebhookDeliverer } from '../../../src/tickets/webhook-sink';
import { makeTmpDir, type TmpDir } from '../store/tmp-db';

interface Received {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP endpoint on 127.0.0.1 answering with the queued statuses (then 200). */
class FakeTicketSystem {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  /** Read requests but never answer. */
  hang = false;
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ method: req.method, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (this.hang) return;
      const status = this.statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'internal trouble');
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tickets`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL on which nothing listens: connections are refused. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tickets`;
}

const T0 = 1_700_000_000_000;

describe('tickets/webhook deliverer', () => {
  let tmp: TmpDir;
  let store: SqliteStore;
  let endpoint: FakeTicketSystem;
  let now: number;
  const clock = { now: () => now };

  const newTicket = (entryId: string): NewTicket => ({
    subject: `Callback for ${entryId}`,
    requester: '+491701234567',
    reason: 'callback-accepted',
    queue: 'sales',
    did: '+4930123456',
    entryId,
    agentId: 'alice',
    waitedSeconds: 42,
    createdAt: now,
  });
  const deliverer = (url: string) => new WebhookDeliverer({ url, outbox: store.outbox, clock, log: silentLogger(), timeoutMs: 2000 });

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file(), { ticketOutbox: true });
    endpoint = new FakeTicketSystem();
    now = T0;
  });
  afterEach(async () => {
    await endpoint.close();
    store.close();
    tmp.cleanup();
  });

  it('POSTs a new ticket as JSON with its type and marks it delivered', async () => {
    const url = await endpoint.listen();
    const ticket = store.tickets.create(newTicket('e1'));

    const result = await deliverer(url).deliverDue();

    expect(result).to.deep.equal({ delivered: 1, failed: 0 });
    expect(endpoint.received).to.have.length(1);
    const [req] = endpoint.received;
    expect(req?.method).to.equal('POST');
    expect(req?.headers['content-type']).to.equal('application/json');
    expect(req?.body).to.deep.equal({ type: 'ticket', ...ticket });
    expect(store.outbox.backlog()).to.equal(0);
    expect(await deliverer(url).deliverDue(), 'nothing is sent twice').to.deep.equal({ delivered: 0, failed: 0 });
  });

  it('delivers a comment after its ticket, typed as comment', async () => {
    const url = await endpoint.listen();
    const ticket = store.tickets.create(newTicket('e1'));
    store.tickets.addComment(ticket.id, 'Called back, all good', now, false);
    const d = deliverer(url);

    await d.deliverDue();
    await d.deliverDue();

    expect(endpoint.received.map((r) => r.body)).to.deep.equal([
      { type: 'ticket', ...ticket },
      { type: 'comment', ticketId: ticket.id, body: 'Called back, all good', internal: false, createdAt: T0 },
    ]);
  });

  it('keeps a row the endpoint answered 500 for and delivers it after the backoff', async () => {
    const url = await endpoint.listen();
    endpoint.statuses.push(500);
    store.tickets.create(newTicket('e1'));
    const d = deliverer(url);

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1 });
    const [kept] = store.outbox.due(Number.MAX_SAFE_INTEGER, 10);
    expect(kept).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000 });
    expect(kept?.lastError).to.match(/^HTTP 500: internal trouble/);

    now = T0 + 4999;
    expect(await d.deliverDue(), 'not yet due').to.deep.equal({ delivered: 0, failed: 0 });
    expect(endpoint.received).to.have.length(1);

    now = T0 + 5000;
    expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0 });
    expect(endpoint.received).to.have.length(2);
    expect(endpoint.received[1]?.body).to.deep.equal(endpoint.received[0]?.body);
    expect(store.outbox.backlog()).to.equal(0);
  });

  it('loses nothing while the endpoint is down and delivers once it is back', async () => {
    store.tickets.create(newTicket('e1'));
    store.tickets.create(newTicket('e2'));
    const down = deliverer(await deadUrl());

    const result = await down.deliverDue();

    // The first refused connection ends the run; the second row is not even tried.
    expect(result).to.deep.equal({ delivered: 0, failed: 1 });
    expect(store.outbox.backlog()).to.equal(2);
    const [first, second] = store.outbox.due(Number.MAX_SAFE_INTEGER, 10);
    expect(first).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000 });
    expect(first?.lastError).to.match(/ECONNREFUSED/);
    expect(second).to.deep.include({ attempts: 0, lastError: null });

    const url = await endpoint.listen();
    now = T0 + 60_000;
    expect(await deliverer(url).deliverDue()).to.deep.equal({ delivered: 2, failed: 0 });
    expect(store.outbox.backlog()).to.equal(0);
  });

  it('counts an endpoint that does not answer within the timeout as a failed attempt', async () => {
    endpoint.hang = true;
    const url = await endpoint.listen();
    store.tickets.create(newTicket('e1'));
    const d = new WebhookDeliverer({ url, outbox: store.outbox, clock, log: silentLogger(), timeoutMs: 100 });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1 });

    expect(endpoint.received).to.have.length(1);
    const [kept] = store.outbox.due(Number.MAX_SAFE_INTEGER, 10);
    expect(kept).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000, lastError: 'no answer within 100 ms' });
  });

  it('keeps running on its timer when a run throws, logging the error', async () => {
    const errors: string[] = [];
    const log = { error: (msg: string) => errors.push(msg), warn: () => undefined, debug: () => undefined } as unknown as Logger;
    const broken: OutboxRepo = {
      due: () => {
        throw new Error('database is gone');
      },
      delivered: () => undefined,
      failed: () => undefined,
      backlog: () => 0,
      purgeDelivered: () => 0,
    };
    const d = new WebhookDeliverer({ url: 'http://127.0.0.1:9/', outbox: broken, clock, log });

    d.start(5);
    const deadline = Date.now() + 2000;
    while (errors.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await d.stop();

    expect(errors.length).to.be.at.least(2);
    expect(errors[0]).to.equal('ticket webhook delivery run failed');
  });

  it('backs off exponentially from 5 s, capped at the maximum', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 600_000))).to.deep.equal([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(8, 600_000)).to.equal(600_000);
    expect(backoffMs(1000, 600_000)).to.equal(600_000);
  });

  it('runs on a timer, purges week-old delivered rows, and stops cleanly', async () => {
    const url = await endpoint.listen();
    const old = store.tickets.create(newTicket('old'));
    const [oldItem] = store.outbox.due(now, 10);
    store.outbox.delivered(oldItem.id, T0 - 8 * 24 * 3600_000);
    const fresh = store.tickets.create(newTicket('fresh'));
    const d = deliverer(url);

    d.start(10);
    const deadline = Date.now() + 2000;
    while (endpoint.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await d.stop();

    expect(endpoint.received.map((r) => (r.body as { id: number }).id)).to.deep.equal([fresh.id]);
    expect(store.outbox.backlog()).to.equal(0);
    // The old row is gone, the fresh delivered one is kept for the week.
    expect(store.outbox.purgeDelivered(Number.MAX_SAFE_INTEGER)).to.equal(1);
    expect(store.tickets.get(old.id)).to.not.equal(undefined);
  });
});
