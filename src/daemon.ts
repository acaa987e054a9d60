// Composition of the running daemon: adapters (SQLite, ARI) → ports → features (callers, delivery,
// agents, expiry, tickets, metrics). Each feature recovers, starts and stops on its own; this file only
// wires them and orders start-up: recover what is in flight before anything new is dispatched.
// main.ts adds config, logging and signals around it; integration tests start it in-process.
import path from 'node:path';
import { AgentsFeature } from './app/agents/agents-feature';
import { CallersFeature } from './app/callers/callers-feature';
import { inboundRouter } from './app/callers/inbound';
import { DeliveryFeature } from './app/delivery/delivery-feature';
import { AppEvents } from './app/events';
import { startExpirySweep, type ExpiryDeps } from './app/expiry';
import type { LegOptions } from './app/leg';
import { systemClock, type Clock, type Store } from './app/ports';
import { PromptMedia, systemLanguage } from './app/prompt-media';
import { CallRouter } from './app/router';
import { AriTelephony } from './ari/ari-telephony';
import { AriConnection } from './ari/connection';
import { shownDbUrl, type Config } from './config/schema';
import { acquireDaemonLock, type DaemonLock } from './daemon-lock';
import { acquirePgDaemonLock, type PgDaemonLock } from './store/postgres/daemon-lock';
import type { AgentRules } from './domain/agent/agent-state';
import type { Logger } from './log';
import { ariAppCheck, readinessFrom } from './metrics/health';
import { confirmationLatencyHistogram, type Histogram } from './metrics/histogram';
import { startMetricsServer, type MetricsServer } from './metrics/server';
import { installedLanguages } from './sounds';
import { CallbackdError } from './errors';
import { openConfiguredStore, type ConfiguredStore } from './store/open-store';
import type { SqliteStore } from './store/sqlite/sqlite-store';
import { ticketSubject } from './domain/ticket-text';
import { createTicketDelivery, type TicketDelivery } from './tickets/delivery';

const ENDPOINT_POLL_MS = 5000;
const LEG_OPTIONS: LegOptions = { playbackStartTimeoutMs: 5000, failedPromptGraceMs: 1000 };
/** An agent phone rejecting faster than this is paused, so a broken phone cannot collect misses in ms. */
const FAST_REJECT_MS = 1000;
const REJECT_PAUSE_SECONDS = 10;

export interface DaemonOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
}

/** Everything the composition made, handed to the Daemon at once. */
interface DaemonParts {
  lock: DaemonLock & Partial<Pick<PgDaemonLock, 'held'>>;
  store: ConfiguredStore;
  connection: AriConnection;
  telephony: AriTelephony;
  router: CallRouter;
  events: AppEvents;
  callers: CallersFeature;
  delivery: DeliveryFeature;
  agents: AgentsFeature;
  tickets: TicketDelivery | undefined;
  ticketSubject: ExpiryDeps['subject'];
  confirmation: Histogram;
  config: Config;
  clock: Clock;
  log: Logger;
}

export class Daemon {
  private stopping: Promise<void> | undefined;
  private started = false;
  private metrics: MetricsServer | undefined;
  private stopExpiry: (() => void) | undefined;
  private readonly offReconnect: () => void;

  /** The SQLite adapter's own API (tests and the benchmark read through it). */
  private readonly configured: ConfiguredStore;
  readonly store: Store;

  /** The SQLite repos under the Store port, for integration tests that read rows directly. There is no
   *  such thing on PostgreSQL: asking for it there is a mistake, said so instead of returning undefined. */
  get sqlite(): SqliteStore {
    if (!this.configured.sqlite) {
      throw new CallbackdError(
        'DAEMON_NOT_SQLITE',
        'daemon.sqlite exists only on the SQLite store; db.url selects PostgreSQL, use daemon.store',
      );
    }
    return this.configured.sqlite;
  }
  readonly connection: AriConnection;
  readonly telephony: AriTelephony;
  readonly router: CallRouter;
  readonly events: AppEvents;
  readonly callers: CallersFeature;
  readonly delivery: DeliveryFeature;
  readonly agents: AgentsFeature;
  private readonly tickets: TicketDelivery | undefined;
  private readonly lock: DaemonLock & Partial<Pick<PgDaemonLock, 'held'>>;
  private readonly ticketSubject: ExpiryDeps['subject'];
  private readonly confirmation: Histogram;
  private readonly config: Config;
  private readonly clock: Clock;
  private readonly log: Logger;

