// Decides what a channel entering our Stasis app is: a caller on one of our numbers, or a call to a
// number we do not serve.
import { randomUUID } from 'node:crypto';
import { callLogger, Logger } from '../log';
import type { SessionFactory } from './call-router';
import { CallerDeps, CallerSession } from './caller-session';
import { NotInServiceSession } from './not-in-service';

export function inboundFactory(deps: CallerDeps, log: Logger): SessionFactory {
  return (entered) => {
    const did = entered.args[0] ?? entered.dialed;
    const number = deps.store.numbers.get(did);
    const queue = number ? deps.store.queues.get(number.queue) : undefined;
    if (!number || !queue) {
      callLogger(log, randomUUID(), entered.channelId).warn('call to a number that is not configured', {
        did,
        callerId: entered.callerId,
        reason: number ? `queue '${number.queue}' does not exist` : 'unknown DID',
      });
      return new NotInServiceSession(entered.channelId, deps.telephony, deps.media, log);
    }
    return new CallerSession(entered, number, queue, deps);
  };
}
