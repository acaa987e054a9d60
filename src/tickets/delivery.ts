// The ticket delivery the daemon starts and stops: one outbox deliverer per configured sink (webhook,
// Zendesk), each on its own timer with its own attempts, backoff and dead letters, so a help desk
// that is down never holds up the other.
import type { Config } from '../config/schema';
import type { Ticket } from '../domain/model';
import type { Logger } from '../log';
import type { OutboxStore, TicketSinkName } from '../app/ports';
import type { OutboxDeliverer } from './outbox-deliverer';
import { WebhookDeliverer } from './webhook-sink';
import { ZendeskClient } from './zendesk-client';
import { ZendeskDeliverer } from './zendesk-sink';

type TicketsConfig = Config['tickets'];

/** How often each sink looks for due rows. */
const DEFAULT_INTERVAL_MS = 5000;

/** The sinks the config turns on, in delivery order. */
export function configuredSinks(tickets: TicketsConfig): TicketSinkName[] {
  const sinks: TicketSinkName[] = [];
  if (tickets.webhookUrl !== '') sinks.push('webhook');
  // loadConfig refuses a half-configured Zendesk, so subdomain or baseUrl means all of it is there.
  if (tickets.zendesk.subdomain !== '' || tickets.zendesk.baseUrl !== '') sinks.push('zendesk');
  return sinks;
}

/** Whether tickets-repo must queue tickets and comments at all: openStore(path, { ticketOutbox }). */
export function ticketOutboxEnabled(tickets: TicketsConfig): boolean {
  return configuredSinks(tickets).length > 0;
}

/** tickets.zendesk.baseUrl, or https://<subdomain>.zendesk.com. */
export function zendeskBaseUrl(zendesk: TicketsConfig['zendesk']): string {
  return zendesk.baseUrl !== '' ? zendesk.baseUrl : `https://${zendesk.subdomain}.zendesk.com`;
}

export interface TicketDelivery {
  /** The configured sinks, for the start-up log line. */
  readonly sinks: readonly TicketSinkName[];
  /** Starts every sink's timer (the first run is immediate). Does nothing after stop(). */
  start(): void;
  /** Stops the timers and waits for runs in progress; idempotent. Close the store after it. */
  stop(): Promise<void>;
}

export interface TicketDeliveryDeps {
  outbox: OutboxStore;
  clock: { now(): number };
  log: Logger;
  /** Language of a ticket's texts in Zendesk (description, caller name): the number's callback
   *  language. Default 'en'. */
  languageOf?: (ticket: Ticket) => string | Promise<string>;
  /** Default 5000 ms. */
  intervalMs?: number;
  /** Tests only. */
  fetchImpl?: typeof fetch;
}

/** undefined when no sink is configured (tickets stay in SQLite only). */
export function createTicketDelivery(tickets: TicketsConfig, deps: TicketDeliveryDeps): TicketDelivery | undefined {
  const sinks = configuredSinks(tickets);
  if (sinks.length === 0) return undefined;
  const { outbox, clock, log, fetchImpl } = deps;
  const deliverers: OutboxDeliverer[] = sinks.map((sink) =>
    sink === 'webhook'
      ? new WebhookDeliverer({
          url: tickets.webhookUrl,
          authorization: tickets.webhookAuthorization,
          secret: tickets.webhookSecret,
          outbox,
          clock,
          log,
          sinks,
          fetchImpl,
        })
      : new ZendeskDeliverer({
          client: new ZendeskClient({
            baseUrl: zendeskBaseUrl(tickets.zendesk),
            email: tickets.zendesk.email,
            apiToken: tickets.zendesk.apiToken,
            clock,
            fetchImpl,
          }),
          outbox,
          clock,
          log,
          languageOf: deps.languageOf,
          sinks,
        }),
  );
  const intervalMs = deps.intervalMs ?? DEFAULT_INTERVAL_MS;
  let stopping: Promise<void> | undefined;
  return {
    sinks,
    start: () => {
      if (stopping) return;
      for (const d of deliverers) d.start(intervalMs);
    },
    stop: () => (stopping ??= Promise.all(deliverers.map((d) => d.stop())).then(() => undefined)),
  };
}
