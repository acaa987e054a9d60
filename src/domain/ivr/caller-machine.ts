// The caller's menu while waiting in a queue (DESIGN.md §1 steps 2–4) as a pure state machine:
// transition(state, event, settings) → { state, commands }. The app layer turns commands into ARI calls
// and feeds back what happened as events. No I/O, no clock, no timers in here.
import { callerIdToE164, dtmfToE164, e164ToDigits } from '../e164';
import { prompt, type PromptId, type PromptRef } from '../prompts';
import { type CallbackPolicy, screenNumber } from '../toll-guard';

export type CallerPhase =
  | 'greeting' // welcome prompt after answer
  | 'holding' // music on hold until the next offer
  | 'offering' // offer greeting / waiting for 1, 2 or 3
  | 'entering' // typing another number, ended by #
  | 'reading-back' // "you entered …, 1 confirm, 2 re-enter"
  | 'saving' // request being committed to the store
  | 'confirming' // confirmation greeting, then hang up
  | 'returning' // short notice, then back to hold
  | 'connected' // talking to an agent; the queue is done with this caller
  | 'overflowing' // waited longer than the queue allows: overflow prompt, then hang up
  | 'failing' // the call cannot be served (its place could not be stored): "sorry", then hand back
  | 'ended';

export type CallerTimer = 'offer' | 'input' | 'max-wait';

export interface CallerSettings {
  callbackEnabled: boolean;
  offerDelaySeconds: number;
  offerIntervalSeconds: number;
  menuTimeoutSeconds: number;
  firstDigitTimeoutSeconds: number;
  interDigitTimeoutSeconds: number;
  maxEntryAttempts: number;
  /** The queue's limit for live callers; null = none. Callback slots are never subject to it. */
  maxWaitSeconds?: number | null;
  /** What happens past the limit: an overflow prompt and hangup, or back to the dialplan. */
  overflow?: 'hangup' | 'dialplan';
  /** Toll-fraud screening of callback targets; none = every valid number is accepted. */
  policy?: CallbackPolicy;
}

export interface CallerState {
  phase: CallerPhase;
  /** A prompt of ours is playing (a key press stops it). */
  playing: boolean;
  /** Keys typed so far in 'entering'. */
  digits: string;
  /** Invalid entries / unanswered menus in the current offer. */
  attempts: number;
  /** Validated number awaiting "1 confirm". */
  candidate: string | null;
  /** The caller ID if it is a valid E.164 number, else null (withheld, national, extension). */
  callerNumber: string | null;
}

export type CallerEvent =
  | { type: 'answered' }
  /** A caller already waiting when the daemon (re)started: straight back to hold, place unchanged.
   *  maxWaitLeftSeconds: what remains of the queue's max wait (null = no limit). */
  | { type: 'resumed'; maxWaitLeftSeconds: number | null }
  | { type: 'prompt-finished' }
  /** The prompt could not be played (missing file, PBX refused it, never started): the flow goes on
   *  as if it had ended — a caller must never wait in silence for a prompt that will not come. */
  | { type: 'prompt-failed' }
  /** The caller's place could not be stored (database locked past its deadline, damaged): the call
   *  cannot be served. */
  | { type: 'join-failed' }
  | { type: 'timer'; timer: CallerTimer }
  | { type: 'dtmf'; digit: string }
  | { type: 'saved'; outcome: 'created' | 'updated' }
  | { type: 'save-failed' }
  /** The request was not taken on purpose (too many requests from this caller ID). */
  | { type: 'save-refused'; reason: 'rate-limited' }
  /** An agent answered for this caller: menus and music stop, the bridge follows. */
  | { type: 'agent-connected' }
  | { type: 'hangup' };

export type CallerCommand =
  | { type: 'play'; prompts: PromptRef[] }
  | { type: 'stop-prompt' }
  | { type: 'start-moh' }
  | { type: 'stop-moh' }
  | { type: 'set-timer'; timer: CallerTimer; seconds: number }
  | { type: 'clear-timer'; timer: CallerTimer }
  | { type: 'save-callback'; number: string }
  /** The caller hung up before a request was saved (or overflowed): the live place is given up. */
  | { type: 'leave-queue'; reason?: 'max-wait' }
  /** Hand the call back to the dialplan (overflow target configured on the queue). */
  | { type: 'continue-dialplan' }
  /** A callback target was refused by the toll-fraud guard (for the log). */
  | { type: 'refused'; number: string; reason: string }
  | { type: 'hangup' };

