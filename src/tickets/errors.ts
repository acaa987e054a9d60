// Errors of the ticket sinks. A request to an external ticket system ends in one of the outcomes of
// send-outcome.ts; inside a sink, a failed request is thrown as TicketSinkError carrying that outcome
// so a multi-step delivery (look up, create user, create ticket) stops at the first failing step.
import { CallbackdError } from '../errors';
import type { FailedOutcome } from './send-outcome';

export type TicketSinkErrorCode =
  | 'TICKET_SINK_RETRY' // 5xx, 408, timeout, connection failure: try again after a backoff
  | 'TICKET_SINK_RATE_LIMITED' // 429: try again after Retry-After
  | 'TICKET_SINK_REFUSED'; // any other 4xx, or an answer we cannot use: dead letter

export class TicketSinkError extends CallbackdError {
  constructor(readonly outcome: FailedOutcome) {
    super(CODES[outcome.kind], outcome.error);
  }
}

const CODES: Record<FailedOutcome['kind'], TicketSinkErrorCode> = {
  retry: 'TICKET_SINK_RETRY',
  'rate-limited': 'TICKET_SINK_RATE_LIMITED',
  refused: 'TICKET_SINK_REFUSED',
};
