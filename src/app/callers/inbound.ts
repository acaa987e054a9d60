// Decides what a channel entering our Stasis app is, where the call enters: an agent's feature code,
// a caller on one of our numbers, a call to a number we do not serve, or a leg of ours that nobody owns
// any more. Lookups happen here once; a lookup that fails (database damaged, locked too long) still
// answers the call with an apology instead of leaving it ringing.
import { randomUUID } from 'node:crypto';
import type { NumberConfig, QueueConfig } from '../../domain/model';
import { policyFor } from '../../domain/toll-guard';
import { callLogger, type Logger } from '../../log';
import { Announcement } from '../announcement';
import type { LegOptions } from '../leg';
import type { DirectoryStore } from '../ports';
import type { PromptMedia } from '../prompt-media';
import type { CallRouter } from '../router';
import type { CallEntered, Telephony } from '../telephony';
import type { CallerCall } from './caller-session';

/** Stasis arguments of legs the daemon dials itself: such a channel entering unowned is an orphan. */
export const OWN_LEG_ARGS = ['agent-leg', 'customer-leg'] as const;

export interface InboundDeps {
  telephony: Telephony;
  directory: DirectoryStore;
  media: PromptMedia;
  router: CallRouter;
  log: Logger;
  leg: LegOptions;
  /** Other features' Stasis arguments (e.g. agent-login) and who handles them. */
  special: ReadonlyMap<string, (entered: CallEntered) => Promise<void>>;
  /** A caller on a served number: start the session (the callers feature). */
  startCaller(call: CallerCall): Promise<void>;
}

export function inboundRouter(deps: InboundDeps): (entered: CallEntered) => Promise<void> {
  const announce = async (channelId: string, log: Logger, media: string[]) => {
    const a = new Announcement(channelId, deps.telephony, log, deps.leg);
    deps.router.attach(channelId, a);
    await a.say(media);
  };

  return async (entered) => {
    const callId = randomUUID();
    const log = callLogger(deps.log, callId, entered.channelId);
    const kind = entered.args[0];
    const special = kind === undefined ? undefined : deps.special.get(kind);
    if (special) return special(entered);
    if (kind === 'route-probe') return; // our own dialplan probe (Telephony.dialplanHas): its creator hangs it up
    if ((OWN_LEG_ARGS as readonly string[]).includes(kind ?? '')) {
      log.warn('a leg of ours that nothing tracks entered the app; hanging it up', { role: kind });
      await deps.telephony.hangup(entered.channelId).catch(() => undefined);
      return;
    }
    const did = kind ?? entered.dialed;
    let call: CallerCall | undefined;
    try {
      call = await lookUp(deps, entered, did, callId, log);
    } catch (err) {
      log.error('cannot serve the call: configuration could not be read', { did, error: (err as Error).message });
      await announce(entered.channelId, log, [
        deps.media.shipped('technical-problem', await deps.media.languageFor(undefined).catch(() => 'en')),
      ]);
      return;
    }
    if (!call) {
      await announce(entered.channelId, log, [deps.media.shipped('not-in-service', await deps.media.languageFor(undefined))]);
      return;
    }
    await deps.startCaller(call);
  };
}

async function lookUp(deps: InboundDeps, entered: CallEntered, did: string, callId: string, log: Logger): Promise<CallerCall | undefined> {
  const { directory } = deps;
  const number = await directory.number(did);
  const queue = number ? await directory.queue(number.queue) : undefined;
  if (!number || !queue) {
    log.warn('call to a number that is not configured', {
      did,
      callerId: entered.callerId,
      reason: number ? `queue '${number.queue}' does not exist` : 'unknown DID',
    });
    return undefined;
  }
  return callerCall(deps, { channelId: entered.channelId, callId, callerId: entered.callerId || null, number, queue });
}

/** Everything a caller session needs to know about its call: language and toll-fraud policy included. */
export async function callerCall(
  deps: { directory: Pick<DirectoryStore, 'setting'>; media: PromptMedia },
  call: { channelId: string; callId: string; callerId: string | null; number: NumberConfig; queue: QueueConfig },
): Promise<CallerCall> {
  const blocked = (await deps.directory.setting('blocked_prefixes')) ?? null;
  return {
    ...call,
    language: await deps.media.languageFor(call.number),
    policy: policyFor(call.number.did, call.number.allowedCountries ?? null, blocked),
  };
}
