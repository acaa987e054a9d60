// The delivery composition the daemon starts and stops: which sinks the config turns on, both sinks
// at once from one outbox, and an idempotent stop.
import { expect } from 'chai';
import type { Config } from '../../../src/config/schema';
import { silentLogger } from '../../../src/log';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { createAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { configuredSinks, createTicketDelivery, ticketOutboxEnabled, zendeskBaseUrl } from '../../../src/tickets/delivery';
import { makeTmpDir, type TmpDir } from '../store/tmp-db';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from './fake-zendesk';
import { LoopbackServer } from './loopback-http';

const OFF: Config['tickets'] = {
  webhookUrl: '',
  webhookAuthorization: '',
  webhookSecret: '',
  subjectTemplate: '{subject}',
  zendesk: { subdomain: '', email: '', apiToken: '', baseUrl: '' },
};
const ZENDESK = { subdomain: 'acme', email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, baseUrl: '' };

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('tickets/delivery composition', () => {
  it('turns on the sinks that are configured, and the outbox with any of them', () => {
    const webhook = { ...OFF, webhookUrl: 'https://desk.example/hook' };
    const zendesk = { ...OFF, zendesk: ZENDESK };
    const both = { ...webhook, zendesk: ZENDESK };
    expect([OFF, webhook, zendesk, both].map(configuredSinks)).to.deep.equal([[], ['webhook'], ['zendesk'], ['webhook', 'zendesk']]);
    expect([OFF, webhook, zendesk, both].map(ticketOutboxEnabled)).to.deep.equal([false, true, true, true]);
  });

  it('talks to https://<subdomain>.zendesk.com unless tickets.zendesk.baseUrl says otherwise', () => {
    expect(zendeskBaseUrl(ZENDESK)).to.equal('https://acme.zendesk.com');
    expect(zendeskBaseUrl({ ...ZENDESK, baseUrl: 'http://127.0.0.1:8123' })).to.equal('http://127.0.0.1:8123');
  });

  it('is undefined when no sink is configured', () => {
    expect(createTicketDelivery(OFF, { outbox: {} as never, clock: { now: () => 0 }, log: silentLogger() })).to.equal(undefined);
  });

  describe('with both sinks', () => {
    let tmp: TmpDir;
    let store: SqliteStore;
    let hook: LoopbackServer;
    let zendesk: FakeZendesk;

    beforeEach(() => {
      tmp = makeTmpDir();
      hook = new LoopbackServer(() => ({ status: 204 }));
      zendesk = new FakeZendesk();
    });
    afterEach(async () => {
      await hook.close();
      await zendesk.close();
      store.close();
      tmp.cleanup();
    });

    it('delivers every ticket and comment to the webhook and to Zendesk, and stops idempotently', async () => {
      const tickets: Config['tickets'] = {
        ...OFF,
        webhookUrl: `${await hook.listen()}/hook`,
        webhookAuthorization: 'Bearer hook-token',
        webhookSecret: 'whsec',
        zendesk: { ...ZENDESK, baseUrl: await zendesk.listen() },
      };
      store = openStore(tmp.file(), { ticketOutbox: ticketOutboxEnabled(tickets) });
      const delivery = createTicketDelivery(tickets, {
        outbox: createAppStore(store, { lockDeadlineMs: 2000 }).outbox,
        clock: { now: () => Date.now() },
        log: silentLogger(),
        intervalMs: 20,
        languageOf: () => 'de',
      });
      expect(delivery?.sinks).to.deep.equal(['webhook', 'zendesk']);
      const t = store.tickets.create({
        subject: 'Rückruf',
        requester: '+491701234567',
        reason: 'callback-accepted',
        queue: 'sales',
        did: '+4930123456',
        entryId: 'e1',
        agentId: 'alice',
        waitedSeconds: 60,
        createdAt: Date.now(),
      });
      store.tickets.addComment(t.id, 'Rückruf versucht, nicht angenommen (busy, 1 Versuch)', Date.now(), true);

      delivery!.start();
      delivery!.start(); // a second start changes nothing
      await until(() => store.outbox.backlog() === 0, 'both sinks to deliver both rows');
      await delivery!.stop();
      await delivery!.stop();

      expect(hook.received.map((r) => (r.body as { type: string }).type)).to.deep.equal(['ticket', 'comment']);
      expect(hook.received[0].headers.authorization).to.equal('Bearer hook-token');
      expect(hook.received[0].headers['callbackd-signature']).to.match(/^sha256=/);
      expect(zendesk.tickets).to.have.length(1);
      expect(zendesk.tickets[0].comments.map((c) => c.public)).to.deep.equal([false, false]);
      expect(zendesk.tickets[0].comments[0].body).to.match(/^\+491701234567 hat in der Warteschlange/);

      // Stopped: a new ticket stays in the outbox, and start() after stop() does not revive it.
      store.tickets.create({ ...store.tickets.get(t.id)!, entryId: 'e2' });
      delivery!.start();
      await new Promise((r) => setTimeout(r, 100));
      expect(
        store.outbox.list().map((i) => i.sink),
        'written, not yet given to the sinks',
      ).to.deep.equal([null]);
      expect(hook.received).to.have.length(2);
    });
  });
});
