// Delivers the ticket outbox to Zendesk: a callback ticket becomes a Zendesk ticket requested by the
// end user with the callback number (found by phone, created if there is none), and a later comment
// ("callback attempted, not answered") is added to that ticket as an internal note.
//
// Exactly once, although delivery is at-least-once (a crash or a lost answer after the POST means
// the row is sent again): the Zendesk ticket carries external_id callbackd-<ticket id>-<created ms>,
// and before creating one we look for it, first in ticket_links (written before the row is marked
// delivered), then in Zendesk by that external_id. The creation time makes the id unique across
// databases, so a fresh database (ids from 1 again) never finds the tickets of an old one.
import type { Millis, Ticket, TicketReason } from '../domain/model';
import { callerName, ticketDescription } from '../domain/ticket-text';
import type { Logger } from '../log';
import type { OutboxItem, OutboxStore, TicketSinkName } from '../app/ports';
import { TicketSinkError } from './errors';
import { OutboxDeliverer } from './outbox-deliverer';
import type { SendOutcome } from './send-outcome';
import type { ZendeskClient } from './zendesk-client';

/** Zendesk's search index lags behind writes; an end user we just created is remembered this long. */
const CREATED_USER_MEMORY_MS = 10 * 60 * 1000;

export interface ZendeskSenderOptions {
  client: ZendeskClient;
  outbox: OutboxStore;
  clock: { now(): number };
  log: Logger;
  /** Language of the ticket's texts (the number's callback language); default 'en'. */
  languageOf?: (ticket: Ticket) => string | Promise<string>;
}

export function zendeskExternalId(ticket: Pick<Ticket, 'id' | 'createdAt'>): string {
  return `callbackd-${ticket.id}-${ticket.createdAt}`;
}

/** callbackd, the reason, and the queue, in the characters Zendesk keeps in a tag. */
export function zendeskTags(ticket: Pick<Ticket, 'reason' | 'queue'>): string[] {
  const tags = ['callbackd', ticket.reason];
  if (ticket.queue) tags.push(`callbackd-queue-${ticket.queue.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')}`);
  return tags;
}

export function createZendeskSender(opts: ZendeskSenderOptions): (item: OutboxItem) => Promise<SendOutcome> {
  const { client, outbox, clock, log } = opts;
  const languageOf = opts.languageOf ?? (() => 'en');
  const createdUsers = new Map<string, { id: number; at: Millis }>();

  async function requesterId(phone: string, language: string): Promise<number> {
    const found = await client.findEndUserByPhone(phone);
    if (found !== undefined) return found;
    const remembered = createdUsers.get(phone);
    if (remembered && clock.now() - remembered.at < CREATED_USER_MEMORY_MS) return remembered.id;
    const id = await client.createEndUser(callerName(language, phone), phone);
    createdUsers.set(phone, { id, at: clock.now() });
    return id;
  }

  async function deliverTicket(ticket: Ticket): Promise<SendOutcome> {
    if ((await outbox.externalId(ticket.id, 'zendesk')) !== undefined) return { kind: 'delivered' };
    const externalId = zendeskExternalId(ticket);
    let zendeskId = await client.findTicketByExternalId(externalId);
    if (zendeskId === undefined) {
      const language = await languageOf(ticket);
      zendeskId = await client.createTicket({
        subject: ticket.subject,
        requesterId: await requesterId(ticket.requester, language),
        externalId,
        tags: zendeskTags(ticket),
        body: ticketDescription(language, ticket),
        // Internal facts (agent, queue, waited time) for the help desk, not an email to the customer.
        public: false,
      });
      log.info('Zendesk ticket created', { ticketId: ticket.id, zendeskTicketId: zendeskId });
    }
    await outbox.linkExternal(ticket.id, 'zendesk', String(zendeskId), clock.now());
    return { kind: 'delivered' };
  }

  async function deliverComment(item: OutboxItem, comment: { ticketId: number; body: string; internal: boolean }): Promise<SendOutcome> {
    const linked = await outbox.externalId(comment.ticketId, 'zendesk');
    if (linked === undefined) {
      // Earlier rows of a ticket are delivered first, and the link is written before the ticket row
      // counts as delivered: no link means the ticket was created before Zendesk delivery was set up.
      log.info('comment not sent to Zendesk: its ticket was created before Zendesk delivery was configured', {
        outboxId: item.id,
        ticketId: comment.ticketId,
      });
      return { kind: 'delivered' };
    }
    const zendeskId = Number(linked);
    // A previous attempt may have reached Zendesk (answer lost, crash before marking): look first.
    if (item.attempts > 0) {
      const existing = await client.comments(zendeskId);
      const body = comment.body.trim();
      if (existing.some((c) => c.body.trim() === body || c.plainBody?.trim() === body)) return { kind: 'delivered' };
    }
    await client.addComment(zendeskId, comment.body, !comment.internal);
    return { kind: 'delivered' };
  }

  return async (item) => {
    try {
      if (item.kind === 'ticket') {
        const ticket = asTicket(item.payload);
        return ticket ? await deliverTicket(ticket) : refused(item);
      }
      const comment = asComment(item.payload);
      return comment ? await deliverComment(item, comment) : refused(item);
    } catch (err) {
      if (err instanceof TicketSinkError) return err.outcome;
      throw err;
    }
  };
}

function refused(item: OutboxItem): SendOutcome {
  return { kind: 'refused', error: `outbox row ${item.id} has no usable ${item.kind} payload` };
}

const REASONS: readonly TicketReason[] = ['callback-accepted', 'callback-expired'];
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The payload tickets-repo wrote (a Ticket as JSON), checked before anything is sent. */
function asTicket(p: Record<string, unknown>): Ticket | undefined {
  const ok =
    typeof p.id === 'number' &&
    typeof p.subject === 'string' &&
    typeof p.requester === 'string' &&
    REASONS.includes(p.reason as TicketReason) &&
    isStringOrNull(p.queue) &&
    isStringOrNull(p.did) &&
    isStringOrNull(p.entryId) &&
    isStringOrNull(p.agentId) &&
    (p.waitedSeconds === null || typeof p.waitedSeconds === 'number') &&
    typeof p.createdAt === 'number';
  return ok ? (p as unknown as Ticket) : undefined;
}

function asComment(p: Record<string, unknown>): { ticketId: number; body: string; internal: boolean } | undefined {
  return typeof p.ticketId === 'number' && typeof p.body === 'string' && typeof p.internal === 'boolean'
    ? { ticketId: p.ticketId, body: p.body, internal: p.internal }
    : undefined;
}

export interface ZendeskDelivererOptions extends ZendeskSenderOptions {
  /** Every configured sink (see OutboxDelivererOptions.sinks). Default: ['zendesk']. */
  sinks?: readonly TicketSinkName[];
  maxBackoffMs?: number;
}

/** The outbox deliverer of the Zendesk sink. */
export class ZendeskDeliverer extends OutboxDeliverer {
  constructor(opts: ZendeskDelivererOptions) {
    super({
      sink: 'zendesk',
      send: createZendeskSender(opts),
      outbox: opts.outbox,
      clock: opts.clock,
      log: opts.log,
      sinks: opts.sinks,
      maxBackoffMs: opts.maxBackoffMs,
    });
  }
}
