// Delivers the ticket outbox as JSON webhooks: POST <tickets.webhookUrl> with the ticket or comment.
// Optional: an Authorization header (tickets.webhookAuthorization) and an HMAC-SHA256 signature
// (tickets.webhookSecret) the receiver checks like Stripe's or GitHub's, see README "Tickets":
//
//   Callbackd-Timestamp: <unix seconds of this attempt>
//   Callbackd-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
//
// The timestamp is part of what is signed, so a captured request cannot be replayed later than the
// receiver's tolerance (we suggest 5 minutes). Each attempt is signed anew; the body stays the same.
import { createHmac } from 'node:crypto';
import type { Logger } from '../log';
import type { OutboxItem, OutboxStore, TicketSinkName } from '../app/ports';
import { OutboxDeliverer } from './outbox-deliverer';
import { httpOutcome, networkOutcome, type SendOutcome } from './send-outcome';

export const TIMESTAMP_HEADER = 'Callbackd-Timestamp';
export const SIGNATURE_HEADER = 'Callbackd-Signature';

/** The Callbackd-Signature value for a body sent at `timestamp` (unix seconds, as a string). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookSenderOptions {
  url: string;
  /** Sent verbatim as Authorization ('' or undefined = none). */
  authorization?: string;
  /** HMAC key of the signature ('' or undefined = unsigned). */
  secret?: string;
  clock: { now(): number };
  fetchImpl?: typeof fetch;
  /** Per request, including reading the answer. */
  timeoutMs?: number;
}

/** One POST per outbox row; the answer decides the outcome (send-outcome.ts). */
export function createWebhookSender(opts: WebhookSenderOptions): (item: OutboxItem) => Promise<SendOutcome> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return async (item) => {
    const body = JSON.stringify({ type: item.kind, ...item.payload });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      // Delivery is at-least-once (e.g. a 2xx lost to a timeout is sent again); the key lets the
      // receiver drop repeats. Outbox ids are never reused (AUTOINCREMENT).
      'idempotency-key': `callbackd-outbox-${item.id}`,
    };
    if (opts.authorization) headers.authorization = opts.authorization;
    if (opts.secret) {
      const timestamp = String(Math.floor(opts.clock.now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = webhookSignature(opts.secret, timestamp, body);
    }
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      // Read the answer in full (within the timeout) so the connection is released.
      text = await res.text();
    } catch (err) {
      return networkOutcome(err, timeoutMs);
    }
    return httpOutcome(res.status, res.headers, text, opts.clock.now());
  };
}

export interface WebhookDelivererOptions extends WebhookSenderOptions {
  outbox: OutboxStore;
  log: Logger;
  /** Every configured sink (see OutboxDelivererOptions.sinks). Default: ['webhook']. */
  sinks?: readonly TicketSinkName[];
  maxBackoffMs?: number;
}

/** The outbox deliverer of the webhook sink. */
export class WebhookDeliverer extends OutboxDeliverer {
  constructor(opts: WebhookDelivererOptions) {
    super({
      sink: 'webhook',
      send: createWebhookSender(opts),
      outbox: opts.outbox,
      clock: opts.clock,
      log: opts.log,
      sinks: opts.sinks,
      maxBackoffMs: opts.maxBackoffMs,
    });
  }
}
