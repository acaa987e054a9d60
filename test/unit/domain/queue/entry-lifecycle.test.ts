// The queue entry's lifecycle, every (state, event) pair as a table: what each store adapter asks inside
// the transaction that writes the entry. A row says where the event leads, or which refusal it gets.
import { expect } from 'chai';
import {
  nextEntryState,
  type EntryEvent,
  type EntryEventType,
  type EntryRefusal,
  type EntryStatus,
} from '../../../../src/domain/queue/entry-lifecycle';
import type { EntryKind, EntryState } from '../../../../src/domain/model';

type From = 'absent' | `${EntryKind}:${EntryState}`;

const FROMS = [
  'absent',
  'live:waiting',
  'live:left',
  'live:merged',
  'live:done',
  'callback:pending',
  'callback:offered',
  'callback:dialing',
  'callback:done',
  'callback:unanswered',
  'callback:expired',
  'callback:cancelled',
] as const satisfies readonly From[];

const ALICE = 'alice';
const OPEN_CALLBACK: EntryStatus = { id: 'open', kind: 'callback', state: 'pending', agentId: null, attempts: 0 };

/** One representative event per type (variants have their own cases below). */
const EVENTS: Record<EntryEventType, EntryEvent> = {
  join: { type: 'join' },
  leave: { type: 'leave' },
  request: { type: 'request' },
  merge: { type: 'merge', into: OPEN_CALLBACK },
  offer: { type: 'offer', agentId: ALICE },
  return: { type: 'return' },
  accept: { type: 'accept', agentId: ALICE },
  attempt: { type: 'attempt', counted: true },
  connect: { type: 'connect', agentId: ALICE },
  finish: { type: 'finish', outcome: 'unanswered' },
  expire: { type: 'expire' },
  cancel: { type: 'cancel' },
};

function entry(from: From): EntryStatus | undefined {
  if (from === 'absent') return undefined;
  const [kind, state] = from.split(':') as [EntryKind, EntryState];
  // Offered/dialing slots are held by alice; two dials so far, so counting shows.
  const held = state === 'offered' || state === 'dialing';
  return { id: 'e1', kind, state, agentId: held ? ALICE : null, attempts: kind === 'callback' ? 2 : 0 };
}

/** `kind:state` after the event, or the refusal. */
type Outcome = `${EntryKind}:${EntryState}` | EntryRefusal;

/** A closed entry is history: nothing moves it again, its id stays taken, and cancelling a closed live
 *  caller is still "not a callback" (the CLI says not found). */
const closedRow = (kind: EntryKind): Record<EntryEventType, Outcome> => ({
  join: 'exists',
  leave: 'closed',
  request: 'closed',
  merge: 'closed',
  offer: 'closed',
  return: 'closed',
  accept: 'closed',
  attempt: 'closed',
  connect: 'closed',
  finish: 'closed',
  expire: 'closed',
  cancel: kind === 'live' ? 'not-a-callback' : 'closed',
});

