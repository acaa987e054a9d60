// The customer side of a callback: the ticket an accepted callback opens, and one dial of the customer
// through the number's outbound route — recorded before it is placed, so a restart can adopt or end it.
// Used by CallbackSession, which owns the leg once it exists.
import { randomUUID } from 'node:crypto';
import type { CallbackEvent } from '../../domain/agent/callback-machine';
import type { NumberConfig, QueueEntry } from '../../domain/model';
import { dialTarget } from '../../domain/outbound';
import type { Logger } from '../../log';
import type { NewTicket } from '../ports';
import type { DeliveryDeps } from './deps';

/** The ticket an agent's "1 = call" opens: who waits, where, for how long. */
export function acceptedTicket(entry: QueueEntry, agentId: string, now: number, subject: DeliveryDeps['ticketSubject']): NewTicket {
  const requested = entry.firstRequestedAt ?? entry.requestedAt ?? entry.enteredAt;
  return {
    subject: subject(entry.language, { number: entry.callbackNumber ?? '', queue: entry.queue, did: entry.did }),
    requester: entry.callbackNumber ?? '',
    reason: 'callback-accepted',
    queue: entry.queue,
    did: entry.did,
    entryId: entry.id,
    agentId,
    waitedSeconds: Math.round((now - requested) / 1000),
    createdAt: now,
  };
}

export interface CustomerDial {
  deps: Pick<DeliveryDeps, 'telephony' | 'store' | 'clock' | 'app' | 'customerRingSeconds'>;
  entry: QueueEntry;
  agentId: string;
  number: NumberConfig | undefined;
  log: Logger;
  /** Takes the recorded leg over (attached before the dial, so its answer cannot arrive first). */
  adopt(legId: string): void;
  /** The PBX refused the dial: this leg will never send an event. */
  refused(legId: string): void;
  /** The session was abandoned meanwhile (the PBX went away): the reconciliation owns the leg now. */
  abandoned(): boolean;
}

/** One dial of the customer; resolves with the machine's event when it did not get under way. */
export async function dialCustomer(d: CustomerDial, attempt: number): Promise<CallbackEvent | void> {
  const { telephony, store, clock, app } = d.deps;
  const target = dialTarget(d.entry.callbackNumber ?? '', d.number?.outboundTrunk);
  if (!target.ok) return { type: 'customer-dial-failed', cause: `no outbound route: ${target.error}` };
  if (target.needs && !(await telephony.dialplanHas(target.needs.context, target.needs.extension).catch(() => true))) {
    return { type: 'customer-dial-failed', cause: `no route for ${target.needs.extension} in dialplan context ${target.needs.context}` };
  }
  const legId = randomUUID();
  try {
    await store.delivery.customerDialStarting({ id: legId, entryId: d.entry.id, role: 'customer', agentId: d.agentId, at: clock.now() });
  } catch (err) {
    // No dial without its record (a restart could not know it); and no silent wait for a dial that
    // never started: the agent is told, the slot goes back.
    return { type: 'customer-dial-failed', cause: `the call could not be recorded: ${(err as Error).message}` };
  }
  d.adopt(legId);
  d.log.info('dialling customer', { attempt, endpoint: target.endpoint, customerChannelId: legId });
  try {
    await telephony.dial({
      channelId: legId,
      endpoint: target.endpoint,
      // The customer sees the number they called (or the number's configured outbound caller ID).
      callerId: d.number?.outboundCallerId ?? d.entry.did,
      app,
      appArgs: ['customer-leg'],
      timeoutSeconds: d.deps.customerRingSeconds,
    });
  } catch (err) {
    d.refused(legId);
    if (d.abandoned()) return;
    const cause = `the PBX refused the dial: ${(err as Error).message}`;
    await store.delivery.customerDialEnded(d.entry.id, legId, clock.now(), cause, false);
    return { type: 'customer-dial-failed', cause };
  }
}
