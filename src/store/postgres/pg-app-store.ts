// The async Store port (src/app/ports.ts) over PostgreSQL: one pool for the verbs, one connection for
// the change feed. Opening migrates the schema (under an advisory lock, see migrate.ts). Writes are
// chained per entry (ordering.ts) to keep the port's ordering promise over a pool; writes to
// different entries run in parallel on the pool's connections.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Store } from '../../app/ports';
import { agentAdmin, agentStore } from './agents-sql';
import { listenFeed } from './change-feed';
import { clientConfig, createPool, type PgConnectOptions } from './connect';
import { PgDb } from './db';
import { deliveryStores } from './delivery-sql';
import { directoryAdmin, directoryStore } from './directory-sql';
import { callbackStore, callerStore } from './entries-sql';
import { openError } from './errors';
import { migrate, type MigrateResult } from './migrate';
import { KeyedChain } from './ordering';
import { outboxStore } from './outbox-sql';
import { createPgProbe } from './probe';
import { reportStore } from './reports-sql';
import { ticketStore, ticketWriter } from './tickets-sql';

export interface PgStoreOptions extends PgConnectOptions {
  /** Queue every ticket and comment for an external ticket system (ticket_outbox). Default off. */
  ticketOutbox?: boolean;
}

export type PostgresStore = Store & {
  pool: pg.Pool;
  /** What opening did to the schema. */
  migration: MigrateResult;
  /** Per-entry write chains in flight (tests). */
  chain: KeyedChain;
  /** Resolves once the change feed LISTENs (after the first subscribe). */
  changesReady(): Promise<void>;
};

export async function openPostgresStore(opts: PgStoreOptions): Promise<PostgresStore> {
  const pool = createPool(opts);
  let migration: MigrateResult;
  try {
    const client = await pool.connect();
    try {
      migration = await migrate(client);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw openError(err, opts.url);
  }
  const origin = crypto.randomUUID();
  const db = new PgDb(pool, opts.url, origin);
  const feed = listenFeed(clientConfig(opts), origin);
  const chain = new KeyedChain();
  const tickets = ticketWriter({ outbox: opts.ticketOutbox ?? false });
  const callers = callerStore(db);
  const { delivery, expiry } = deliveryStores(db, tickets);
  const callbacks = callbackStore(db);
  const agents = agentStore(db);

  // Legs are reported by channel id; the entry they belong to orders them behind the entry's other
  // writes (a leg's "up" must not overtake the offer that recorded it).
  const legEntry = new Map<string, string>();
  const onEntry = <T>(entryId: string, op: () => Promise<T>): Promise<T> => chain.run(`entry:${entryId}`, op);
  const onLeg = <T>(legId: string, op: () => Promise<T>): Promise<T> => {
    const entryId = legEntry.get(legId);
    return entryId === undefined ? chain.run(`leg:${legId}`, op) : onEntry(entryId, op);
  };
  const forgetLegsOf = (entryId: string): void => {
    for (const [leg, entry] of legEntry) if (entry === entryId) legEntry.delete(leg);
  };
  let closed = false;

  return {
    pool,
    migration,
    chain,
    changesReady: () => feed.ready(),
    directory: directoryStore(db),
    callers: {
      ...callers,
      join: (entry) => onEntry(entry.id, () => callers.join(entry)),
      leave: (id, at, why) => onEntry(id, () => callers.leave(id, at, why)),
      requestCallback: (req) => onEntry(req.entryId, () => callers.requestCallback(req)),
    },
    delivery: {
      ...delivery,
      offer: (entry, agentId, leg, rules) => {
        legEntry.set(leg.id, entry.id);
        return onEntry(entry.id, () => delivery.offer(entry, agentId, leg, rules));
      },
      legUp: (legId, at) => onLeg(legId, () => delivery.legUp(legId, at)),
      legEnded: (legId, at, cause) => onLeg(legId, () => delivery.legEnded(legId, at, cause)).finally(() => legEntry.delete(legId)),
      acceptCallback: (entryId, agentId, ticket, rules) => onEntry(entryId, () => delivery.acceptCallback(entryId, agentId, ticket, rules)),
      customerDialStarting: (leg) => {
        legEntry.set(leg.id, leg.entryId);
        return onEntry(leg.entryId, () => delivery.customerDialStarting(leg));
      },
      customerDialEnded: (entryId, legId, at, cause, counted) =>
        onEntry(entryId, () => delivery.customerDialEnded(entryId, legId, at, cause, counted)).finally(() => legEntry.delete(legId)),
      connected: (entryId, legs, bridgeId, agentId, at, rules) => {
        for (const leg of legs) legEntry.set(leg.id, entryId);
        return onEntry(entryId, () => delivery.connected(entryId, legs, bridgeId, agentId, at, rules));
      },
      conversationEnded: (entryId, agentId, at, cause, rules, comment) =>
        onEntry(entryId, () => delivery.conversationEnded(entryId, agentId, at, cause, rules, comment)).finally(() =>
          forgetLegsOf(entryId),
        ),
      returnToQueue: (entryId, agentId, at, event, cause, rules) =>
        onEntry(entryId, () => delivery.returnToQueue(entryId, agentId, at, event, cause, rules)).finally(() => forgetLegsOf(entryId)),
      finishUnanswered: (entryId, agentId, at, detail, comment, rules) =>
        onEntry(entryId, () => delivery.finishUnanswered(entryId, agentId, at, detail, comment, rules)).finally(() =>
          forgetLegsOf(entryId),
        ),
      returnAfterFault: (entryId, agentId, at, cause, rules) =>
        onEntry(entryId, () => delivery.returnAfterFault(entryId, agentId, at, cause, rules)).finally(() => forgetLegsOf(entryId)),
    },
    agents: {
      ...agents,
      apply: (agentId, event, at, rules) => chain.run(`agent:${agentId}`, () => agents.apply(agentId, event, at, rules)),
      setOnline: (endpoint, online) => chain.run(`endpoint:${endpoint}`, () => agents.setOnline(endpoint, online)),
    },
    expiry: { ...expiry, expire: (entryId, ticket, at, outcome) => onEntry(entryId, () => expiry.expire(entryId, ticket, at, outcome)) },
    tickets: ticketStore(db),
    callbacks: { cancel: (entryId, at, by) => onEntry(entryId, () => callbacks.cancel(entryId, at, by)) },
    admin: { ...directoryAdmin(db), ...agentAdmin(db) },
    reports: reportStore(db),
    outbox: outboxStore(db),
    changes: { subscribe: (listener) => feed.subscribe(listener) },
    probeWrite: createPgProbe(pool, opts.url),
    close: async () => {
      if (closed) return;
      closed = true;
      // Let submitted writes finish (each is bounded by the statement and connect timeouts).
      await chain.idle();
      await db.idle();
      await feed.close();
      await pool.end().catch(() => undefined);
    },
  };
}
