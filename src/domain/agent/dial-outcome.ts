// What the end of an unanswered customer dial means, from its Q.850 hangup cause (ChannelDestroyed).
// The difference matters: a customer who did not pick up (or is busy) used up one attempt and the
// agent is told "no answer"; a dial that never reached the customer because OUR side failed (no route
// in the admin's dialplan, trunk down, congestion) is a configuration or network failure — it must not
// count as an attempt nor close the request, the slot goes back to its place. Pure.

export type DialEnd =
  /** The customer's side was reached: no answer, busy, rejected, unknown number. Counts as an attempt. */
  | { kind: 'customer'; reason: string }
  /** Our side failed before the customer could be reached. */
  | { kind: 'failure'; reason: string };

/** Causes that mean the customer's network or phone answered us (no answer, busy, rejected, …). */
const CUSTOMER: ReadonlyMap<number, string> = new Map([
  [1, 'unallocated number'],
  [16, 'normal clearing'],
  [17, 'busy'],
  [18, 'no user responding'],
  [19, 'no answer'],
  [20, 'subscriber absent'],
  [21, 'call rejected'],
  [22, 'number changed'],
  [31, 'normal, unspecified'],
]);

/** Causes that mean our route failed: the admin's outbound dialplan, the trunk or the network. */
const FAILURE: ReadonlyMap<number, string> = new Map([
  [0, 'no cause (dial never started)'],
  [2, 'no route to transit network'],
  [3, 'no route to destination'],
  [27, 'destination out of order'],
  [28, 'invalid number format'],
  [29, 'facility rejected'],
  [34, 'no circuit available'],
  [38, 'network out of order'],
  [41, 'temporary failure'],
  [42, 'switching equipment congestion'],
  [47, 'resource unavailable'],
  [50, 'facility not subscribed'],
  [57, 'bearer capability not authorized'],
  [58, 'bearer capability not available'],
  [65, 'bearer capability not implemented'],
  [66, 'channel type not implemented'],
  [88, 'incompatible destination'],
  [102, 'recovery on timer expiry'],
  [111, 'protocol error'],
  [127, 'interworking'],
]);

export function classifyDialEnd(cause: number, causeText = ''): DialEnd {
  const text = causeText ? ` (${causeText})` : '';
  const customer = CUSTOMER.get(cause);
  if (customer) return { kind: 'customer', reason: `${customer}${text}` };
  const failure = FAILURE.get(cause);
  if (failure) return { kind: 'failure', reason: `cause ${cause}: ${failure}${text}` };
  // Unknown causes: treat as the customer's side, so a strange carrier code cannot make us redial forever.
  return { kind: 'customer', reason: `cause ${cause}${text}` };
}
