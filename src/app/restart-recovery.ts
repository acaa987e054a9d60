// After a restart (even kill -9) the database still lists the callers who were on hold. Asterisk keeps
// their channels in the Stasis app while no daemon is connected, so the new process takes them over at
// their original place; callers who hung up meanwhile are closed. Callback slots need nothing: they
// are rows, and in-flight ones were put back to pending at start-up.
import type { Logger } from '../log';
import type { CallRouter } from './call-router';
import { type CallerDeps, CallerSession } from './caller-session';
import type { Telephony } from './telephony';

export async function adoptWaitingCallers(
  deps: CallerDeps,
  router: CallRouter,
  telephony: Telephony,
  log: Logger,
): Promise<{ adopted: number; gone: number }> {
  const { store, clock } = deps;
  const waiting = store.entries.waitingLive();
  if (waiting.length === 0) return { adopted: 0, gone: 0 };
  const alive = new Set((await telephony.listChannels()).map((c) => c.id));
  let adopted = 0;
  let gone = 0;
  for (const entry of waiting) {
    if (entry.channelId && router.has(entry.channelId)) continue; // already ours (e.g. arrived meanwhile)
    const number = store.numbers.get(entry.did);
    const queue = number ? store.queues.get(number.queue) : undefined;
    if (!entry.channelId || !alive.has(entry.channelId) || !number || !queue) {
      store.entries.close(entry.id, 'left', clock.now(), 'call ended while the daemon was not running');
      gone++;
      continue;
    }
    const session = new CallerSession(
      {
        type: 'call-entered',
        channelId: entry.channelId,
        args: [entry.did],
        callerId: entry.callerId ?? '',
        callerName: '',
        dialed: entry.did,
        endpoint: null,
        state: 'Up',
      },
      number,
      queue,
      deps,
      entry,
    );
    router.attach(entry.channelId, session);
    await session.resume();
    adopted++;
  }
  log.info('callers waiting before the restart', { adopted, gone });
  return { adopted, gone };
}
