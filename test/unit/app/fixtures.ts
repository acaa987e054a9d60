// Builders for the middle-layer tests: fake time, a real SQLite store in a temp file, seed rows, and
// the features composed the way src/daemon.ts composes them, over the fake PBX (fake-telephony.ts).
// Every deps object of the sessions and features is built HERE, so a change of their shape is adapted
// in one place.
import { ticketSubject } from '../../../src/domain/ticket-text';
import sinon from 'sinon';
import winston from 'winston';
import { AgentsFeature, type AgentsFeatureDeps } from '../../../src/app/agents/agents-feature';
import type { CallerDeps } from '../../../src/app/callers/caller-session';
import { CallersFeature } from '../../../src/app/callers/callers-feature';
import { inboundRouter } from '../../../src/app/callers/inbound';
import { DeliveryFeature, type DeliveryFeatureDeps } from '../../../src/app/delivery/delivery-feature';
import type { DispatcherDeps } from '../../../src/app/delivery/dispatcher';
import { AppEvents, type AppEvent } from '../../../src/app/events';
import type { LegOptions } from '../../../src/app/leg';
import type { Clock, Store } from '../../../src/app/ports';
import type { DialRequest } from '../../../src/app/telephony';
import { PromptMedia, systemLanguage } from '../../../src/app/prompt-media';
import { CallRouter } from '../../../src/app/router';
import type { AgentRules } from '../../../src/domain/agent/agent-state';
import type { Agent, AgentState, NumberConfig, QueueConfig, QueueEntry } from '../../../src/domain/model';
import type { Logger } from '../../../src/log';
import { createAppStore, type SqliteAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir } from '../store/tmp-db';
import { FakeTelephony } from './fake-telephony';

export const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
export const APP = 'callbackd';
export const DID = '+4930123456';
export const QUEUE = 'support';
export const CALLER = '+4915112345678';

// ---- time ---------------------------------------------------------------------------------------------

export interface FakeTime {
  clock: sinon.SinonFakeTimers;
  /** Runs fake timers up to `seconds` from now, one due time at a time, letting each one's work settle. */
  advance(seconds: number): Promise<void>;
  restore(): void;
}

