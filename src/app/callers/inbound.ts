// Decides what a channel entering our Stasis app is, where the call enters: an agent's feature code,
// a caller on one of our numbers, a call to a number we do not serve, or a leg of ours that nobody owns
// any more. Lookups happen here once; a lookup that fails (database damaged, locked too long) still
// answers the call with an apology instead of leaving it ringing.
import { randomUUID } from 'node:crypto';
import type { NumberConfig, QueueConfig } from '../../domain/model';
import { countryOf } from '../../domain/e164';
import { matchDid, normaliseCallerId, normaliseNumber } from '../../domain/numbers';
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

async function lookUp(
  deps: InboundDeps,
  entered: CallEntered,
  rawDid: string,
  callId: string,
  log: Logger,
): Promise<CallerCall | undefined> {
  const { directory, telephony } = deps;
  // Trunks deliver the DID as +49…, 0049…, 49… or national 0…: matched once, here, to the configured one.
  const did = (await directory.number(rawDid))
    ? rawDid
    : matchDid(
        rawDid,
        (await directory.numbers()).map((n) => n.did),
      );
  const number = did === undefined ? undefined : await directory.number(did);
  const queue = number ? await directory.queue(number.queue) : undefined;
  if (!number || !queue) {
    const normalised = did === undefined ? normaliseNumber(rawDid) : undefined;
    log.warn('call to a number that is not configured', {
      did: rawDid,
      normalisedDid: did ?? (normalised?.ok ? normalised.e164 : `not a number (${normalised?.reason ?? '?'})`),
      callerId: entered.callerId,
      reason: number ? `queue '${number.queue}' does not exist` : 'unknown DID',
    });
    return undefined;
  }
  // One variable read per call: a number sent with presentation "restricted" is withheld, digits or not.
  const presentation = await telephony.getVariable(entered.channelId, 'CALLERID(pres)').catch(() => undefined);
  return callerCall(deps, { channelId: entered.channelId, callId, callerId: entered.callerId || null, presentation, number, queue });
}

/** Everything a caller session needs to know about its call: the caller's number in E.164 (the DID's
 *  country for national forms), the language and the toll-fraud policy (our own DIDs included). */
export async function callerCall(
  deps: { directory: Pick<DirectoryStore, 'setting' | 'numbers'>; media: PromptMedia },
  call: { channelId: string; callId: string; callerId: string | null; presentation?: string; number: NumberConfig; queue: QueueConfig },
): Promise<CallerCall> {
  const { presentation, ...rest } = call;
  const blocked = (await deps.directory.setting('blocked_prefixes')) ?? null;
  const own = (await deps.directory.numbers()).map((n) => n.did);
  const caller = normaliseCallerId(call.callerId, { presentation, defaultRegion: countryOf(call.number.did) });
  return {
    ...rest,
    callerNumber: caller.kind === 'number' ? caller.e164 : null,
    language: await deps.media.languageFor(call.number),
    policy: policyFor(call.number.did, call.number.allowedCountries ?? null, blocked, own),
  };
}