  private constructor(parts: DaemonParts) {
    this.configured = parts.store;
    ({
      lock: this.lock,
      store: this.store,
      connection: this.connection,
      telephony: this.telephony,
      router: this.router,
      events: this.events,
      callers: this.callers,
      delivery: this.delivery,
      agents: this.agents,
      tickets: this.tickets,
      ticketSubject: this.ticketSubject,
      confirmation: this.confirmation,
      config: this.config,
      clock: this.clock,
      log: this.log,
    } = parts);
    // Events during an ARI outage are lost: after a reconnect, ask the PBX what is still there.
    this.offReconnect = this.telephony.on((event) => {
      if (event.type === 'connected' && event.reconnect) return this.reconcile('reconnect');
    });
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, log } = opts;
    const clock = opts.clock ?? systemClock;
    // Before the database is opened and long before ARI: a second daemon on this database must not
    // steal the Stasis app from the first, nor reconcile the first one's callers away (issue 21 item 2).
    // On PostgreSQL a session lock says so until several daemons per database are supported.
    const lock: DaemonLock & Partial<Pick<PgDaemonLock, 'held'>> = config.db.url
      ? await acquirePgDaemonLock({ url: config.db.url, password: config.db.password, applicationName: 'callbackd-daemon' }, log)
      : acquireDaemonLock(config.db.path);
    let store: ConfiguredStore;
    try {
      store = await openConfiguredStore(config, { role: 'daemon' });
    } catch (err) {
      lock.release();
      throw err;
    }
    const connection = new AriConnection({ ...config.ari, log });
    const telephony = new AriTelephony(connection);
    const events = new AppEvents((err, event) =>
      log.error('internal event handler failed', { eventType: event.type, error: (err as Error).message }),
    );
    const installed = installedLanguages(path.resolve(config.sounds.dir));
    const media = new PromptMedia(
      { prefix: config.sounds.prefix, installed, defaultLanguage: () => systemLanguage(store.directory, config.language.default) },
      store.directory,
    );
    const rules: AgentRules = { maxMissed: config.agents.maxMissed, wrapUpSeconds: config.agents.wrapUpSeconds };
    const common = { telephony, clock, log, events, media, leg: LEG_OPTIONS };
    const confirmation = confirmationLatencyHistogram();
    // A ticket's subject is in the language the request was confirmed in (the number's), else the system's.
    const subject = (language: string | null, fields: { number: string; queue: string; did: string }) =>
      ticketSubject(language ?? config.language.default, config.tickets.subjectTemplate, fields);

