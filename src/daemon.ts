// Composition of the running daemon: store → ARI → call routing, agents and dispatch. main.ts adds
// config, logging and signals around it; integration tests start it in-process.
import path from 'node:path';
import type { Config } from './config/schema';
import type { Logger } from './log';
import { AriConnection } from './ari/connection';
import { AriTelephony } from './ari/ari-telephony';
import { AgentService } from './app/agent-service';
import { CallRouter } from './app/call-router';
import { deliveryFactory } from './app/delivery-factory';
import { Dispatcher } from './app/dispatcher';
import { inboundFactory } from './app/inbound';
import { adoptWaitingCallers } from './app/restart-recovery';
import { type Clock, systemClock } from './app/ports';
import { installedLanguages, PromptMedia } from './app/prompt-media';
import type { Telephony } from './app/telephony';
import { openStore, type SqliteStore } from './store/sqlite-store';
import { WebhookDeliverer } from './tickets/webhook-sink';
import { startExpirySweep } from './app/expiry';
import { type MetricsServer, startMetricsServer } from './metrics/server';

const ENDPOINT_POLL_MS = 5000;

export interface DaemonOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
}

export class Daemon {
  private constructor(
    readonly store: SqliteStore,
    readonly connection: AriConnection,
    readonly telephony: Telephony,
    readonly router: CallRouter,
    readonly agents: AgentService,
    readonly dispatcher: Dispatcher,
    private readonly log: Logger,
    private readonly webhook: WebhookDeliverer | undefined,
  ) {}

  private stopExpiry: (() => void) | undefined;
  private metrics: MetricsServer | undefined;

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, log } = opts;
    const clock = opts.clock ?? systemClock;
    const store = openStore(config.db.path, { ticketOutbox: config.tickets.webhookUrl !== '' });
    const connection = new AriConnection({ ...config.ari, log });
    const telephony = new AriTelephony(connection);
    const installed = installedLanguages(path.resolve(config.sounds.dir));
    const media = new PromptMedia(
      { prefix: config.sounds.prefix, installed, defaultLanguage: () => store.settings.get('default_language') ?? config.language.default },
      store.greetings,
    );
    const agents = new AgentService(store, clock, config.agents, log);
    // The router needs the session factory and the dispatcher needs the router: wire in two steps.
    // eslint-disable-next-line prefer-const -- assigned after the router that needs it
    let dispatcher: Dispatcher | undefined;
    const callerDeps = {
      telephony,
      store,
      clock,
      media,
      log,
      agents,
      settings: config.ivr,
      maxRequestsPerCallerPerHour: config.callback.maxRequestsPerCallerPerHour,
      onQueueChanged: () => dispatcher?.kick(),
    };
    const router = new CallRouter(telephony, inboundFactory(callerDeps, log), log);
    dispatcher = new Dispatcher(
      store,
      clock,
      deliveryFactory({
        telephony,
        store,
        clock,
        router,
        agents,
        media,
        log,
        app: config.ari.app,
        ringTimeoutSeconds: config.agents.ringTimeoutSeconds,
        settings: {
          menuTimeoutSeconds: config.ivr.menuTimeoutSeconds,
          maxAttempts: config.callback.maxAttempts,
          retryDelaySeconds: config.callback.retryDelaySeconds,
          declineCooldownSeconds: config.agents.declineCooldownSeconds,
          customerRingSeconds: 30,
        },
      }),
      log,
    );
    agents.subscribe(() => dispatcher?.kick());
    // Tickets always live in SQLite; with a webhook URL they are also delivered there via the outbox.
    const webhook = config.tickets.webhookUrl
      ? new WebhookDeliverer({ url: config.tickets.webhookUrl, outbox: store.outbox, clock, log })
      : undefined;
    const daemon = new Daemon(store, connection, telephony, router, agents, dispatcher, log, webhook);

    // Nothing rings or dials across a restart: in-flight callbacks go back to their place.
    const recovered = store.entries.recoverInFlight(clock.now());
    agents.recover();
    if (recovered > 0) log.info('callbacks returned to their place after restart', { recovered });

    // Expire overdue callbacks before anything could dispatch them, then every minute.
    daemon.stopExpiry = startExpirySweep({
      store,
      reports: store.reports,
      clock,
      expiryMinutes: config.callback.expiryMinutes,
      cron: config.callback.expirySweepCron,
      log,
    });
    router.start();
    telephony.on((event) => {
      if (event.type === 'connected' && event.reconnect) return daemon.reconcile();
    });
    try {
      await connection.start();
      daemon.metrics = await startMetricsServer({ bind: config.metrics.bind, reports: store.reports, log, clock });
    } catch (err) {
      daemon.stopExpiry?.();
      await router.stop();
      await connection.stop();
      store.close();
      throw err;
    }
    await adoptWaitingCallers(callerDeps, router, telephony, log).catch((err) =>
      log.error('could not re-adopt waiting callers', { error: (err as Error).message }),
    );
    dispatcher.start();
    webhook?.start(5000);
    daemon.endpointPoll = setInterval(() => void daemon.pollEndpoints(), ENDPOINT_POLL_MS);
    log.info('callbackd started', { app: config.ari.app, db: config.db.path, languages: installed });
    return daemon;
  }

  endpointPoll: NodeJS.Timeout | undefined;

  /** Agent phones that went offline (unregistered, unreachable) leave the rotation until back. */
  private async pollEndpoints(): Promise<void> {
    try {
      for (const { endpoint, state } of await this.telephony.endpointStates()) this.agents.endpointState(endpoint, state);
    } catch (err) {
      this.log.warn('could not read endpoint states', { error: (err as Error).message });
    }
  }

  /** Events during an ARI outage are lost; ask Asterisk which of our calls still exist. */
  async reconcile(): Promise<void> {
    const channels = await this.telephony.listChannels();
    const ended = await this.router.reconcile(new Set(channels.map((c) => c.id)));
    this.log.info('reconciled after reconnect', { channels: channels.length, endedDuringOutage: ended });
    this.dispatcher.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.endpointPoll);
    this.stopExpiry?.();
    await this.metrics?.close();
    this.dispatcher.stop();
    this.agents.stop();
    await this.webhook?.stop();
    await this.router.stop();
    await this.connection.stop();
    this.store.close();
    this.log.info('callbackd stopped');
  }
}
