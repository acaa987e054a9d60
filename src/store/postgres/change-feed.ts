// The change feed over LISTEN/NOTIFY: every write transaction NOTIFYs what it touched (db.ts) with its
// process's origin id; this LISTENs on its own connection (a pooled client cannot hold a LISTEN) and
// hands other processes' changes to the subscribers. Every time the LISTEN is (re)established it reports
// 'unknown' once: a change committed between subscribe() and the LISTEN (the connection is opened
// lazily) or while the connection was away sends its NOTIFY to nobody, so the subscribers must assume
// anything may have changed. (Subscribers re-read; one spare pass is cheap, a missed change is not.)
import pg from 'pg';
import type { ChangeFeed, ChangeTopic, StoreChange } from '../../app/ports';
import { CHANGE_CHANNEL } from './db';

const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['directory', 'agents', 'entries', 'unknown']);
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

export interface ListeningFeed extends ChangeFeed {
  close(): Promise<void>;
  /** Resolves once the LISTEN is in place (tests: a change made after this is seen). */
  ready(): Promise<void>;
}

export function listenFeed(config: pg.ClientConfig, origin: string): ListeningFeed {
  const listeners = new Set<(change: StoreChange) => void>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  let closed = false;

  const emit = (change: StoreChange): void => {
    for (const l of [...listeners]) l(change);
  };

  const onNotification = (msg: pg.Notification): void => {
    if (msg.channel !== CHANGE_CHANNEL) return;
    let topic: ChangeTopic = 'unknown';
    try {
      const body = JSON.parse(msg.payload ?? '{}') as { topic?: string; origin?: string };
      if (body.origin === origin) return; // our own write
      if (body.topic && TOPICS.has(body.topic)) topic = body.topic as ChangeTopic;
    } catch {
      // Not ours in shape: still a change of some kind.
    }
    emit({ topic });
  };

  const scheduleReconnect = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };

  const connect = (): Promise<void> => {
    if (connecting) return connecting;
    connecting = (async () => {
      const c = new pg.Client(config);
      c.on('error', () => undefined); // 'end' follows; reconnect there
      c.on('notification', onNotification);
      c.on('end', () => {
        if (client === c) client = undefined;
        scheduleReconnect();
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${CHANGE_CHANNEL}`);
        if (closed) {
          await c.end().catch(() => undefined);
          return;
        }
        client = c;
        retryMs = FIRST_RETRY_MS;
        emit({ topic: 'unknown' });
      } catch {
        await c.end().catch(() => undefined);
        scheduleReconnect();
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    subscribe: (listener) => {
      listeners.add(listener);
      if (!client && !connecting && !timer) void connect();
      return () => listeners.delete(listener);
    },
    ready: async () => {
      while (!client && !closed) await (connecting ?? connect());
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await connecting;
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