/** Fakes timers and Date (not setImmediate: the fake PBX and settle() use real turns of the loop). */
export function fakeTime(settle: () => Promise<void>, now = T0): FakeTime {
  const clock = sinon.useFakeTimers({ now, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  // The next due time; fake-timers keeps its timers in this (untyped) map.
  const nextDue = (): number | undefined => {
    const timers = (clock as unknown as { timers?: Map<number, { callAt: number }> }).timers;
    const due = [...(timers?.values() ?? [])].map((t) => t.callAt);
    return due.length > 0 ? Math.min(...due) : undefined;
  };
  return {
    clock,
    advance: async (seconds) => {
      const end = clock.now + Math.round(seconds * 1000);
      await settle();
      for (let next = nextDue(); next !== undefined && next <= end; next = nextDue()) {
        await clock.tickAsync(Math.max(0, next - clock.now));
        await settle();
      }
      await clock.tickAsync(Math.max(0, end - clock.now));
      await settle();
    },
    restore: () => clock.restore(),
  };
}

export const clockOfDate: Clock = { now: () => Date.now() };

/** Watches a promise without awaiting it: `.state` says whether it settled yet, and how. */
export function track<T>(p: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  p.then(
    (value) => Object.assign(t, { state: 'resolved', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

// ---- logs ---------------------------------------------------------------------------------------------

export interface LogRecord {
  level: string;
  message: string;
  [meta: string]: unknown;
}

/** A logger that keeps every line (child loggers' metadata included) instead of printing it. */
export function recordingLogger(): { log: Logger; records: LogRecord[]; lines(level: string, message: string | RegExp): LogRecord[] } {
  const records: LogRecord[] = [];
  const keep = winston.format((info) => {
    records.push({ ...info } as LogRecord);
    return false;
  });
  const log = winston.createLogger({ level: 'debug', format: keep(), transports: [new winston.transports.Console({ silent: true })] });
  const lines = (level: string, message: string | RegExp) =>
    records.filter((r) => r.level === level && (typeof message === 'string' ? r.message === message : message.test(r.message)));
  return { log, records, lines };
}

// ---- store --------------------------------------------------------------------------------------------

export interface TestStore {
  file: string;
  sqlite: SqliteStore;
  store: SqliteAppStore;
  /** Another connection to the same file, like the admin CLI's. */
  other(): SqliteStore;
  /** The Store port of a second daemon on the same file. */
  otherDaemon(): SqliteAppStore;
  close(): void;
}

export function testStore(opts: { lockDeadlineMs?: number; requestDeadlineMs?: number; watchIntervalMs?: number } = {}): TestStore {
  const tmp = makeTmpDir();
  const file = tmp.file();
  // busy_timeout 0: a locked database answers SQLITE_BUSY at once and the LockRunner retries on
  // (fake) timers, instead of SQLite sleeping in real time.
  const sqlite = openStore(file, { busyTimeoutMs: 0 });
  const store = createAppStore(sqlite, {
    lockDeadlineMs: opts.lockDeadlineMs ?? 2000,
    requestDeadlineMs: opts.requestDeadlineMs,
    watchIntervalMs: opts.watchIntervalMs ?? 5000,
  });
  const others: SqliteStore[] = [];
  const other = () => {
    const s = openStore(file, { busyTimeoutMs: 0 });
    others.push(s);
    return s;
  };
  return {
    file,
    sqlite,
    store,
    other,
    otherDaemon: () => createAppStore(other(), { lockDeadlineMs: opts.lockDeadlineMs ?? 2000 }),
    close: () => {
      for (const s of others) s.close();
      sqlite.close();
      tmp.cleanup();
    },
  };
}

export function seedQueue(s: SqliteStore, q: Partial<QueueConfig> = {}): QueueConfig {
  const queue: QueueConfig = { name: QUEUE, maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default', ...q };
  s.queues.upsert(queue);
  return queue;
}

export function seedNumber(s: SqliteStore, n: Partial<NumberConfig> = {}): NumberConfig {
  const number: NumberConfig = {
    did: DID,
    kind: 'voice',
    queue: QUEUE,
    callbackEnabled: true,
    callbackLanguage: 'en',
    callbackGreeting: null,
    confirmationGreeting: null,
    outboundTrunk: null,
    outboundCallerId: null,
    allowedCountries: null,
    ...n,
  };
  s.numbers.upsert(number);
  return number;
}

/** An agent in `state` (default available) since `at`; available agents are idle since then. */
export function seedAgent(
  s: SqliteStore,
  id: string,
  o: { endpoint?: string; queues?: string[]; state?: AgentState; at?: number; missed?: number } = {},
): Agent {
  const at = o.at ?? Date.now();
  s.agents.add({ id, name: id, endpoint: o.endpoint ?? `PJSIP/${id}`, queues: o.queues ?? [QUEUE] }, at);
  s.agents.setState(id, o.state ?? 'available', at, o.missed ?? 0);
  return s.agents.get(id)!;
}

/** A live caller's place, and optionally its callback request (kind callback, state pending). */
export function seedEntry(
  s: SqliteStore,
  id: string,
  o: { enteredAt: number; channelId?: string; callerId?: string | null; callback?: string; language?: string },
): QueueEntry {
  s.entries.addLive({
    id,
    queue: QUEUE,
    did: DID,
    channelId: o.channelId ?? `chan-${id}`,
    callerId: o.callerId ?? null,
    enteredAt: o.enteredAt,
  });
  if (o.callback)
    s.entries.requestCallback({ entryId: id, number: o.callback, requestedAt: o.enteredAt + 1000, language: o.language ?? 'en' });
  return s.entries.get(id)!;
}

// ---- settings -----------------------------------------------------------------------------------------

export const IVR: CallerDeps['settings'] = {
  offerDelaySeconds: 30,
  offerIntervalSeconds: 60,
  menuTimeoutSeconds: 6,
  firstDigitTimeoutSeconds: 10,
  interDigitTimeoutSeconds: 5,
  maxEntryAttempts: 3,
};
export const LEG: LegOptions = { playbackStartTimeoutMs: 5000, failedPromptGraceMs: 1000 };
export const RULES: AgentRules = { maxMissed: 3, wrapUpSeconds: 10 };
export const DELIVERY = {
  agentRingSeconds: 20,
  customerRingSeconds: 30,
  callback: { menuTimeoutSeconds: 6, maxAttempts: 1, retryDelaySeconds: 120, declineCooldownSeconds: 60 },
  fastRejectMs: 1000,
  rejectPauseSeconds: 10,
};

// ---- the composed features ----------------------------------------------------------------------------

export interface WorldOptions {
  ivr?: Partial<CallerDeps['settings']>;
  rateLimits?: Partial<CallerDeps['rateLimits']>;
  rules?: Partial<AgentRules>;
  delivery?: Partial<Omit<typeof DELIVERY, 'callback'>> & { callback?: Partial<(typeof DELIVERY)['callback']> };
  lockDeadlineMs?: number;
  requestDeadlineMs?: number;
  /** The store as the features see it, e.g. with one verb failing. */
  store?: (store: Store) => Store;
  /** Start dispatch, agents and the router (default true). */
  start?: boolean;
}

export interface World {
  pbx: FakeTelephony;
  time: FakeTime;
  /** The SQLite adapter's own API, to arrange and to look at rows. */
  sqlite: SqliteStore;
  db: TestStore;
  store: Store;
  events: AppEvents;
  /** Every AppEvent emitted, in order. */
  emitted: AppEvent[];
  router: CallRouter;
  media: PromptMedia;
  callers: CallersFeature;
  delivery: DeliveryFeature;
  agents: AgentsFeature;
  logs: ReturnType<typeof recordingLogger>;
  settle(): Promise<void>;
  advance(seconds: number): Promise<void>;
  /** The latest entry of a caller's channel. */
  entryOf(channelId: string): QueueEntry | undefined;
  agent(id: string): Agent;
  /** Starts router, agents and dispatch, in the daemon's order (done by createWorld unless start: false). */
  start(): void;
  close(): void;
}

/** The dispatcher alone, with the delivery (offer + session) replaced by the test's. */
export function dispatcherDeps(
  store: Store,
  events: AppEvents,
  log: Logger,
  d: Pick<DispatcherDeps, 'hasCaller' | 'dropCaller' | 'deliver'>,
): DispatcherDeps {
  return { store, clock: clockOfDate, log, events, ...d };
}

/** Legs the daemon dialled, by role, oldest first. */
export function dialled(w: World, role: 'agent' | 'customer'): DialRequest[] {
  return w.pbx.dials.filter((d) => d.appArgs[0] === `${role}-leg`);
}

/** The id of the latest leg dialled for `role`. */
export function lastLeg(w: World, role: 'agent' | 'customer'): string {
  const leg = dialled(w, role).at(-1);
  if (!leg) throw new Error(`no ${role} leg was dialled`);
  return leg.channelId;
}

export function createWorld(o: WorldOptions = {}): World {
  const pbx = new FakeTelephony(APP);
  const settle = () => pbx.settle();
  const time = fakeTime(settle);
  const db = testStore({ lockDeadlineMs: o.lockDeadlineMs, requestDeadlineMs: o.requestDeadlineMs });
  const store = o.store ? o.store(db.store) : db.store;
  const logs = recordingLogger();
  const log = logs.log;
  const events = new AppEvents((err, event) => log.error('internal event handler failed', { eventType: event.type, error: String(err) }));
  const emitted: AppEvent[] = [];
  for (const type of ['dispatch-needed', 'caller-ended', 'agent-changed', 'cooldown', 'agent-pause'] as const)
    events.on(type, (e: AppEvent) => emitted.push(e));
  const media = new PromptMedia(
    { prefix: APP, installed: ['en', 'de'], defaultLanguage: () => systemLanguage(store.directory, 'en') },
    store.directory,
  );
  const rules: AgentRules = { ...RULES, ...o.rules };
  const common = { telephony: pbx, clock: clockOfDate, log, events, media, leg: LEG };

  let inbound: ReturnType<typeof inboundRouter> = () => Promise.resolve();
  const router = new CallRouter(pbx, (entered) => inbound(entered), log);
  const agentsDeps: AgentsFeatureDeps = { ...common, store, router, rules, endpointPollMs: 5000 };
  const agents = new AgentsFeature(agentsDeps);
  const callers = new CallersFeature({
    ...common,
    store,
    router,
    app: APP,
    settings: { ...IVR, ...o.ivr },
    rateLimits: { perCallerPerHour: 5, withheldPerDidPerHour: 20, ...o.rateLimits },
  });
  inbound = inboundRouter({
    ...common,
    directory: store.directory,
    router,
    special: agents.featureCodes(),
    startCaller: (call) => callers.startCaller(call),
  });
  const deliveryDeps: DeliveryFeatureDeps = {
    ...common,
    store,
    router,
    callers,
    hasCaller: (entryId) => callers.has(entryId),
    app: APP,
    rules,
    // The daemon's rule: the request's language, else the system's (en here), default template.
    ticketSubject: (language, fields) => ticketSubject(language ?? 'en', '{subject}', fields),
    ...DELIVERY,
    ...o.delivery,
    callback: { ...DELIVERY.callback, ...o.delivery?.callback },
  };
  const delivery = new DeliveryFeature(deliveryDeps);
  const start = () => {
    router.start();
    agents.start();
    delivery.start();
  };
  if (o.start !== false) start();
  return {
    pbx,
    time,
    sqlite: db.sqlite,
    db,
    store,
    events,
    emitted,
    router,
    media,
    callers,
    delivery,
    agents,
    logs,
    settle,
    advance: (seconds) => time.advance(seconds),
    entryOf: (channelId) => db.sqlite.entries.byChannel(channelId),
    agent: (id) => db.sqlite.agents.get(id)!,
    start,
    close: () => {
      delivery.stop();
      agents.stop();
      void router.stop(0); // unsubscribes at once; its grace timer dies with the fake clock
      pbx.close();
      time.restore();
      db.close();
    },
  };
}