export interface Transition {
  state: CallerState;
  commands: CallerCommand[];
}

/** Longest entry we wait for before judging it: E.164 has at most 15 digits, plus a 00 prefix, plus
 *  one spare so a stray extra key still gets the clear "not valid" rather than a cut-off number. */
const MAX_TYPED = 18;

export function initialCallerState(callerId: string | null): CallerState {
  const parsed = callerIdToE164(callerId);
  return { phase: 'greeting', playing: false, digits: '', attempts: 0, candidate: null, callerNumber: parsed.ok ? parsed.e164 : null };
}

const ids = (...list: PromptId[]): PromptRef[] => list.map(prompt);

function play(state: CallerState, phase: CallerPhase, prompts: PromptRef[], extra: Partial<CallerState> = {}): Transition {
  const commands: CallerCommand[] = [{ type: 'clear-timer', timer: 'input' }];
  if (state.playing) commands.push({ type: 'stop-prompt' });
  commands.push({ type: 'play', prompts });
  return { state: { ...state, ...extra, phase, playing: true }, commands };
}

function hold(state: CallerState, s: CallerSettings, delaySeconds: number): Transition {
  const commands: CallerCommand[] = [{ type: 'clear-timer', timer: 'input' }];
  if (state.playing) commands.push({ type: 'stop-prompt' });
  commands.push({ type: 'start-moh' });
  if (s.callbackEnabled) commands.push({ type: 'set-timer', timer: 'offer', seconds: delaySeconds });
  return { state: { ...state, phase: 'holding', playing: false, digits: '', attempts: 0, candidate: null }, commands };
}

function waitForInput(state: CallerState, seconds: number): Transition {
  return { state: { ...state, playing: false }, commands: [{ type: 'set-timer', timer: 'input', seconds }] };
}

const unchanged = (state: CallerState): Transition => ({ state, commands: [] });

/** An invalid entry or unanswered menu: try again, or give up and go back to hold after too many. */
function retry(state: CallerState, s: CallerSettings, again: PromptRef[], phase: CallerPhase): Transition {
  const attempts = state.attempts + 1;
  if (attempts >= s.maxEntryAttempts) return play(state, 'returning', ids('too-many-attempts'), { attempts, digits: '' });
  return play(state, phase, again, { attempts, digits: '' });
}

/** The guard's verdict on a target; a refusal is logged by the app. */
function refusal(number: string, s: CallerSettings): CallerCommand | undefined {
  if (!s.policy) return undefined;
  const verdict = screenNumber(number, s.policy);
  return verdict.ok ? undefined : { type: 'refused', number, reason: `${verdict.reason}: ${verdict.detail}` };
}

function judgeEntry(state: CallerState, s: CallerSettings): Transition {
  const result = dtmfToE164(state.digits);
  if (!result.ok) return retry(state, s, ids('number-invalid', 'enter-number'), 'entering');
  const refused = refusal(result.e164, s);
  if (refused) {
    const t = retry(state, s, ids('number-not-allowed', 'enter-number'), 'entering');
    return { state: t.state, commands: [refused, ...t.commands] };
  }
  const readBack: PromptRef[] = [
    prompt('you-entered'),
    ...e164ToDigits(result.e164).map((id) => prompt(id as PromptId)),
    prompt('confirm-number'),
  ];
  return play(state, 'reading-back', readBack, { candidate: result.e164, digits: '' });
}

function save(state: CallerState, number: string): Transition {
  const commands: CallerCommand[] = [{ type: 'clear-timer', timer: 'input' }];
  if (state.playing) commands.push({ type: 'stop-prompt' });
  commands.push({ type: 'save-callback', number });
  return { state: { ...state, phase: 'saving', playing: false, candidate: number }, commands };
}

