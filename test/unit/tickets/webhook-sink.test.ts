// The webhook sink against a real HTTP receiver on 127.0.0.1: request shape, credentials, signature
// (checked with the recipe the README gives receivers), and what each kind of answer does to the row.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import type { NewTicket } from '../../../src/app/ports';
import { silentLogger } from '../../../src/log';
import type { OutboxItem, OutboxStore } from '../../../src/app/ports';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { createAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { backoffMs } from '../../../src/tickets/outbox-deliverer';
import { WebhookDeliverer, type WebhookDelivererOptions } from '../../../src/tickets/webhook-sink';
import { makeTmpDir, type TmpDir } from '../store/tmp-db';
import { deadUrl, LoopbackServer, recordingLogger, type Reply } from './loopback-http';

const T0 = 1_700_000_000_000;
const SECRET = 'whsec-test-4711';

/**
 * The receiver's side, as documented in README "Tickets": HMAC-SHA256 over "<timestamp>.<raw body>"
 * with the shared secret, compared in constant time, and a timestamp no older than 5 minutes.
 */
function receiverAccepts(headers: IncomingHttpHeaders, rawBody: string, secret: string, receiverNowSeconds: number): boolean {
  const timestamp = headers['callbackd-timestamp'];
  const signature = headers['callbackd-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(receiverNowSeconds - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('tickets/webhook deliverer', () => {
  let tmp: TmpDir;
  let store: SqliteStore;
  let endpoint: LoopbackServer;
  /** Answers in order, then 200. */
  let replies: Reply[];
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
  const deliverer = (url: string, extra: Partial<WebhookDelivererOptions> = {}) =>
    new WebhookDeliverer({
      url,
      outbox: createAppStore(store, { lockDeadlineMs: 2000 }).outbox,
      clock,
      log: silentLogger(),
      timeoutMs: 2000,
      ...extra,
    });
  const listen = async () => `${await endpoint.listen()}/tickets`;
  /** The undelivered webhook rows, whatever their schedule. */
  const kept = (): OutboxItem[] => store.outbox.list().filter((i) => i.sink === 'webhook');

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file(), { ticketOutbox: true });
    replies = [];
    endpoint = new LoopbackServer(() => replies.shift() ?? { status: 200, body: 'ok' });
    now = T0;
  });
  afterEach(async () => {
    await endpoint.close();
    store.close();
    tmp.cleanup();
  });

  it('POSTs a new ticket as JSON with its type and marks it delivered', async () => {
    const url = await listen();
    const ticket = store.tickets.create(newTicket('e1'));

    const result = await deliverer(url).deliverDue();

    expect(result).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
    expect(endpoint.received).to.have.length(1);
    const [req] = endpoint.received;
    expect(req.method).to.equal('POST');
    expect(req.path).to.equal('/tickets');
    expect(req.headers['content-type']).to.equal('application/json');
    expect(req.headers['idempotency-key']).to.match(/^callbackd-outbox-\d+$/);
    expect(req.body).to.deep.equal({ type: 'ticket', ...ticket });
    expect(store.outbox.backlog()).to.equal(0);
    expect(await deliverer(url).deliverDue(), 'nothing is sent twice').to.deep.equal({ delivered: 0, failed: 0, dead: 0 });
  });

  it('delivers a comment after its ticket, typed as comment', async () => {
    const url = await listen();
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

  describe('credentials and signature', () => {
    it('sends tickets.webhookAuthorization as the Authorization header', async () => {
      const url = await listen();
      store.tickets.create(newTicket('e1'));

      await deliverer(url, { authorization: 'Bearer tok-0815' }).deliverDue();

      expect(endpoint.received[0].headers.authorization).to.equal('Bearer tok-0815');
    });

    it('sends no Authorization and no signature headers when neither is configured', async () => {
      const url = await listen();
      store.tickets.create(newTicket('e1'));

      await deliverer(url).deliverDue();

      const { headers } = endpoint.received[0];
      expect(headers).not.to.have.property('authorization');
      expect(headers).not.to.have.property('callbackd-signature');
      expect(headers).not.to.have.property('callbackd-timestamp');
    });

    it('signs each POST so that the documented receiver recipe accepts it', async () => {
      const url = await listen();
      const ticket = store.tickets.create(newTicket('e1'));
      store.tickets.addComment(ticket.id, 'not answered', now);
      const d = deliverer(url, { secret: SECRET });

      await d.deliverDue();
      now += 90_000;
      await d.deliverDue();

      expect(endpoint.received).to.have.length(2);
      const [first, second] = endpoint.received;
      expect(first.headers['callbackd-timestamp']).to.equal(String(T0 / 1000));
      expect(second.headers['callbackd-timestamp'], 'each attempt has its own time').to.equal(String(T0 / 1000 + 90));
      expect(first.headers['callbackd-signature']).to.match(/^sha256=[0-9a-f]{64}$/);
      for (const req of endpoint.received) expect(receiverAccepts(req.headers, req.raw, SECRET, T0 / 1000 + 100)).to.equal(true);
    });

    it('gives a signature the receiver refuses with another secret, another body or too late', async () => {
      const url = await listen();
      store.tickets.create(newTicket('e1'));
      await deliverer(url, { secret: SECRET }).deliverDue();
      const [req] = endpoint.received;

      expect(receiverAccepts(req.headers, req.raw, 'another-secret', T0 / 1000)).to.equal(false);
      expect(receiverAccepts(req.headers, req.raw.replace('+491701234567', '+491709999999'), SECRET, T0 / 1000)).to.equal(false);
      expect(receiverAccepts(req.headers, req.raw, SECRET, T0 / 1000 + 301), 'replayed after 5 minutes').to.equal(false);
    });
  });

  describe('answers', () => {
    for (const status of [400, 401, 403, 404, 410, 422]) {
      it(`makes a row answered ${status} a dead letter: kept with its error, never retried, logged once as error`, async () => {
        const url = await listen();
        replies.push({ status, body: 'no such hook' });
        const ticket = store.tickets.create(newTicket('e1'));
        store.tickets.addComment(ticket.id, 'note', now);
        const { log, lines } = recordingLogger();
        const d = deliverer(url, { log });

        expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 0, dead: 1 });
        now += 24 * 3600_000;
        expect(await d.deliverDue(), 'neither the row nor its comment is sent again').to.deep.equal({
          delivered: 0,
          failed: 0,
          dead: 0,
        });

        expect(endpoint.received).to.have.length(1);
        const [dead, comment] = kept();
        expect(dead).to.deep.include({ kind: 'ticket', attempts: 1, deadAt: T0, lastError: `HTTP ${status}: no such hook` });
        expect(comment).to.deep.include({ kind: 'comment', deadAt: null, attempts: 0 });
        const errors = lines.filter((l) => l.level === 'error');
        expect(errors).to.have.length(1);
        expect(errors[0].message).to.match(/dead letter/);
        expect(errors[0].meta).to.include({
          sink: 'webhook',
          outboxId: dead.id,
          ticketId: ticket.id,
          error: `HTTP ${status}: no such hook`,
        });
      });
    }

    it('delivers a dead letter once it is retried', async () => {
      const url = await listen();
      replies.push({ status: 401, body: 'bad token' });
      store.tickets.create(newTicket('e1'));
      const d = deliverer(url);
      await d.deliverDue();
      const [dead] = kept();

      expect(store.outbox.retry(dead.id, now)).to.equal(true);
      expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
      expect(store.outbox.backlog()).to.equal(0);
    });

    for (const status of [408, 500, 502, 503]) {
      it(`keeps a row answered ${status} and delivers it after the backoff`, async () => {
        const url = await listen();
        replies.push({ status, body: 'internal trouble' });
        store.tickets.create(newTicket('e1'));
        const d = deliverer(url);

        expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
        const [row] = kept();
        expect(row).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000, deadAt: null });
        expect(row.lastError).to.equal(`HTTP ${status}: internal trouble`);

        now = T0 + 4999;
        expect(await d.deliverDue(), 'not yet due').to.deep.equal({ delivered: 0, failed: 0, dead: 0 });
        expect(endpoint.received).to.have.length(1);

        now = T0 + 5000;
        expect(await d.deliverDue()).to.deep.equal({ delivered: 1, failed: 0, dead: 0 });
        expect(endpoint.received).to.have.length(2);
        expect(endpoint.received[1].body).to.deep.equal(endpoint.received[0].body);
        expect(store.outbox.backlog()).to.equal(0);
      });
    }

    it('waits as long as a 429 Retry-After in seconds says, and stops the run there', async () => {
      const url = await listen();
      replies.push({ status: 429, headers: { 'retry-after': '37' }, body: 'slow down' });
      store.tickets.create(newTicket('e1'));
      store.tickets.create(newTicket('e2'));
      const d = deliverer(url);

      expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
      expect(endpoint.received, 'the second row is not tried while rate-limited').to.have.length(1);
      const [limited, untouched] = kept();
      expect(limited).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 37_000, lastError: 'HTTP 429: slow down' });
      expect(untouched).to.deep.include({ attempts: 0 });

      now = T0 + 36_999;
      expect(await d.deliverDue(), 'no row of the sink is sent before Retry-After').to.deep.equal({
        delivered: 0,
        failed: 0,
        dead: 0,
      });
      expect(endpoint.received).to.have.length(1);
      now = T0 + 37_000;
      expect(await d.deliverDue()).to.deep.equal({ delivered: 2, failed: 0, dead: 0 });
    });

    it('reads a 429 Retry-After given as an HTTP date', async () => {
      const url = await listen();
      replies.push({ status: 429, headers: { 'retry-after': new Date(T0 + 120_000).toUTCString() } });
      store.tickets.create(newTicket('e1'));

      await deliverer(url).deliverDue();

      expect(kept()[0].nextAttemptAt).to.equal(T0 + 120_000);
    });

    it('backs off as usual after a 429 without Retry-After', async () => {
      const url = await listen();
      replies.push({ status: 429 });
      store.tickets.create(newTicket('e1'));

      await deliverer(url).deliverDue();

      expect(kept()[0]).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000, lastError: 'HTTP 429' });
    });
  });

  it('loses nothing while the endpoint is down and delivers once it is back', async () => {
    store.tickets.create(newTicket('e1'));
    store.tickets.create(newTicket('e2'));
    const down = deliverer(`${await deadUrl()}/tickets`);

    const result = await down.deliverDue();

    // The first refused connection ends the run; the second row is not even tried.
    expect(result).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });
    expect(store.outbox.backlog()).to.equal(2);
    const [first, second] = kept();
    expect(first).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000 });
    expect(first.lastError).to.match(/ECONNREFUSED/);
    expect(second).to.deep.include({ attempts: 0, lastError: null });

    const url = await listen();
    now = T0 + 60_000;
    expect(await deliverer(url).deliverDue()).to.deep.equal({ delivered: 2, failed: 0, dead: 0 });
    expect(store.outbox.backlog()).to.equal(0);
  });

  it('counts an endpoint that does not answer within the timeout as a failed attempt', async () => {
    endpoint.hang = true;
    const url = await listen();
    store.tickets.create(newTicket('e1'));
    const d = deliverer(url, { timeoutMs: 100 });

    expect(await d.deliverDue()).to.deep.equal({ delivered: 0, failed: 1, dead: 0 });

    expect(endpoint.received).to.have.length(1);
    expect(kept()[0]).to.deep.include({ attempts: 1, nextAttemptAt: T0 + 5000, lastError: 'no answer within 100 ms' });
  });

  it('keeps running on its timer when a run throws, logging the error', async () => {
    const { log, lines } = recordingLogger();
    const broken: OutboxStore = {
      ...createAppStore(store, { lockDeadlineMs: 2000 }).outbox,
      due: () => {
        throw new Error('database is gone');
      },
    };
    const d = new WebhookDeliverer({ url: 'http://127.0.0.1:9/', outbox: broken, clock, log });

    d.start(5);
    const deadline = Date.now() + 2000;
    while (lines.filter((l) => l.level === 'error').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await d.stop();

    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.length).to.be.at.least(2);
    expect(errors[0].message).to.equal('ticket webhook delivery run failed');
    expect(errors[0].meta).to.deep.equal({ error: 'database is gone' });
  });

  it('backs off exponentially from 5 s, capped at the maximum', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 600_000))).to.deep.equal([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(8, 600_000)).to.equal(600_000);
    expect(backoffMs(1000, 600_000)).to.equal(600_000);
  });

  it('runs on a timer, purges week-old delivered rows, and stops cleanly', async () => {
    const url = await listen();
    const old = store.tickets.create(newTicket('old'));
    store.outbox.assign(['webhook']);
    const [oldItem] = store.outbox.due('webhook', now, 10);
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