const TABLE: Record<(typeof FROMS)[number], Record<EntryEventType, Outcome>> = {
  // Nothing exists yet: only a caller joining creates an entry.
  absent: {
    join: 'live:waiting',
    leave: 'not-found',
    request: 'not-found',
    merge: 'not-found',
    offer: 'not-found',
    return: 'not-found',
    accept: 'not-found',
    attempt: 'not-found',
    connect: 'not-found',
    finish: 'not-found',
    expire: 'not-found',
    cancel: 'not-found',
  },
  // A live caller on hold: may leave, ask for a callback (or be merged), be rung to an agent and stay in
  // its place, or be answered. Callback-only verbs do not apply; a supervisor cannot cancel a caller.
  'live:waiting': {
    join: 'exists',
    leave: 'live:left',
    request: 'callback:pending',
    merge: 'live:merged',
    offer: 'live:waiting',
    return: 'live:waiting',
    accept: 'not-a-callback',
    attempt: 'not-a-callback',
    connect: 'live:done',
    finish: 'not-a-callback',
    expire: 'not-a-callback',
    cancel: 'not-a-callback',
  },
  'live:left': closedRow('live'),
  'live:merged': closedRow('live'),
  'live:done': closedRow('live'),
  // A callback slot waiting for its turn: offered, expired or cancelled; nobody holds it to return,
  // accept, dial or finish; the live caller's verbs are over.
  'callback:pending': {
    join: 'exists',
    leave: 'not-live',
    request: 'not-live',
    merge: 'not-live',
    offer: 'callback:offered',
    return: 'not-in-flight',
    accept: 'not-offered',
    attempt: 'not-dialing',
    connect: 'not-dialing',
    finish: 'not-dialing',
    expire: 'callback:expired',
    cancel: 'callback:cancelled',
  },
  // Offered to alice: she accepts, or it goes back; it neither expires nor is cancelled under her.
  'callback:offered': {
    join: 'exists',
    leave: 'not-live',
    request: 'not-live',
    merge: 'not-live',
    offer: 'not-pending',
    return: 'callback:pending',
    accept: 'callback:dialing',
    attempt: 'not-dialing',
    connect: 'not-dialing',
    finish: 'not-dialing',
    expire: 'not-pending',
    cancel: 'being-offered',
  },
  // The customer is being dialled: attempts count, it connects, ends unanswered, or goes back after a
  // fault; never offered again, expired or cancelled meanwhile.
  'callback:dialing': {
    join: 'exists',
    leave: 'not-live',
    request: 'not-live',
    merge: 'not-live',
    offer: 'not-pending',
    return: 'callback:pending',
    accept: 'not-offered',
    attempt: 'callback:dialing',
    connect: 'callback:done',
    finish: 'callback:unanswered',
    expire: 'not-pending',
    cancel: 'being-dialled',
  },
  'callback:done': closedRow('callback'),
  'callback:unanswered': closedRow('callback'),
  'callback:expired': closedRow('callback'),
  'callback:cancelled': closedRow('callback'),
};

const DESCRIBED: Record<(typeof FROMS)[number], string> = {
  absent: 'no entry yet',
  'live:waiting': 'a live caller on hold',
  'live:left': 'a live caller who left',
  'live:merged': 'a request merged into the open callback',
  'live:done': 'a live caller answered by an agent',
  'callback:pending': 'a callback waiting for its turn',
  'callback:offered': 'a callback offered to an agent',
  'callback:dialing': 'a callback whose customer is being dialled',
  'callback:done': 'a callback that connected',
  'callback:unanswered': 'a callback nobody answered',
  'callback:expired': 'an expired callback',
  'callback:cancelled': 'a cancelled callback',
};

