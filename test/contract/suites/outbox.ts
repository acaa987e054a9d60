// The ticket outbox: rows written with the ticket or comment, assigned to sinks, due in order (a comment
// never overtakes its ticket), delivered, failed with backoff, dead until retried, purged, linked.
import { expect } from 'chai';
import type { Store } from '../../../src/app/ports';
import type { ContractFactory } from '../fixture';
import { MIN, RULES, SEC, T0, availableAgent, dialing, pendingCallback, seedDirectory, useSubject } from '../seed';

/** A ticket with one comment (accepted, then interrupted by a fault): two outbox rows, ticket first. */
async function ticketWithComment(store: Store, id: string, number: string): Promise<number> {
  await pendingCallback(store, id, number, T0);
  const ticketId = await dialing(store, id, 'alice', T0 + MIN);
  await store.delivery.returnAfterFault(id, 'alice', T0 + 2 * MIN, 'PBX restarted', RULES);
  return ticketId;
}

export function outboxContract(factory: ContractFactory): void {
  describe('outbox', () => {
    const subject = useSubject(factory);
    beforeEach(async () => {
      await seedDirectory(subject().store);
      await availableAgent(subject().store, 'alice', T0 - MIN);
    });

    it('rows come with the ticket and its comment, unassigned, and are counted as pending', async () => {
      const { store } = subject();
      const ticketId = await ticketWithComment(store, 'cb', '+491701111111');
      const rows = await store.outbox.list();
      expect(rows.map((r) => [r.kind, r.ticketId, r.sink, r.attempts, r.deliveredAt, r.deadAt])).to.deep.equal([
        ['ticket', ticketId, null, 0, null, null],
        ['comment', ticketId, null, 0, null, null],
      ]);
      expect(rows[0].payload).to.include({ id: ticketId, reason: 'callback-accepted', entryId: 'cb' });
      expect(rows[1].payload).to.include({ ticketId, internal: true });
      expect(await store.reports.outboxCounts()).to.deep.equal({ pending: 2, failed: 0 });
      expect(await store.outbox.get(rows[0].id)).to.deep.include({ kind: 'ticket', ticketId });
      expect(await store.outbox.get(9999)).to.equal(undefined);
    });

    it('assign copies every unassigned row to each sink once; due keeps the comment behind its ticket', async () => {
      const { store } = subject();
      await ticketWithComment(store, 'cb', '+491701111111');
      expect(await store.outbox.assign(['webhook', 'zendesk'])).to.equal(2);
      expect(await store.outbox.assign(['webhook', 'zendesk'])).to.equal(0);
      const now = T0 + 10 * MIN;
      const webhook = await store.outbox.due('webhook', now, 10);
      expect(webhook.map((r) => r.kind)).to.deep.equal(['ticket']);
      expect((await store.outbox.due('zendesk', now, 10)).map((r) => r.kind)).to.deep.equal(['ticket']);
      await store.outbox.delivered(webhook[0].id, now);
      const next = await store.outbox.due('webhook', now, 10);
      expect(next.map((r) => r.kind)).to.deep.equal(['comment']);
      expect((await store.outbox.list()).find((r) => r.sink === 'zendesk' && r.kind === 'comment')?.blockedBy).to.be.a('number');
      expect(await store.outbox.get(webhook[0].id)).to.include({ deliveredAt: now, attempts: 1 });
    });

    it('a failed row waits for its backoff; a dead one until retried; retryAllDead returns them', async () => {
      const { store } = subject();
      await ticketWithComment(store, 'a', '+491701111111');
      await store.outbox.assign(['webhook']);
      const [ticket] = await store.outbox.due('webhook', T0 + 10 * MIN, 10);
      await store.outbox.failed(ticket.id, T0 + 10 * MIN, 'HTTP 503', T0 + 11 * MIN);
      expect(await store.outbox.due('webhook', T0 + 10 * MIN + SEC, 10)).to.deep.equal([]);
      expect(await store.reports.outboxCounts()).to.deep.equal({ pending: 2, failed: 1 });
      expect((await store.outbox.due('webhook', T0 + 11 * MIN, 10)).map((r) => r.id)).to.deep.equal([ticket.id]);
      await store.outbox.dead(ticket.id, T0 + 11 * MIN, 'HTTP 422');
      expect(await store.outbox.due('webhook', T0 + 60 * MIN, 10)).to.deep.equal([]);
      expect((await store.outbox.list({ dead: true })).map((r) => [r.id, r.lastError])).to.deep.equal([[ticket.id, 'HTTP 422']]);
      const revived = await store.outbox.retryAllDead(T0 + 61 * MIN);
      expect(revived.map((r) => [r.id, r.attempts])).to.deep.equal([[ticket.id, 2]]);
      expect((await store.outbox.due('webhook', T0 + 61 * MIN, 10)).map((r) => r.id)).to.deep.equal([ticket.id]);
    });

    it('retry makes an undelivered row due now; false for unknown or delivered rows', async () => {
      const { store } = subject();
      await ticketWithComment(store, 'a', '+491701111111');
      await store.outbox.assign(['webhook']);
      const [ticket] = await store.outbox.due('webhook', T0 + 10 * MIN, 10);
      await store.outbox.failed(ticket.id, T0 + 10 * MIN, 'timeout', T0 + 60 * MIN);
      expect(await store.outbox.retry(ticket.id, T0 + 11 * MIN)).to.equal(true);
      expect((await store.outbox.due('webhook', T0 + 11 * MIN, 10)).map((r) => r.id)).to.deep.equal([ticket.id]);
      await store.outbox.delivered(ticket.id, T0 + 11 * MIN);
      expect(await store.outbox.retry(ticket.id, T0 + 12 * MIN)).to.equal(false);
      expect(await store.outbox.retry(9999, T0 + 12 * MIN)).to.equal(false);
    });

    it('due honours its limit; purge deletes only rows delivered before the cutoff', async () => {
      const { store } = subject();
      await ticketWithComment(store, 'a', '+491701111111');
      await ticketWithComment(store, 'b', '+491702222222');
      await store.outbox.assign(['webhook']);
      const due = await store.outbox.due('webhook', T0 + 10 * MIN, 1);
      expect(due).to.have.length(1);
      await store.outbox.delivered(due[0].id, T0 + 10 * MIN);
      expect(await store.outbox.purgeDelivered(T0 + 10 * MIN)).to.equal(0);
      expect(await store.outbox.purgeDelivered(T0 + 10 * MIN + 1)).to.equal(1);
      expect(await store.outbox.get(due[0].id)).to.equal(undefined);
      expect(await store.outbox.list()).to.have.length(3);
    });

    it('external ids: linked per ticket and sink, replaced by a later link', async () => {
      const { store } = subject();
      const ticketId = await ticketWithComment(store, 'a', '+491701111111');
      expect(await store.outbox.externalId(ticketId, 'zendesk')).to.equal(undefined);
      await store.outbox.linkExternal(ticketId, 'zendesk', '1234', T0 + 10 * MIN);
      await store.outbox.linkExternal(ticketId, 'zendesk', '5678', T0 + 11 * MIN);
      expect(await store.outbox.externalId(ticketId, 'zendesk')).to.equal('5678');
      expect(await store.outbox.externalId(ticketId, 'webhook')).to.equal(undefined);
    });

    it('two deliverers assigning at once assign every row exactly once', async () => {
      const { store, second } = subject();
      const other = await second();
      await ticketWithComment(store, 'a', '+491701111111');
      const [x, y] = await Promise.all([store.outbox.assign(['webhook']), other.outbox.assign(['webhook'])]);
      expect(x + y).to.equal(2);
      expect((await store.outbox.list()).map((r) => r.sink)).to.deep.equal(['webhook', 'webhook']);
    });
  });
}