function onDtmf(state: CallerState, s: CallerSettings, digit: string): Transition {
  switch (state.phase) {
    case 'offering':
      if (digit === '1') {
        if (!state.callerNumber) return play(state, 'entering', ids('caller-id-unavailable', 'enter-number'), { digits: '' });
        const refused = refusal(state.callerNumber, s);
        if (!refused) return save(state, state.callerNumber);
        const t = play(state, 'entering', ids('number-not-allowed', 'enter-number'), { digits: '' });
        return { state: t.state, commands: [refused, ...t.commands] };
      }
      if (digit === '2') return play(state, 'entering', ids('enter-number'), { digits: '' });
      // "You stay in the queue", then hold: the caller hears that the key did something.
      if (digit === '3') return play(state, 'returning', ids('back-to-queue'));
      return play(state, 'offering', [{ kind: 'greeting', which: 'offer' }]);
    case 'entering': {
      if (digit === '#') return judgeEntry(state, s);
      const digits = state.digits + digit;
      if (digits.length > MAX_TYPED) return judgeEntry({ ...state, digits }, s);
      const commands: CallerCommand[] = [];
      if (state.playing) commands.push({ type: 'stop-prompt' });
      commands.push({ type: 'set-timer', timer: 'input', seconds: s.interDigitTimeoutSeconds });
      return { state: { ...state, digits, playing: false }, commands };
    }
    case 'reading-back':
      if (digit === '1' && state.candidate) return save(state, state.candidate);
      if (digit === '2') return play(state, 'entering', ids('enter-number'), { digits: '', candidate: null });
      return retry(state, s, ids('confirm-number'), 'reading-back');
    default:
      // Keys while greeting, holding, saving or confirming mean nothing; ignoring them keeps the place.
      return unchanged(state);
  }
}

function onPromptFinished(current: CallerState, s: CallerSettings): Transition {
  if (!current.playing) return unchanged(current);
  // The prompt is over: nothing left to stop.
  const state = { ...current, playing: false };
  switch (state.phase) {
    case 'greeting':
      return hold(state, s, s.offerDelaySeconds);
    case 'offering':
    case 'reading-back':
      return waitForInput(state, s.menuTimeoutSeconds);
    case 'entering':
      return waitForInput(state, state.digits ? s.interDigitTimeoutSeconds : s.firstDigitTimeoutSeconds);
    case 'returning':
      return hold(state, s, s.offerIntervalSeconds);
    case 'confirming':
    case 'overflowing':
      return { state: { ...state, phase: 'ended', playing: false }, commands: [{ type: 'hangup' }] };
    case 'failing':
      return {
        state: { ...state, phase: 'ended', playing: false },
        commands: [s.overflow === 'dialplan' ? { type: 'continue-dialplan' } : { type: 'hangup' }],
      };
    default:
      return { state: { ...state, playing: false }, commands: [] };
  }
}

/** Past the queue's max wait: the live caller leaves for the overflow. A caller saving or confirming a
 *  request is already a callback slot, and callback slots are exempt. */
function overflow(state: CallerState, s: CallerSettings): Transition {
  if (['saving', 'confirming', 'connected', 'overflowing', 'failing', 'ended'].includes(state.phase)) return unchanged(state);
  const commands: CallerCommand[] = [
    { type: 'clear-timer', timer: 'input' },
    { type: 'clear-timer', timer: 'offer' },
  ];
  if (state.playing) commands.push({ type: 'stop-prompt' });
  commands.push({ type: 'stop-moh' }, { type: 'leave-queue', reason: 'max-wait' });
  if (s.overflow === 'dialplan') {
    return { state: { ...state, phase: 'ended', playing: false }, commands: [...commands, { type: 'continue-dialplan' }] };
  }
  return { state: { ...state, phase: 'overflowing', playing: true }, commands: [...commands, { type: 'play', prompts: ids('overflow') }] };
}

/** The place could not be stored: say sorry, then hand the call back to the dialplan (the queue's
 *  overflow target) or hang up. Nothing was stored, so nothing is left behind. */
function failing(state: CallerState, s: CallerSettings): Transition {
  if (['connected', 'failing', 'ended'].includes(state.phase)) return unchanged(state);
  const commands: CallerCommand[] = [
    { type: 'clear-timer', timer: 'input' },
    { type: 'clear-timer', timer: 'offer' },
  ];
  if (s.maxWaitSeconds != null) commands.push({ type: 'clear-timer', timer: 'max-wait' });
  if (state.playing) commands.push({ type: 'stop-prompt' });
  commands.push({ type: 'stop-moh' }, { type: 'play', prompts: ids('technical-problem') });
  return { state: { ...state, phase: 'failing', playing: true, candidate: null }, commands };
}

