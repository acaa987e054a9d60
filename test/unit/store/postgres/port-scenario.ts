// One script that uses every verb of the Store port and records what each returned (errors by code),
// so the PostgreSQL adapter can be checked against the SQLite adapter's answers verb by verb.
import type { NewTicket, Store } from '../../../../src/app/ports';
import { StoreError } from '../../../../src/app/store-errors';
import type { AgentRules } from '../../../../src/domain/agent/agent-state';

export const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
export const RULES: AgentRules = { maxMissed: 3, wrapUpSeconds: 10 };
const Q = 'support';
const DID = '+4930123456';

export const ticketFor = (entryId: string, at: number, reason: NewTicket['reason'] = 'callback-accepted'): NewTicket => ({
  subject: 'Callback',
  requester: '+4915112345678',
  reason,
  queue: Q,
  did: DID,
  entryId,
  agentId: reason === 'callback-accepted' ? 'alice' : null,
  waitedSeconds: 12,
  createdAt: at,
});

/** Seeds the directory and two agents that may take calls. */
export async function seed(store: Store): Promise<void> {
  await store.admin.upsertQueue({ name: Q, maxWaitSeconds: 600, overflow: 'hangup', mohClass: 'default' });
  await store.admin.upsertNumber({
    did: DID,
    kind: 'voice',
    queue: Q,
    callbackEnabled: true,
    callbackLanguage: 'de',
    callbackGreeting: null,
    confirmationGreeting: null,
    outboundTrunk: null,
    allowedCountries: 'DE,AT',
    outboundCallerId: null,
  });
  await store.admin.addAgent({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/alice', queues: [Q] }, T0);
  await store.admin.addAgent({ id: 'bob', name: 'Bob', endpoint: 'PJSIP/bob', queues: [Q] }, T0);
}

export const join = (store: Store, id: string, at: number) =>
  store.callers.join({ id, queue: Q, did: DID, channelId: `chan-${id}`, callerId: `+49151${at}`, enteredAt: at });

export async function runScenario(store: Store): Promise<unknown[]> {
  const out: unknown[] = [];
  const rec = async (label: string, p: Promise<unknown>): Promise<void> => {
    try {
      out.push([label, await p]);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      out.push([label, { error: err.code }]);
    }
  };
  await seed(store);
  // Directory and admin.
  await rec('greeting de', store.admin.upsertGreeting({ name: 'offer', kind: 'callback-offer', language: 'de', sound: 'x/de' }));
  await rec('greeting en', store.admin.upsertGreeting({ name: 'offer', kind: 'callback-offer', language: 'en', sound: 'x/en' }));
  await rec('setting', store.admin.setSetting('default_language', 'de'));
  await rec(
    'digital with callbacks',
    store.admin.upsertNumber({
      did: '+4930999',
      kind: 'digital',
      queue: Q,
      callbackEnabled: true,
      callbackLanguage: null,
      callbackGreeting: null,
      confirmationGreeting: null,
      outboundTrunk: null,
    }),
  );
  await rec(
    'number of unknown queue',
    store.admin.upsertNumber({
      did: '+4930998',
      kind: 'voice',
      queue: 'nope',
      callbackEnabled: false,
      callbackLanguage: null,
      callbackGreeting: null,
      confirmationGreeting: null,
      outboundTrunk: null,
    }),
  );
  await rec('duplicate agent', store.admin.addAgent({ id: 'carol', name: 'Carol', endpoint: 'PJSIP/alice', queues: [] }, T0));
  await rec('numbers', store.directory.numbers());
  await rec('number', store.directory.number(DID));
  await rec('queues', store.directory.queues());
  await rec('queue', store.directory.queue(Q));
  await rec('setting read', store.directory.setting('default_language'));
  await rec('greeting read', store.directory.greeting('offer', 'en'));
  await rec('greeting languages', store.directory.greetingLanguages('offer'));
  await rec('greetings', store.directory.greetings());
  await rec('remove greeting en', store.admin.removeGreeting('offer', 'en'));
  await rec('remove unknown number', store.admin.removeNumber('+1'));
  // Agents.
  await rec('login alice', store.agents.apply('alice', { type: 'login' }, T0 + 10, RULES));
  await rec('login bob', store.agents.apply('bob', { type: 'login' }, T0 + 20, RULES));
  await rec('refused event', store.agents.apply('bob', { type: 'call-ended' }, T0 + 21, RULES));
  await rec('unknown agent', store.agents.apply('nobody', { type: 'login' }, T0 + 21, RULES));
  await rec('offline', store.agents.setOnline('PJSIP/bob', false));
  await rec('offline again', store.agents.setOnline('PJSIP/bob', false));
  await rec('online', store.agents.setOnline('PJSIP/bob', true));
  await rec('by endpoint', store.agents.byEndpoint('PJSIP/bob'));
  // Callers.
  for (const [id, at] of [
    ['e1', T0 + 1000],
    ['e2', T0 + 2000],
    ['e3', T0 + 3000],
    ['e4', T0 + 4000],
    ['e5', T0 + 5000],
    ['e6', T0 + 6000],
  ] as const) {
    await rec(`join ${id}`, join(store, id, at));
  }
  await rec('duplicate join', join(store, 'e1', T0));
  await rec('position e3', store.callers.position('e3'));
  const limit = { key: 'caller:+49151', cap: 2, since: T0 };
  await rec(
    'request e2',
    store.callers.requestCallback({ entryId: 'e2', number: '+4917011', requestedAt: T0 + 7000, language: 'de', limit }),
  );
  await rec(
    'request e1 same number',
    store.callers.requestCallback({ entryId: 'e1', number: '+4917011', requestedAt: T0 + 7100, language: 'en', limit }),
  );
  await rec(
    'request e4 rate-limited',
    store.callers.requestCallback({ entryId: 'e4', number: '+4917044', requestedAt: T0 + 7200, language: 'de', limit }),
  );
  await rec('request e4', store.callers.requestCallback({ entryId: 'e4', number: '+4917044', requestedAt: T0 + 7300, language: 'de' }));
  await rec('request e5', store.callers.requestCallback({ entryId: 'e5', number: '+4917055', requestedAt: T0 + 7400, language: 'de' }));
  await rec('request e6', store.callers.requestCallback({ entryId: 'e6', number: '+4917066', requestedAt: T0 + 7500, language: 'de' }));
  await rec('leave e3', store.callers.leave('e3', T0 + 7600, 'abandoned'));
  await rec(
    'request after leave',
    store.callers.requestCallback({ entryId: 'e3', number: '+4917033', requestedAt: T0 + 7700, language: 'de' }),
  );
  await rec('entry e2', store.callers.entry('e2'));
  await rec('entry e1', store.callers.entry('e1'));
  await rec('by channel', store.callers.entryByChannel('chan-e4'));
  await rec('position e2', store.callers.position('e2'));
  await rec('position e4', store.callers.position('e4'));
  await rec('position closed', store.callers.position('e3'));
  await join(store, 'w1', T0 + 8000);
  await rec('waiting live', store.callers.waitingLive());
  // Delivery: e2 is offered to alice, accepted, dialled, connected and ended.
  await rec(
    'snapshot',
    store.delivery.snapshot(() => true),
  );
  await rec(
    'snapshot without entries',
    store.delivery.snapshot(() => false),
  );
  const offerLeg = { id: 'leg-a1', entryId: 'e2', role: 'agent' as const, agentId: 'alice', at: T0 + 9000 };
  await rec('offer e2', store.delivery.offer((await store.callers.entry('e2'))!, 'alice', offerLeg, RULES));
  await rec(
    'offer e2 again',
    store.delivery.offer((await store.callers.entry('e2'))!, 'bob', { ...offerLeg, id: 'leg-b0', agentId: 'bob' }, RULES),
  );
  await rec('cancel offered', store.callbacks.cancel('e2', T0 + 9050, 'cli'));
  await rec('leg up', store.delivery.legUp('leg-a1', T0 + 9100));
  await rec('leg', store.delivery.leg('leg-a1'));
  await rec('accept by bob', store.delivery.acceptCallback('e2', 'bob', ticketFor('e2', T0 + 9200), RULES));
  await rec('accept', store.delivery.acceptCallback('e2', 'alice', ticketFor('e2', T0 + 9200), RULES));
  await rec('cancel dialing', store.callbacks.cancel('e2', T0 + 9250, 'cli'));
  await rec('dial 1', store.delivery.customerDialStarting({ id: 'leg-c1', entryId: 'e2', role: 'customer', agentId: null, at: T0 + 9300 }));
  await rec('dial 1 ended', store.delivery.customerDialEnded('e2', 'leg-c1', T0 + 9400, 'busy', true));
  await rec('dial 2', store.delivery.customerDialStarting({ id: 'leg-c2', entryId: 'e2', role: 'customer', agentId: null, at: T0 + 9500 }));
  await rec('dial fault', store.delivery.customerDialEnded('e2', 'leg-c2', T0 + 9550, 'no route', false));
  await rec('dial 3', store.delivery.customerDialStarting({ id: 'leg-c3', entryId: 'e2', role: 'customer', agentId: null, at: T0 + 9600 }));
  await rec('open legs', store.delivery.openLegs());
  await rec(
    'connected',
    store.delivery.connected(
      'e2',
      [
        { id: 'leg-a1', role: 'agent' },
        { id: 'leg-c3', role: 'customer' },
      ],
      'br-1',
      'alice',
      T0 + 9700,
      RULES,
    ),
  );
  await rec('ended', store.delivery.conversationEnded('e2', 'alice', T0 + 9800, 'normal', RULES, 'customer was happy'));
  await rec('leg ended', store.delivery.legEnded('leg-a1', T0 + 9900, 'normal'));
  await rec('after call', store.callers.entry('e2'));
  await rec('ticket', store.tickets.get(1));
  await rec('comments', store.tickets.comments(1));
  // A live caller answered by bob.
  await rec(
    'offer w1',
    store.delivery.offer(
      (await store.callers.entry('w1'))!,
      'bob',
      { id: 'leg-b1', entryId: 'w1', role: 'agent', agentId: 'bob', at: T0 + 10_000 },
      RULES,
    ),
  );
  await rec(
    'connected w1',
    store.delivery.connected(
      'w1',
      [
        { id: 'leg-b1', role: 'agent' },
        { id: 'chan-w1', role: 'caller' },
      ],
      'br-2',
      'bob',
      T0 + 10_100,
      RULES,
    ),
  );
  await rec('ended w1', store.delivery.conversationEnded('w1', 'bob', T0 + 10_200, 'normal', RULES));
  await rec('wrap-up over', store.agents.apply('bob', { type: 'released' }, T0 + 30_000, RULES));
  await rec('alice back', store.agents.apply('alice', { type: 'released' }, T0 + 30_000, RULES));
  // e4: offered to bob, declined → back in place; offered to alice, accepted, fault → back; unanswered.
  await rec(
    'offer e4',
    store.delivery.offer(
      (await store.callers.entry('e4'))!,
      'bob',
      { id: 'leg-b2', entryId: 'e4', role: 'agent', agentId: 'bob', at: T0 + 31_000 },
      RULES,
    ),
  );
  await rec('decline e4', store.delivery.returnToQueue('e4', 'bob', T0 + 31_100, { type: 'missed' }, 'declined', RULES));
  await rec(
    'offer e4 alice',
    store.delivery.offer(
      (await store.callers.entry('e4'))!,
      'alice',
      { id: 'leg-a2', entryId: 'e4', role: 'agent', agentId: 'alice', at: T0 + 32_000 },
      RULES,
    ),
  );
  await rec('accept e4', store.delivery.acceptCallback('e4', 'alice', ticketFor('e4', T0 + 32_100), RULES));
  await rec('fault e4', store.delivery.returnAfterFault('e4', 'alice', T0 + 32_200, 'pbx restart', RULES));
  await rec('e4 back', store.callers.entry('e4'));
  await rec(
    'offer e4 again',
    store.delivery.offer(
      (await store.callers.entry('e4'))!,
      'alice',
      { id: 'leg-a3', entryId: 'e4', role: 'agent', agentId: 'alice', at: T0 + 33_000 },
      RULES,
    ),
  );
  await rec('accept e4 again', store.delivery.acceptCallback('e4', 'alice', ticketFor('e4', T0 + 33_100), RULES));
  await rec('unanswered e4', store.delivery.finishUnanswered('e4', 'alice', T0 + 33_200, 'no answer', 'tried once', RULES));
  await rec('e4 closed', store.callers.entry('e4'));
  // Cancel and expiry.
  await rec('cancel e5', store.callbacks.cancel('e5', T0 + 40_000, 'cli'));
  await rec('cancel e5 again', store.callbacks.cancel('e5', T0 + 40_001, 'cli'));
  await rec('cancel unknown', store.callbacks.cancel('zz', T0 + 40_002, 'cli'));
  await rec('cancel live', store.callbacks.cancel('w1', T0 + 40_003, 'cli'));
  await rec('candidates', store.expiry.candidates(T0 + 50_000));
  await rec('expire e6', store.expiry.expire('e6', ticketFor('e6', T0 + 50_100, 'callback-expired'), T0 + 50_100, 'expired after 60 min'));
  await rec('expire e6 again', store.expiry.expire('e6', ticketFor('e6', T0 + 50_200, 'callback-expired'), T0 + 50_200, 'again'));
  // Reports.
  await rec('stats', store.reports.statsInput(T0 + 60_000, T0));
  await rec('stats of queue', store.reports.statsInput(T0 + 60_000, T0 + 8000, Q));
  await rec('callbacks open', store.reports.callbacks());
  await rec('callbacks all', store.reports.callbacks({ all: true, since: T0 }));
  await rec('tickets', store.reports.tickets());
  await rec('tickets since', store.reports.tickets({ since: T0 + 40_000, limit: 1 }));
  await rec('outbox counts', store.reports.outboxCounts());
  await rec('agents by state', store.reports.agentsByState());
  // Outbox.
  await rec('assign', store.outbox.assign(['webhook', 'zendesk']));
  await rec('assign nothing', store.outbox.assign(['webhook']));
  await rec('due', store.outbox.due('webhook', T0 + 70_000, 10));
  await rec('failed', store.outbox.failed(1, T0 + 70_000, 'HTTP 503', T0 + 80_000));
  await rec('dead', store.outbox.dead(2, T0 + 70_000, 'HTTP 400'));
  await rec('due after', store.outbox.due('webhook', T0 + 70_000, 10));
  await rec('list', store.outbox.list());
  await rec('list dead', store.outbox.list({ dead: true }));
  await rec('retry', store.outbox.retry(1, T0 + 70_500));
  await rec('retry unknown', store.outbox.retry(999, T0 + 70_500));
  await rec('retry all dead', store.outbox.retryAllDead(T0 + 71_000));
  await rec('delivered', store.outbox.delivered(1, T0 + 72_000));
  await rec('get', store.outbox.get(1));
  await rec('counts after', store.reports.outboxCounts());
  await rec('purge', store.outbox.purgeDelivered(T0 + 73_000));
  await rec('link', store.outbox.linkExternal(1, 'zendesk', 'Z-1', T0 + 74_000));
  await rec('relink', store.outbox.linkExternal(1, 'zendesk', 'Z-2', T0 + 74_001));
  await rec('external id', store.outbox.externalId(1, 'zendesk'));
  await rec('no external id', store.outbox.externalId(1, 'webhook'));
  // Admin removals last.
  await rec('remove agent', store.admin.removeAgent('bob'));
  await rec('remove agent again', store.admin.removeAgent('bob'));
  await rec('agents', store.agents.list());
  await rec('agent', store.agents.agent('alice'));
  return out;
}