describe('queue entry lifecycle', () => {
  for (const from of FROMS) {
    describe(`${DESCRIBED[from]} (${from})`, () => {
      for (const [type, expected] of Object.entries(TABLE[from]) as Array<[EntryEventType, Outcome]>) {
        const refused = !expected.includes(':');
        it(refused ? `${type} is refused (${expected})` : `${type} makes it ${expected.replace(':', ' ')}`, () => {
          const out = nextEntryState(entry(from), EVENTS[type]);
          if (refused) {
            expect(out).to.include({ ok: false, reason: expected });
            if (!out.ok) expect(out.message).to.be.a('string').and.not.equal('');
            return;
          }
          const [kind, state] = expected.split(':');
          expect(out).to.include({
            ok: true,
            kind,
            state,
            closed: ['left', 'merged', 'done', 'unanswered', 'expired', 'cancelled'].includes(state),
          });
        });
      }
    });
  }

  it('the table covers every state and every event', () => {
    expect(Object.keys(TABLE)).to.have.members(FROMS);
    for (const from of FROMS) expect(Object.keys(TABLE[from]), from).to.have.members(Object.keys(EVENTS));
  });

  describe('what a transition carries', () => {
    it('a join starts live and waiting, with nobody holding it and no attempts', () => {
      expect(nextEntryState(undefined, { type: 'join' })).to.deep.equal({
        ok: true,
        closed: false,
        kind: 'live',
        state: 'waiting',
        agentId: null,
        attempts: 0,
      });
    });

    it('an offer hands the slot to that agent; a return takes it back from them', () => {
      const offered = nextEntryState(entry('callback:pending'), { type: 'offer', agentId: 'bob' });
      expect(offered).to.include({ ok: true, state: 'offered', agentId: 'bob' });
      expect(nextEntryState(entry('callback:dialing'), { type: 'return' })).to.include({ state: 'pending', agentId: null, attempts: 2 });
    });

    it('an accept keeps the agent and the attempts so far', () => {
      expect(nextEntryState(entry('callback:offered'), { type: 'accept', agentId: ALICE })).to.include({
        state: 'dialing',
        agentId: ALICE,
        attempts: 2,
      });
    });

    it('an attempt that reached the network counts; a fault on our side does not', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'attempt', counted: true })).to.include({ state: 'dialing', attempts: 3 });
      expect(nextEntryState(entry('callback:dialing'), { type: 'attempt', counted: false })).to.include({ state: 'dialing', attempts: 2 });
    });

    it('connecting a callback counts the answered dial as an attempt; a live caller has none', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'connect', agentId: ALICE })).to.include({ state: 'done', attempts: 3 });
      expect(nextEntryState(entry('live:waiting'), { type: 'connect', agentId: ALICE })).to.include({ state: 'done', attempts: 0 });
    });

    it('finishing closes the slot as done or unanswered', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'finish', outcome: 'done' })).to.include({ state: 'done', closed: true });
      expect(nextEntryState(entry('callback:dialing'), { type: 'finish', outcome: 'unanswered' })).to.include({
        state: 'unanswered',
        closed: true,
      });
    });
  });

  describe('refusals that depend on the event', () => {
    it('only the agent a slot is offered to may accept it', () => {
      expect(nextEntryState(entry('callback:offered'), { type: 'accept', agentId: 'bob' })).to.include({
        ok: false,
        reason: 'held-by-another-agent',
      });
    });

    it('a return by an agent who does not hold the slot is refused; without an agent, whoever holds it', () => {
      expect(nextEntryState(entry('callback:offered'), { type: 'return', agentId: 'bob' })).to.include({
        ok: false,
        reason: 'held-by-another-agent',
      });
      expect(nextEntryState(entry('callback:dialing'), { type: 'return', agentId: ALICE })).to.include({ ok: true, state: 'pending' });
      expect(nextEntryState(entry('callback:dialing'), { type: 'return' })).to.include({ ok: true, state: 'pending' });
    });

    it('an end of execution by an agent who does not execute the slot is refused; without an agent, whoever does', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'finish', outcome: 'unanswered', agentId: 'bob' })).to.include({
        ok: false,
        reason: 'held-by-another-agent',
      });
      expect(nextEntryState(entry('callback:dialing'), { type: 'finish', outcome: 'unanswered', agentId: ALICE })).to.include({
        ok: true,
        state: 'unanswered',
      });
    });

    it('only the agent executing a callback connects it', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'connect', agentId: 'bob' })).to.include({
        ok: false,
        reason: 'held-by-another-agent',
      });
    });

    it('a merge needs an open callback to fold into, not a closed one, a live caller, itself or nothing', () => {
      const waiting = entry('live:waiting');
      const targets: Array<EntryStatus | undefined> = [
        undefined,
        { ...OPEN_CALLBACK, state: 'expired' },
        { ...OPEN_CALLBACK, kind: 'live', state: 'waiting' },
        { ...OPEN_CALLBACK, id: 'e1' },
      ];
      for (const into of targets) {
        expect(nextEntryState(waiting, { type: 'merge', into }), JSON.stringify(into)).to.include({
          ok: false,
          reason: 'merge-target-not-open',
        });
      }
      for (const state of ['offered', 'dialing'] as const) {
        expect(nextEntryState(waiting, { type: 'merge', into: { ...OPEN_CALLBACK, state, agentId: ALICE } })).to.include({
          ok: true,
          state: 'merged',
        });
      }
    });
  });

  describe('cancel refusals are worded for the CLI', () => {
    it('an offered slot: being offered to an agent, retry later', () => {
      const out = nextEntryState(entry('callback:offered'), { type: 'cancel' });
      expect(out).to.deep.equal({
        ok: false,
        reason: 'being-offered',
        message: 'callback e1 is being offered to an agent; it cannot be cancelled now (retry if it returns to the queue)',
      });
    });

    it('a dialling slot: being dialled', () => {
      expect(nextEntryState(entry('callback:dialing'), { type: 'cancel' })).to.deep.equal({
        ok: false,
        reason: 'being-dialled',
        message: 'callback e1 is being dialled; it cannot be cancelled now',
      });
    });

    it('a closed slot: already closed, saying how', () => {
      expect(nextEntryState(entry('callback:done'), { type: 'cancel' })).to.deep.equal({
        ok: false,
        reason: 'closed',
        message: 'callback e1 is already closed (done)',
      });
    });
  });
});