function onTimer(state: CallerState, s: CallerSettings, timer: CallerTimer): Transition {
  if (timer === 'max-wait') return overflow(state, s);
  if (timer === 'offer') {
    if (state.phase !== 'holding' || !s.callbackEnabled) return unchanged(state);
    const t = play(state, 'offering', [{ kind: 'greeting', which: 'offer' }], { attempts: 0, digits: '', candidate: null });
    return { state: t.state, commands: [{ type: 'stop-moh' }, ...t.commands] };
  }
  switch (state.phase) {
    case 'offering':
      // No answer to the offer: back to hold, place unchanged.
      return hold(state, s, s.offerIntervalSeconds);
    case 'entering':
      // Typed something but forgot '#': judge what is there; typed nothing: counts as an invalid entry.
      return state.digits ? judgeEntry(state, s) : retry(state, s, ids('enter-number'), 'entering');
    case 'reading-back':
      return retry(state, s, ids('confirm-number'), 'reading-back');
    default:
      return unchanged(state);
  }
}

export function transition(state: CallerState, event: CallerEvent, s: CallerSettings): Transition {
  if (state.phase === 'ended') return unchanged(state);
  switch (event.type) {
    case 'answered': {
      if (state.phase !== 'greeting') return unchanged(state);
      const t = play(state, 'greeting', ids('welcome'));
      if (s.maxWaitSeconds != null) t.commands.push({ type: 'set-timer', timer: 'max-wait', seconds: s.maxWaitSeconds });
      return t;
    }
    case 'resumed': {
      if (state.phase !== 'greeting') return unchanged(state);
      if (event.maxWaitLeftSeconds !== null && event.maxWaitLeftSeconds <= 0) return overflow({ ...state, phase: 'holding' }, s);
      const t = hold(state, s, s.offerIntervalSeconds);
      if (event.maxWaitLeftSeconds !== null) t.commands.push({ type: 'set-timer', timer: 'max-wait', seconds: event.maxWaitLeftSeconds });
      return t;
    }
    case 'prompt-finished':
    case 'prompt-failed':
      return onPromptFinished(state, s);
    case 'join-failed':
      return failing(state, s);
    case 'timer':
      return onTimer(state, s, event.timer);
    case 'dtmf':
      return onDtmf(state, s, event.digit);
    case 'saved': {
      if (state.phase !== 'saving') return unchanged(state);
      const prompts: PromptRef[] = event.outcome === 'updated' ? [prompt('updated-existing')] : [];
      prompts.push({ kind: 'greeting', which: 'confirmation' });
      return play(state, 'confirming', prompts);
    }
    case 'save-failed':
      return state.phase === 'saving' ? play(state, 'returning', ids('request-failed'), { candidate: null }) : unchanged(state);
    case 'save-refused':
      return state.phase === 'saving' ? play(state, 'returning', ids('rate-limited'), { candidate: null }) : unchanged(state);
    case 'agent-connected': {
      // Saving/confirming callers have become callback slots: too late to connect them live.
      if (state.phase === 'saving' || state.phase === 'confirming' || state.phase === 'failing') return unchanged(state);
      const commands: CallerCommand[] = [
        { type: 'clear-timer', timer: 'input' },
        { type: 'clear-timer', timer: 'offer' },
      ];
      if (s.maxWaitSeconds != null) commands.push({ type: 'clear-timer', timer: 'max-wait' });
      if (state.playing) commands.push({ type: 'stop-prompt' });
      commands.push({ type: 'stop-moh' });
      return { state: { ...state, phase: 'connected', playing: false }, commands };
    }
    case 'hangup': {
      // Once saved (confirming) the request stands, and a connected caller's entry is closed by the
      // delivery; before that, nothing half-done may remain.
      const saved =
        state.phase === 'confirming' || state.phase === 'connected' || state.phase === 'overflowing' || state.phase === 'failing';
      const commands: CallerCommand[] = [
        { type: 'clear-timer', timer: 'input' },
        { type: 'clear-timer', timer: 'offer' },
      ];
      if (s.maxWaitSeconds != null) commands.push({ type: 'clear-timer', timer: 'max-wait' });
      if (!saved) commands.push({ type: 'leave-queue' });
      return { state: { ...state, phase: 'ended', playing: false }, commands };
    }
  }
}
