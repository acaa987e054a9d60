// Decides what a channel entering our Stasis app is: a caller on one of our numbers, or a call to a
// number we do not serve.
import { randomUUID } from 'node:crypto';
import { callLogger, type Logger } from '../log';
import type { SessionFactory } from './call-router';
import { AgentFeatureSession } from './agent-feature';
import type { AgentService } from './agent-service';
import { type CallerDeps, CallerSession } from './caller-session';
import { NotInServiceSession } from './not-in-service';

export function inboundFactory(deps: CallerDeps & { agents: AgentService }, log: Logger): SessionFactory {
  return (entered) => {
    if (entered.args[0] === 'agent-login' || entered.args[0] === 'agent-logout') return new AgentFeatureSession(entered, deps);
    if (entered.args[0] === 'agent-leg' || entered.args[0] === 'customer-leg') {
      // A leg we originated but no longer track (e.g. from before a restart): don't leave it hanging.
      void deps.telephony.hangup(entered.channelId).catch(() => undefined);
      return undefined;
    }
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
