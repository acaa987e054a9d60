// Composition of the running daemon: store → ARI → call routing. main.ts adds config, logging and
// signals around it; integration tests start it in-process.
import path from 'node:path';
import type { Config } from './config/schema';
import type { Logger } from './log';
import { AriConnection } from './ari/connection';
import { AriTelephony } from './ari/ari-telephony';
import { CallRouter } from './app/call-router';
import { inboundFactory } from './app/inbound';
import { Clock, Store, systemClock } from './app/ports';
import { installedLanguages, PromptMedia } from './app/prompt-media';
import type { Telephony } from './app/telephony';
import { openStore } from './store/sqlite-store';

export interface DaemonOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
}

export class Daemon {
  private constructor(
    readonly store: Store,
    readonly connection: AriConnection,
    readonly telephony: Telephony,
    readonly router: CallRouter,
    private readonly log: Logger,
  ) {}

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, log } = opts;
    const store = openStore(config.db.path);
    const connection = new AriConnection({ ...config.ari, log });
    const telephony = new AriTelephony(connection);
    const installed = installedLanguages(path.resolve(config.sounds.dir));
    const media = new PromptMedia(
      {
        prefix: config.sounds.prefix,
        installed,
        defaultLanguage: () => store.settings.get('default_language') ?? config.language.default,
      },
      store.greetings,
    );
    const router = new CallRouter(
      telephony,
      inboundFactory({ telephony, store, clock: opts.clock ?? systemClock, media, log, settings: config.ivr }, log),
      log,
    );
    const daemon = new Daemon(store, connection, telephony, router, log);
    router.start();
    telephony.on((event) => (event.type === 'connected' && event.reconnect ? daemon.reconcile() : undefined));
    try {
      await connection.start();
    } catch (err) {
      router.stop();
      store.close();
      throw err;
    }
    log.info('callbackd started', { app: config.ari.app, db: config.db.path, languages: installed });
    return daemon;
  }

  /** Events during an ARI outage are lost; ask Asterisk which of our calls still exist. */
  private async reconcile(): Promise<void> {
    const channels = await this.telephony.listChannels();
    const ended = await this.router.reconcile(new Set(channels.map((c) => c.id)));
    this.log.info('reconciled after reconnect', { channels: channels.length, endedDuringOutage: ended });
  }

  async stop(): Promise<void> {
    this.router.stop();
    await this.connection.stop();
    this.store.close();
    this.log.info('callbackd stopped');
  }
}