    let inbound: (e: Parameters<ReturnType<typeof inboundRouter>>[0]) => Promise<void> = () => Promise.resolve();
    const router = new CallRouter(telephony, (entered) => inbound(entered), log);
    const agents = new AgentsFeature({ ...common, store, router, rules, endpointPollMs: ENDPOINT_POLL_MS });
    const callers = new CallersFeature({
      ...common,
      store,
      router,
      app: config.ari.app,
      settings: config.ivr,
      observeConfirmation: (seconds) => confirmation.observe(seconds),
      rateLimits: {
        perCallerPerHour: config.callback.maxRequestsPerCallerPerHour,
        withheldPerDidPerHour: config.callback.maxWithheldRequestsPerDidPerHour,
      },
    });
    inbound = inboundRouter({
      ...common,
      directory: store.directory,
      router,
      special: agents.featureCodes(),
      startCaller: (call) => callers.startCaller(call),
    });
    const delivery = new DeliveryFeature({
      ...common,
      store,
      router,
      callers,
      hasCaller: (entryId) => callers.has(entryId),
      app: config.ari.app,
      rules,
      agentRingSeconds: config.agents.ringTimeoutSeconds,
      customerRingSeconds: config.callback.customerRingSeconds,
      callback: {
        menuTimeoutSeconds: config.ivr.menuTimeoutSeconds,
        maxAttempts: config.callback.maxAttempts,
        retryDelaySeconds: config.callback.retryDelaySeconds,
        declineCooldownSeconds: config.agents.declineCooldownSeconds,
      },
      ticketSubject: subject,
      fastRejectMs: FAST_REJECT_MS,
      rejectPauseSeconds: REJECT_PAUSE_SECONDS,
    });
    // Tickets always live in the store; with a webhook and/or Zendesk configured they also go there.
    const tickets = createTicketDelivery(config.tickets, {
      outbox: store.outbox,
      clock,
      log,
      languageOf: async (t) => (t.entryId ? (await store.callers.entry(t.entryId))?.language : undefined) ?? config.language.default,
    });
    const daemon = new Daemon({
      lock,
      store,
      connection,
      telephony,
      router,
      events,
      callers,
      delivery,
      agents,
      tickets,
      ticketSubject: subject,
      confirmation,
      config,
      clock,
      log,
    });
    try {
      await daemon.run(installed);
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  private async run(installed: string[]): Promise<void> {
    const { config, log, clock, store } = this;
    // Listeners first: a port that cannot be bound ends this start before it has touched ARI (where it
    // would take the Stasis app over from a daemon that is running). Not ready until ARI is up.
    // Ready = ARI's event socket is up, the app is still ours, and the database takes a write (probed
    // with the daemon's own tiny busy timeout, so a probe never holds the event loop for long).
    const connected = () => this.connection.connected;
    this.metrics = await startMetricsServer({
      bind: config.metrics.bind,
      reports: this.store.reports,
      log,
      clock,
      figures: this.store.reports,
      confirmation: this.confirmation,
      live: {
        ariConnected: connected,
        ariReconnects: () => this.connection.reconnects,
        activeCalls: () => this.callers.active + this.delivery.activeCalls,
      },
      readiness: readinessFrom({
        ari: ariAppCheck(this.connection),
        db: () => this.store.probeWrite(),
        // PostgreSQL: still the one daemon of this database (the lock's session is up and ours).
        ...(this.lock.held ? { dbLock: this.lock.held } : {}),
      }),
    });
    // Expire overdue callbacks before anything could dispatch them, then on the schedule.
    const expiry = startExpirySweep({
      store,
      clock,
      expiryMinutes: config.callback.expiryMinutes,
      cron: config.callback.expirySweepCron,
      log,
      subject: this.ticketSubject,
    });
    this.stopExpiry = expiry.stop;
    await expiry.first;
    this.router.start();
    await this.connection.start();
    await this.reconcile('start');
    this.agents.start();
    this.delivery.start();
    this.tickets?.start();
    this.started = true;
    // The URL without userinfo: a password in db.url never reaches the log.
    const db = this.configured.kind === 'postgres' ? shownDbUrl(config.db.url) : config.db.path;
    log.info('callbackd started', { app: config.ari.app, db, languages: installed });
  }

  /**
   * What is in flight vs what the PBX still has (start, and after every ARI reconnect): channels that
   * vanished unseen end in their sessions; calls in flight are re-adopted or closed (delivery), callers
   * on the line re-adopted (callers), agents without a call freed (agents).
   */
  private async reconcile(why: 'start' | 'reconnect'): Promise<void> {
    try {
      const [channels, bridges] = await Promise.all([this.telephony.listChannels(), this.telephony.listBridges()]);
      const alive = new Set(channels.map((c) => c.id));
      // Calls in delivery that lost a channel unseen are planned from the store, not from made-up hangups.
      const released = this.delivery.releaseLost(alive);
      const ended = await this.router.endMissing(alive);
      const calls = await this.delivery.recover(channels, bridges, why);
      const callers = await this.callers.recover(channels);
      const freed = await this.agents.recover(this.delivery.agentsOnCalls());
      // Last: whatever of ours is still unowned entered unheard (a caller would ring for ever).
      const known = async (id: string) =>
        (await this.store.callers.entryByChannel(id)) !== undefined || (await this.store.delivery.leg(id)) !== undefined;
      const admitted = await this.router.admitUnowned(channels, this.config.ari.app, known);
      this.log.info(why === 'start' ? 'state reconciled with the PBX at start' : 'state reconciled with the PBX after reconnect', {
        channels: channels.length,
        endedUnseen: ended,
        callsReleased: released,
        callsAdopted: calls.adopted,
        callsEnded: calls.ended,
        callersAdopted: callers.adopted,
        callersGone: callers.gone,
        agentsFreed: freed,
        admittedUnseen: admitted,
      });
      this.events.emit({ type: 'dispatch-needed', reason: why });
    } catch (err) {
      this.log.error('could not reconcile with the PBX', { why, error: (err as Error).message });
      if (why === 'start') throw err;
    }
  }

  /** Stops taking calls and closes everything; safe to call more than once and after a failed start. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.offReconnect();
    this.stopExpiry?.();
    await this.metrics?.close();
    this.delivery.stop();
    this.agents.stop();
    await this.tickets?.stop();
    await this.router.stop();
    await this.connection.stop();
    await this.store.close();
    this.lock.release();
    // After a failed start the caller reports the cause; one line is what the operator should see.
    if (this.started) this.log.info('callbackd stopped');
  }
}
