// The async Store port (src/app/ports.ts) over one SQLite file, for the daemon. Every verb is one
// synchronous repo call (one transaction) run through the LockRunner, so another process's lock costs
// a retry timer, never a frozen event loop; writes keep their order.
import type { ExpiryCandidate, Store } from '../../app/ports';
import { LockRunner } from './lock-runner';
import type { SqliteStore } from './sqlite-store';
import { createWriteProbe } from './write-probe';

export interface AppStoreOptions {
  /** How long a verb may wait for another process's lock before failing with STORE_LOCKED. */
  lockDeadlineMs: number;
  /** The same for what someone waits for on the line in silence: a callback request, and the record of a
   *  connection (the parties are bridged anyway when it fails, see app/delivery/connection-record.ts). */
  requestDeadlineMs?: number;
  /** How often to look for changes made by another process (the admin CLI). */
  watchIntervalMs?: number;
  /** How long the readiness write probe may wait for another process's lock (on the event loop). */
  probeBusyTimeoutMs?: number;
}

export type SqliteAppStore = Store & { runner: LockRunner };

export function createAppStore(s: SqliteStore, opts: AppStoreOptions): SqliteAppStore {
  const runner = new LockRunner({ deadlineMs: opts.lockDeadlineMs });
  const r = <T>(what: string, op: () => T) => runner.read(what, op);
  const w = <T>(what: string, op: () => T) => runner.write(what, op);
  let closed = false;

  // data_version changes whenever ANOTHER connection commits; our own commits leave it alone. The
  // baseline is read now, not at the first tick: a change committed before that tick (an agent
  // logged in by the CLI just after the daemon started) would otherwise become the baseline unseen.
  const watchDataVersion = (onChange: () => void): (() => void) => {
    const version = (): number | undefined => {
      try {
        return s.db.pragma('data_version', { simple: true }) as number;
      } catch {
        return undefined; // locked or closing: look again next time
      }
    };
    let last = closed ? undefined : version();
    const timer = setInterval(() => {
      if (closed) return;
      const v = version();
      if (v === undefined) return;
      if (last !== undefined && v !== last) onChange();
      last = v;
    }, opts.watchIntervalMs ?? 500);
    timer.unref();
    return () => clearInterval(timer);
  };

  return {
    runner,
    directory: {
      number: (did) => r('number', () => s.numbers.get(did)),
      numbers: () => r('numbers', () => s.numbers.list()),
      queue: (name) => r('queue', () => s.queues.get(name)),
      queues: () => r('queues', () => s.queues.list()),
      setting: (key) => r('setting', () => s.settings.get(key)),
      greeting: (name, language) => r('greeting', () => s.greetings.get(name, language)),
      greetingLanguages: (name) => r('greeting languages', () => s.greetings.languages(name)),
      greetings: () => r('greetings', () => s.greetings.list()),
    },
    callers: {
      join: async (entry) => {
        await w(`join of entry ${entry.id}`, () => s.entries.addLive(entry));
      },
      leave: (entryId, at, why) => w(`leave of entry ${entryId}`, () => s.entries.leave(entryId, at, why)),
      requestCallback: (req) =>
        runner.write(
          `callback request of entry ${req.entryId}`,
          () => s.entries.requestCallback(req),
          opts.requestDeadlineMs ?? opts.lockDeadlineMs,
        ),
      entry: (id) => r('entry', () => s.entries.get(id)),
      entryByChannel: (channelId) => r('entry by channel', () => s.entries.byChannel(channelId)),
      position: (entryId) => r('position', () => s.entries.position(entryId)),
      waitingLive: () => r('waiting callers', () => s.entries.waitingLive()),
    },
    delivery: {
      snapshot: (wantEntries) =>
        r('dispatch snapshot', () =>
          s.db.transaction(() => {
            const agents = s.agents.list();
            return { agents, entries: wantEntries(agents) ? s.entries.openAll() : [] };
          })(),
        ),
      offer: (entry, agentId, leg, rules) => w(`offer of entry ${entry.id}`, () => s.delivery.offer(entry, agentId, leg, rules)),
      legUp: (legId, at) => w(`leg ${legId} up`, () => s.legs.up(legId, at)),
      leg: (legId) => r('leg', () => s.legs.get(legId)),
      legEnded: async (legId, at, cause) => {
        await w(`leg ${legId} ended`, () => s.legs.ended(legId, at, cause));
      },
      acceptCallback: (entryId, agentId, ticket, rules) =>
        w(`accept of entry ${entryId}`, () => s.delivery.acceptCallback(entryId, agentId, ticket, rules)),
      customerDialStarting: (leg) => w(`customer leg ${leg.id}`, () => s.delivery.customerDialStarting(leg)),
      customerDialEnded: (entryId, legId, at, cause, counted) =>
        w(`customer leg ${legId} ended`, () => s.delivery.customerDialEnded(entryId, legId, at, cause, counted)),
      connected: (entryId, legs, bridgeId, agentId, at, rules) =>
        runner.write(
          `connection of entry ${entryId}`,
          () => s.delivery.connected(entryId, legs, bridgeId, agentId, at, rules),
          opts.requestDeadlineMs ?? opts.lockDeadlineMs,
        ),
      conversationEnded: (entryId, agentId, at, cause, rules, comment) =>
        w(`end of the call of entry ${entryId}`, () => s.delivery.conversationEnded(entryId, agentId, at, cause, rules, comment)),
      returnToQueue: (entryId, agentId, at, event, cause, rules) =>
        w(`return of entry ${entryId}`, () => s.delivery.returnToQueue(entryId, agentId, at, event, cause, rules)),
      finishUnanswered: (entryId, agentId, at, detail, comment, rules) =>
        w(`unanswered entry ${entryId}`, () => s.delivery.finishUnanswered(entryId, agentId, at, detail, comment, rules)),
      returnAfterFault: (entryId, agentId, at, cause, rules) =>
        w(`return after fault of entry ${entryId}`, () => s.delivery.returnAfterFault(entryId, agentId, at, cause, rules)),
      openLegs: () => r('open legs', () => s.legs.open()),
    },
    agents: {
      agent: (id) => r('agent', () => s.agents.get(id)),
      byEndpoint: (endpoint) => r('agent by endpoint', () => s.agents.byEndpoint(endpoint)),
      list: () => r('agents', () => s.agents.list()),
      apply: async (agentId, event, at, rules) =>
        (await w(`agent ${agentId} ${event.type}`, () => s.agents.apply(agentId, event, at, rules)))?.agent,
      setOnline: (endpoint, online) => w(`endpoint ${endpoint} online`, () => s.agents.setOnline(endpoint, online)),
    },
    expiry: {
      candidates: (cutoff) =>
        r('expiry candidates', () =>
          s.reports.expiryCandidates(cutoff).map((c): ExpiryCandidate => ({ ...c, language: s.entries.get(c.id)?.language ?? null })),
        ),
      expire: (entryId, ticket, at, outcome) => w(`expiry of entry ${entryId}`, () => s.delivery.expire(entryId, ticket, at, outcome)),
    },
    tickets: {
      get: (id) => r('ticket', () => s.tickets.get(id)),
      comments: (ticketId) => r('ticket comments', () => s.tickets.comments(ticketId)),
    },
    callbacks: {
      cancel: (entryId, at, by) => w(`cancel of callback ${entryId}`, () => s.entries.cancelCallback(entryId, at, by)),
    },
    admin: {
      upsertNumber: (n) => w(`number ${n.did}`, () => s.numbers.upsert(n)),
      removeNumber: (did) => w(`removal of number ${did}`, () => s.numbers.remove(did)),
      upsertGreeting: (g) => w(`greeting ${g.name}/${g.language}`, () => s.greetings.upsert(g)),
      removeGreeting: (name, language) => w(`removal of greeting ${name}`, () => s.greetings.remove(name, language)),
      upsertQueue: (q) => w(`queue ${q.name}`, () => s.queues.upsert(q)),
      setSetting: (key, value) => w(`setting ${key}`, () => s.settings.set(key, value)),
      addAgent: (agent, at) => w(`agent ${agent.id}`, () => s.agents.add(agent, at)),
      removeAgent: (id) => w(`removal of agent ${id}`, () => s.agents.remove(id)),
    },
    reports: {
      statsInput: (now, since, queue) => r('figures', () => s.reports.statsInput(now, since, queue)),
      callbacks: (filter) => r('callbacks', () => s.reports.callbacks(filter)),
      tickets: (filter) => r('tickets', () => s.tickets.list(filter)),
      outboxCounts: () => r('outbox figures', () => s.ops.outboxCounts()),
      agentsByState: () => r('agent figures', () => s.ops.agentsByState()),
    },
    outbox: {
      assign: (sinks) => w('outbox assignment', () => s.outbox.assign(sinks)),
      due: (sink, now, limit) => r(`due ${sink} deliveries`, () => s.outbox.due(sink, now, limit)),
      delivered: (id, at) => w(`outbox ${id} delivered`, () => s.outbox.delivered(id, at)),
      failed: (id, at, error, next) => w(`outbox ${id} failed`, () => s.outbox.failed(id, at, error, next)),
      dead: (id, at, error) => w(`outbox ${id} dead`, () => s.outbox.dead(id, at, error)),
      get: (id) => r(`outbox ${id}`, () => s.outbox.get(id)),
      list: (filter) => r('outbox', () => s.outbox.list(filter)),
      retry: (id, now) => w(`retry of outbox ${id}`, () => s.outbox.retry(id, now)),
      retryAllDead: (now) => w('retry of dead outbox rows', () => s.outbox.retryAllDead(now)),
      purgeDelivered: (olderThan) => w('outbox purge', () => s.outbox.purgeDelivered(olderThan)),
      externalId: (ticketId, sink) => r(`${sink} id of ticket ${ticketId}`, () => s.outbox.externalId(ticketId, sink)),
      linkExternal: (ticketId, sink, externalId, at) =>
        w(`${sink} link of ticket ${ticketId}`, () => s.outbox.linkExternal(ticketId, sink, externalId, at)),
    },
    probeWrite: createWriteProbe(s.db, opts.probeBusyTimeoutMs),
    changes: { subscribe: (onChange) => watchDataVersion(() => onChange({ topic: 'unknown' })) },
    close: async () => {
      if (closed) return;
      // Let queued writes finish (they are bounded by the lock deadline) before the file closes.
      await w('close', () => undefined).catch(() => undefined);
      closed = true;
      s.close();
    },
  };
}
