import { expect } from 'chai';
import { machineTables, type TableCase } from './machine-table';
import {
  initialCallerState,
  transition,
  type CallerCommand,
  type CallerEvent,
  type CallerPhase,
  type CallerSettings,
  type CallerState,
} from '../../../src/domain/ivr/caller-machine';
import { prompt, type PromptRef } from '../../../src/domain/prompts';

// Every timeout has its own value, so a set-timer command tells which setting it came from.
const S: CallerSettings = {
  callbackEnabled: true,
  offerDelaySeconds: 31,
  offerIntervalSeconds: 62,
  menuTimeoutSeconds: 7,
  firstDigitTimeoutSeconds: 11,
  interDigitTimeoutSeconds: 4,
  maxEntryAttempts: 3,
};
const DISABLED: CallerSettings = { ...S, callbackEnabled: false };

const CALLER = '+4915112345678'; // valid German mobile, delivered as caller ID
const BERLIN = '+4930123456'; // what '004930123456#' and '*4930123456#' turn into

// ---- events -------------------------------------------------------------------------------------
const answered: CallerEvent = { type: 'answered' };
const finished: CallerEvent = { type: 'prompt-finished' };
const offerTimer: CallerEvent = { type: 'timer', timer: 'offer' };
const inputTimer: CallerEvent = { type: 'timer', timer: 'input' };
const saved = (outcome: 'created' | 'updated'): CallerEvent => ({ type: 'saved', outcome });
const saveFailed: CallerEvent = { type: 'save-failed' };
const hangup: CallerEvent = { type: 'hangup' };
const key = (digit: string): CallerEvent => ({ type: 'dtmf', digit });
const keys = (typed: string): CallerEvent[] => [...typed].map(key);

// ---- commands -----------------------------------------------------------------------------------
const play = (...prompts: PromptRef[]): CallerCommand => ({ type: 'play', prompts });
const stopPrompt: CallerCommand = { type: 'stop-prompt' };
const startMoh: CallerCommand = { type: 'start-moh' };
const stopMoh: CallerCommand = { type: 'stop-moh' };
const setOffer = (seconds: number): CallerCommand => ({ type: 'set-timer', timer: 'offer', seconds });
const setInput = (seconds: number): CallerCommand => ({ type: 'set-timer', timer: 'input', seconds });
const clearInput: CallerCommand = { type: 'clear-timer', timer: 'input' };
const clearOffer: CallerCommand = { type: 'clear-timer', timer: 'offer' };
const saveCallback = (number: string): CallerCommand => ({ type: 'save-callback', number });
const leaveQueue: CallerCommand = { type: 'leave-queue' };
const hangUp: CallerCommand = { type: 'hangup' };

// ---- prompts ------------------------------------------------------------------------------------
const OFFER: PromptRef = { kind: 'greeting', which: 'offer' };
const CONFIRMATION: PromptRef = { kind: 'greeting', which: 'confirmation' };
const READ_BACK_BERLIN: PromptRef[] = [
  prompt('you-entered'),
  prompt('plus'),
  prompt('digit-4'),
  prompt('digit-9'),
  prompt('digit-3'),
  prompt('digit-0'),
  prompt('digit-1'),
  prompt('digit-2'),
  prompt('digit-3'),
  prompt('digit-4'),
  prompt('digit-5'),
  prompt('digit-6'),
  prompt('confirm-number'),
];

// ---- how to get somewhere from a fresh call (paths through the flow) ---------------------------
const GREETING = [answered]; // welcome playing
const HOLDING = [...GREETING, finished]; // music on hold, offer timer armed
const OFFERING = [...HOLDING, offerTimer]; // offer greeting playing
const OFFER_WAIT = [...OFFERING, finished]; // offer done, menu timer running
const ENTERING = [...OFFER_WAIT, key('2')]; // "enter number" playing
const ENTER_WAIT = [...ENTERING, finished]; // first-digit timer running
const READING_BACK = [...ENTER_WAIT, ...keys('004930123456#')]; // read-back playing
const READ_WAIT = [...READING_BACK, finished]; // read-back done, menu timer running
const SAVING = [...READ_WAIT, key('1')]; // save-callback issued
const SAVING_OWN = [...OFFER_WAIT, key('1')]; // 1 with a valid caller ID: save-callback issued
const CONFIRMING = [...SAVING, saved('created')]; // confirmation playing
const RETURNING = [...SAVING, saveFailed]; // request-failed playing
const TOO_MANY = [...ENTER_WAIT, ...keys('0012#'), finished, ...keys('0012#'), finished, ...keys('0012#')]; // too-many-attempts playing
const ENDED = [...CONFIRMING, finished];

interface From {
  path: CallerEvent[];
  /** Caller ID the call arrived with; CALLER unless given (null = withheld). */
  callerId?: string | null;
  settings?: CallerSettings;
}

function reach({ path, callerId = CALLER, settings = S }: From): CallerState {
  let state = initialCallerState(callerId);
  for (const event of path) state = transition(state, event, settings).state;
  return state;
}

type Case = TableCase<From, CallerState, CallerEvent, CallerCommand>;

const { table, ignored } = machineTables<From, CallerState, CallerEvent, CallerCommand>({
  reach: reach,
  step: (state, event, from) => transition(state, event, from.settings ?? S),
});

describe('caller machine', () => {
  describe('initial state', () => {
    const cases: [string, string | null, string | null][] = [
      ['a valid international caller ID is kept as the callback number', CALLER, CALLER],
      ['a caller ID with 00 for + is kept in E.164', '004915112345678', CALLER],
      ['a withheld caller ID (null) gives no callback number', null, null],
      ["an 'anonymous' caller ID gives no callback number", 'anonymous', null],
      ['a national caller ID gives no callback number (country unknown)', '030123456', null],
      ['an internal extension gives no callback number', '2001', null],
      ['an invalid international caller ID gives no callback number', '+4912', null],
    ];
    for (const [name, callerId, number] of cases) {
      it(name, () => {
        expect(initialCallerState(callerId)).to.deep.equal({
          phase: 'greeting',
          playing: false,
          digits: '',
          attempts: 0,
          candidate: null,
          callerNumber: number,
        });
      });
    }
  });

  describe('answer & welcome', () => {
    table([
      {
        name: 'answering plays the welcome',
        path: [],
        event: answered,
        commands: [clearInput, play(prompt('welcome'))],
        state: { phase: 'greeting', playing: true },
      },
      {
        // No stop-prompt: the welcome has just ended by itself.
        name: 'the end of the welcome starts music on hold and arms the offer timer with the first delay',
        path: GREETING,
        event: finished,
        commands: [clearInput, startMoh, setOffer(S.offerDelaySeconds)],
        state: { phase: 'holding', playing: false, digits: '', attempts: 0, candidate: null },
      },
      {
        name: 'with callback disabled the end of the welcome starts music on hold but arms no offer timer',
        path: GREETING,
        settings: DISABLED,
        event: finished,
        commands: [clearInput, startMoh],
        state: { phase: 'holding', playing: false },
      },
    ]);
    ignored([
      { name: 'keys during the welcome are ignored (the welcome keeps playing)', path: GREETING, events: keys('0123456789*#') },
      { name: 'timers during the welcome are ignored', path: GREETING, events: [offerTimer, inputTimer] },
      { name: 'prompt-finished before the answer is ignored (nothing plays)', path: [], events: [finished] },
      { name: 'a save outcome outside saving is ignored', path: GREETING, events: [saved('created'), saved('updated'), saveFailed] },
    ]);
  });

  describe('hold & offer timer', () => {
    table([
      {
        name: 'the offer timer stops the music and plays the offer greeting',
        path: HOLDING,
        event: offerTimer,
        commands: [stopMoh, clearInput, play(OFFER)],
        state: { phase: 'offering', playing: true, attempts: 0, digits: '', candidate: null },
      },
    ]);
    ignored([
      { name: 'keys while holding are ignored', path: HOLDING, events: keys('0123456789*#') },
      { name: 'offer timer ignored when callback disabled', path: HOLDING, settings: DISABLED, events: [offerTimer] },
      { name: 'an input timer while holding is ignored', path: HOLDING, events: [inputTimer] },
      { name: 'prompt-finished while holding is ignored (nothing plays)', path: HOLDING, events: [finished] },
      { name: 'answered again while holding is ignored', path: HOLDING, events: [answered] },
      {
        name: 'a late offer timer outside holding is ignored',
        path: OFFER_WAIT,
        events: [offerTimer],
      },
      { name: 'a late offer timer while entering is ignored', path: ENTER_WAIT, events: [offerTimer] },
    ]);
  });

  describe('offer menu', () => {
    table([
      {
        name: 'the end of the offer arms the menu timeout',
        path: OFFERING,
        event: finished,
        commands: [setInput(S.menuTimeoutSeconds)],
        state: { phase: 'offering', playing: false },
      },
      {
        name: 'press 1 with a valid caller ID saves it straight away',
        path: OFFER_WAIT,
        event: key('1'),
        commands: [clearInput, saveCallback(CALLER)],
        state: { phase: 'saving', playing: false, candidate: CALLER },
      },
      {
        name: 'press 1 during the offer stops it and saves the caller ID',
        path: OFFERING,
        event: key('1'),
        commands: [clearInput, stopPrompt, saveCallback(CALLER)],
        state: { phase: 'saving', playing: false, candidate: CALLER },
      },
      {
        name: 'press 1 with a withheld caller ID asks for a number',
        path: OFFER_WAIT,
        callerId: null,
        event: key('1'),
        commands: [clearInput, play(prompt('caller-id-unavailable'), prompt('enter-number'))],
        state: { phase: 'entering', playing: true, digits: '', candidate: null },
      },
      {
        name: 'press 1 with a national caller ID asks for a number',
        path: OFFER_WAIT,
        callerId: '030123456',
        event: key('1'),
        commands: [clearInput, play(prompt('caller-id-unavailable'), prompt('enter-number'))],
        state: { phase: 'entering', playing: true },
      },
      {
        name: 'press 2 asks for another number even when the caller ID is valid',
        path: OFFER_WAIT,
        event: key('2'),
        commands: [clearInput, play(prompt('enter-number'))],
        state: { phase: 'entering', playing: true, digits: '', attempts: 0 },
      },
      {
        name: 'press 2 during the offer stops it',
        path: OFFERING,
        event: key('2'),
        commands: [clearInput, stopPrompt, play(prompt('enter-number'))],
        state: { phase: 'entering', playing: true },
      },
      {
        name: '3 says "you stay in the queue"',
        path: OFFER_WAIT,
        event: key('3'),
        commands: [clearInput, play(prompt('back-to-queue'))],
        state: { phase: 'returning', playing: true },
      },
      {
        name: '3 during the offer stops it before saying so',
        path: OFFERING,
        event: key('3'),
        commands: [clearInput, stopPrompt, play(prompt('back-to-queue'))],
        state: { phase: 'returning', playing: true },
      },
      {
        name: 'after "you stay in the queue" the caller is back on hold and the offer timer is re-armed with the interval',
        path: [...OFFER_WAIT, key('3')],
        event: finished,
        commands: [clearInput, startMoh, setOffer(S.offerIntervalSeconds)],
        state: { phase: 'holding', playing: false, digits: '', attempts: 0, candidate: null },
      },
      ...['0', '4', '9', '*', '#'].map((digit): Case => ({
        name: `any other key (${digit}) replays the offer without counting an attempt`,
        path: OFFER_WAIT,
        event: key(digit),
        commands: [clearInput, play(OFFER)],
        state: { phase: 'offering', playing: true, attempts: 0 },
      })),
      {
        name: 'another key during the offer restarts it',
        path: OFFERING,
        event: key('5'),
        commands: [clearInput, stopPrompt, play(OFFER)],
        state: { phase: 'offering', playing: true },
      },
      {
        name: 'no answer to the offer (menu timeout) goes back to hold with the interval',
        path: OFFER_WAIT,
        event: inputTimer,
        commands: [clearInput, startMoh, setOffer(S.offerIntervalSeconds)],
        state: { phase: 'holding', playing: false, attempts: 0 },
      },
      {
        name: 'the next offer after 3 is a fresh offer',
        path: [...OFFER_WAIT, key('3'), finished],
        event: offerTimer,
        commands: [stopMoh, clearInput, play(OFFER)],
        state: { phase: 'offering', playing: true, attempts: 0, digits: '', candidate: null },
      },
    ]);
  });

  describe('entering another number', () => {
    table([
      {
        name: 'the end of "enter number" arms the first-digit timeout',
        path: ENTERING,
        event: finished,
        commands: [setInput(S.firstDigitTimeoutSeconds)],
        state: { phase: 'entering', playing: false },
      },
      {
        name: 'a key during a prompt stops it',
        path: ENTERING,
        event: key('0'),
        commands: [stopPrompt, setInput(S.interDigitTimeoutSeconds)],
        state: { phase: 'entering', playing: false, digits: '0' },
      },
      {
        name: 'a key after the prompt arms the inter-digit timeout',
        path: ENTER_WAIT,
        event: key('0'),
        commands: [setInput(S.interDigitTimeoutSeconds)],
        state: { phase: 'entering', playing: false, digits: '0' },
      },
      {
        name: 'each further key is added and re-arms the inter-digit timeout',
        path: [...ENTER_WAIT, ...keys('0049')],
        event: key('3'),
        commands: [setInput(S.interDigitTimeoutSeconds)],
        state: { digits: '00493' },
      },
      {
        name: '* is collected as the + prefix',
        path: ENTER_WAIT,
        event: key('*'),
        commands: [setInput(S.interDigitTimeoutSeconds)],
        state: { digits: '*' },
      },
      {
        name: 'a valid number ended by # is read back',
        path: [...ENTER_WAIT, ...keys('004930123456')],
        event: key('#'),
        commands: [clearInput, play(...READ_BACK_BERLIN)],
        state: { phase: 'reading-back', playing: true, candidate: BERLIN, digits: '', attempts: 0 },
      },
      {
        name: 'a valid number typed with * for + is read back',
        path: [...ENTER_WAIT, ...keys('*4930123456')],
        event: key('#'),
        commands: [clearInput, play(...READ_BACK_BERLIN)],
        state: { phase: 'reading-back', candidate: BERLIN },
      },
      {
        name: 'a number typed after a withheld caller ID is read back too',
        path: [...OFFER_WAIT, key('1'), finished, ...keys('004930123456')],
        callerId: null,
        event: key('#'),
        commands: [clearInput, play(...READ_BACK_BERLIN)],
        state: { phase: 'reading-back', candidate: BERLIN },
      },
      {
        name: 'press 2 with an invalid number re-prompts',
        path: [...ENTER_WAIT, ...keys('0012')],
        event: key('#'),
        commands: [clearInput, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', playing: true, digits: '', attempts: 1, candidate: null },
      },
      {
        name: 'a national number (no 00 or *) is invalid and re-prompts',
        path: [...ENTER_WAIT, ...keys('030123456')],
        event: key('#'),
        commands: [clearInput, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', digits: '', attempts: 1 },
      },
      {
        name: '# alone is an invalid entry',
        path: ENTER_WAIT,
        event: key('#'),
        commands: [clearInput, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', attempts: 1 },
      },
      {
        name: '# during the prompt stops it and counts as an invalid entry',
        path: ENTERING,
        event: key('#'),
        commands: [clearInput, stopPrompt, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', playing: true, attempts: 1 },
      },
      {
        name: 'typed digits without # are judged on inter-digit timeout',
        path: [...ENTER_WAIT, ...keys('004930123456')],
        event: inputTimer,
        commands: [clearInput, play(...READ_BACK_BERLIN)],
        state: { phase: 'reading-back', candidate: BERLIN, digits: '' },
      },
      {
        name: 'invalid digits without # are judged on inter-digit timeout and re-prompt',
        path: [...ENTER_WAIT, ...keys('0012')],
        event: inputTimer,
        commands: [clearInput, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', digits: '', attempts: 1 },
      },
      {
        name: 'nothing typed before the first-digit timeout re-prompts without "invalid"',
        path: ENTER_WAIT,
        event: inputTimer,
        commands: [clearInput, play(prompt('enter-number'))],
        state: { phase: 'entering', playing: true, attempts: 1 },
      },
      {
        name: 'the 18th key still waits for more',
        path: [...ENTER_WAIT, ...keys('00' + '1'.repeat(15))],
        event: key('1'),
        commands: [setInput(S.interDigitTimeoutSeconds)],
        state: { phase: 'entering', digits: '00' + '1'.repeat(16) },
      },
      {
        name: 'entry of 19+ digits is judged without waiting for #',
        path: [...ENTER_WAIT, ...keys('00' + '1'.repeat(16))],
        event: key('1'),
        commands: [clearInput, play(prompt('number-invalid'), prompt('enter-number'))],
        state: { phase: 'entering', digits: '', attempts: 1 },
      },
      {
        name: 'after maxEntryAttempts invalid entries the caller goes back to the queue',
        path: [...ENTER_WAIT, ...keys('0012#'), finished, ...keys('0012#'), finished, ...keys('0012')],
        event: key('#'),
        commands: [clearInput, play(prompt('too-many-attempts'))],
        state: { phase: 'returning', playing: true, attempts: S.maxEntryAttempts, digits: '' },
      },
      {
        name: 'timeouts count towards maxEntryAttempts too',
        path: [...ENTER_WAIT, inputTimer, finished, inputTimer, finished],
        event: inputTimer,
        commands: [clearInput, play(prompt('too-many-attempts'))],
        state: { phase: 'returning', attempts: S.maxEntryAttempts },
      },
      {
        name: 'with maxEntryAttempts 1 the first invalid entry goes back to the queue',
        path: [...ENTER_WAIT, ...keys('0012')],
        settings: { ...S, maxEntryAttempts: 1 },
        event: key('#'),
        commands: [clearInput, play(prompt('too-many-attempts'))],
        state: { phase: 'returning', attempts: 1 },
      },
      {
        name: 'a valid entry after an invalid one is still read back',
        path: [...ENTER_WAIT, ...keys('0012#'), finished, ...keys('*4930123456')],
        event: key('#'),
        commands: [clearInput, play(...READ_BACK_BERLIN)],
        state: { phase: 'reading-back', candidate: BERLIN, attempts: 1 },
      },
      {
        name: 'the end of the re-prompt arms the first-digit timeout again',
        path: [...ENTER_WAIT, ...keys('0012#')],
        event: finished,
        commands: [setInput(S.firstDigitTimeoutSeconds)],
        state: { phase: 'entering', playing: false, digits: '' },
      },
      {
        // No stop-prompt: the prompt has just ended by itself.
        name: 'the end of "too many attempts" goes back to hold with the interval and resets the counters',
        path: TOO_MANY,
        event: finished,
        commands: [clearInput, startMoh, setOffer(S.offerIntervalSeconds)],
        state: { phase: 'holding', playing: false, attempts: 0, digits: '', candidate: null },
      },
    ]);
    ignored([
      {
        name: 'prompt-finished when nothing plays is ignored (after a key stopped the prompt)',
        path: [...ENTERING, key('0')],
        events: [finished],
      },
      { name: 'prompt-finished while waiting for the first digit is ignored', path: ENTER_WAIT, events: [finished] },
      { name: 'keys while "too many attempts" plays are ignored', path: TOO_MANY, events: keys('123#') },
    ]);
  });

  describe('reading back', () => {
    table([
      {
        name: 'the end of the read-back arms the menu timeout',
        path: READING_BACK,
        event: finished,
        commands: [setInput(S.menuTimeoutSeconds)],
        state: { phase: 'reading-back', playing: false, candidate: BERLIN },
      },
      {
        name: '1 confirms and saves the number entered',
        path: READ_WAIT,
        event: key('1'),
        commands: [clearInput, saveCallback(BERLIN)],
        state: { phase: 'saving', playing: false, candidate: BERLIN },
      },
      {
        name: '1 during the read-back stops it and saves',
        path: READING_BACK,
        event: key('1'),
        commands: [clearInput, stopPrompt, saveCallback(BERLIN)],
        state: { phase: 'saving', candidate: BERLIN },
      },
      {
        name: '2 asks for the number again and forgets the candidate',
        path: READ_WAIT,
        event: key('2'),
        commands: [clearInput, play(prompt('enter-number'))],
        state: { phase: 'entering', playing: true, digits: '', candidate: null },
      },
      {
        name: 'another key repeats "1 confirm, 2 re-enter" and counts an attempt',
        path: READ_WAIT,
        event: key('7'),
        commands: [clearInput, play(prompt('confirm-number'))],
        state: { phase: 'reading-back', playing: true, attempts: 1, candidate: BERLIN },
      },
      {
        name: 'another key during the read-back stops it',
        path: READING_BACK,
        event: key('#'),
        commands: [clearInput, stopPrompt, play(prompt('confirm-number'))],
        state: { phase: 'reading-back', playing: true, attempts: 1 },
      },
      {
        name: 'no answer (menu timeout) repeats "1 confirm, 2 re-enter" and counts an attempt',
        path: READ_WAIT,
        event: inputTimer,
        commands: [clearInput, play(prompt('confirm-number'))],
        state: { phase: 'reading-back', attempts: 1, candidate: BERLIN },
      },
      {
        name: 'after maxEntryAttempts unanswered read-backs the caller goes back to the queue',
        path: [...READ_WAIT, inputTimer, finished, key('9'), finished],
        event: inputTimer,
        commands: [clearInput, play(prompt('too-many-attempts'))],
        state: { phase: 'returning', attempts: S.maxEntryAttempts },
      },
      {
        name: '1 after a repeated read-back still saves',
        path: [...READ_WAIT, key('9'), finished],
        event: key('1'),
        commands: [clearInput, saveCallback(BERLIN)],
        state: { phase: 'saving', candidate: BERLIN },
      },
    ]);
    ignored([{ name: 'prompt-finished while waiting for 1 or 2 is ignored', path: READ_WAIT, events: [finished] }]);
  });

  describe('an agent answers for a live caller', () => {
    const connected: CallerEvent = { type: 'agent-connected' };
    const clearOffer: CallerCommand = { type: 'clear-timer', timer: 'offer' };
    table([
      {
        name: 'on hold: timers cleared, music stops, the caller is connected',
        path: HOLDING,
        event: connected,
        commands: [clearInput, clearOffer, { type: 'stop-moh' }],
        state: { phase: 'connected', playing: false },
      },
      {
        name: 'during the offer: the prompt is stopped too',
        path: OFFERING,
        event: connected,
        commands: [clearInput, clearOffer, stopPrompt, { type: 'stop-moh' }],
        state: { phase: 'connected' },
      },
      {
        name: 'a connected caller hanging up does not give up a place (the delivery closes the entry)',
        path: [...HOLDING, connected],
        event: hangup,
        commands: [clearInput, clearOffer],
        state: { phase: 'ended' },
      },
    ]);
    ignored([
      { name: 'a caller whose request is being saved is not connected live', path: SAVING, events: [connected] },
      { name: 'a caller hearing the confirmation is not connected live', path: CONFIRMING, events: [connected] },
      {
        name: 'keys and timers while connected do nothing',
        path: [...HOLDING, connected],
        events: [...keys('123#'), offerTimer, inputTimer, finished],
      },
    ]);
  });

  describe('max queue wait', () => {
    const LIMITED: CallerSettings = { ...S, maxWaitSeconds: 600, overflow: 'hangup' };
    const TO_DIALPLAN: CallerSettings = { ...S, maxWaitSeconds: 600, overflow: 'dialplan' };
    const maxWait: CallerEvent = { type: 'timer', timer: 'max-wait' };
    const clearOffer: CallerCommand = { type: 'clear-timer', timer: 'offer' };
    table([
      {
        name: 'answering arms the max-wait timer when the queue has a limit',
        path: [],
        settings: LIMITED,
        event: answered,
        commands: [clearInput, play(prompt('welcome')), { type: 'set-timer', timer: 'max-wait', seconds: 600 }],
      },
      {
        name: 'past the limit on hold: the place is given up and the overflow prompt plays',
        path: HOLDING,
        settings: LIMITED,
        event: maxWait,
        commands: [clearInput, clearOffer, { type: 'stop-moh' }, { type: 'leave-queue', reason: 'max-wait' }, play(prompt('overflow'))],
        state: { phase: 'overflowing', playing: true },
      },
      {
        name: 'past the limit while typing a number: the entry prompt stops too',
        path: ENTERING,
        settings: LIMITED,
        event: maxWait,
        commands: [
          clearInput,
          clearOffer,
          stopPrompt,
          { type: 'stop-moh' },
          { type: 'leave-queue', reason: 'max-wait' },
          play(prompt('overflow')),
        ],
        state: { phase: 'overflowing' },
      },
      {
        name: 'the end of the overflow prompt hangs up',
        path: [...HOLDING, maxWait],
        settings: LIMITED,
        event: finished,
        commands: [{ type: 'hangup' }],
        state: { phase: 'ended' },
      },
      {
        name: 'an overflow to the dialplan hands the call back instead of a prompt',
        path: HOLDING,
        settings: TO_DIALPLAN,
        event: maxWait,
        commands: [
          clearInput,
          clearOffer,
          { type: 'stop-moh' },
          { type: 'leave-queue', reason: 'max-wait' },
          { type: 'continue-dialplan' },
        ],
        state: { phase: 'ended' },
      },
    ]);
    ignored([
      {
        name: 'a caller whose callback is being saved is exempt (callback slots never overflow)',
        path: SAVING,
        settings: LIMITED,
        events: [maxWait],
      },
      { name: 'a caller hearing the confirmation is exempt', path: CONFIRMING, settings: LIMITED, events: [maxWait] },
    ]);
  });

  describe('a caller re-adopted after a restart', () => {
    const LIMITED: CallerSettings = { ...S, maxWaitSeconds: 600, overflow: 'hangup' };
    table([
      {
        name: 'goes straight back to hold and re-arms the offer with the interval (no second welcome)',
        path: [],
        event: { type: 'resumed', maxWaitLeftSeconds: null },
        commands: [clearInput, { type: 'start-moh' }, setOffer(S.offerIntervalSeconds)],
        state: { phase: 'holding', playing: false },
      },
      {
        name: 'keeps only what is left of the max wait',
        path: [],
        settings: LIMITED,
        event: { type: 'resumed', maxWaitLeftSeconds: 42 },
        commands: [
          clearInput,
          { type: 'start-moh' },
          setOffer(S.offerIntervalSeconds),
          { type: 'set-timer', timer: 'max-wait', seconds: 42 },
        ],
      },
      {
        name: 'whose max wait ran out while the daemon was down overflows at once',
        path: [],
        settings: LIMITED,
        event: { type: 'resumed', maxWaitLeftSeconds: 0 },
        commands: [
          clearInput,
          { type: 'clear-timer', timer: 'offer' },
          { type: 'stop-moh' },
          { type: 'leave-queue', reason: 'max-wait' },
          play(prompt('overflow')),
        ],
        state: { phase: 'overflowing' },
      },
    ]);
  });

  describe('saving', () => {
    table([
      {
        name: 'a new request plays the confirmation greeting',
        path: SAVING,
        event: saved('created'),
        commands: [clearInput, play(CONFIRMATION)],
        state: { phase: 'confirming', playing: true },
      },
      {
        name: 'a second request that updated an existing one says so before the confirmation',
        path: SAVING,
        event: saved('updated'),
        commands: [clearInput, play(prompt('updated-existing'), CONFIRMATION)],
        state: { phase: 'confirming', playing: true },
      },
      {
        name: 'saving the caller ID confirms the same way',
        path: SAVING_OWN,
        event: saved('created'),
        commands: [clearInput, play(CONFIRMATION)],
        state: { phase: 'confirming', candidate: CALLER },
      },
      {
        name: 'save failure plays request-failed',
        path: SAVING,
        event: saveFailed,
        commands: [clearInput, play(prompt('request-failed'))],
        state: { phase: 'returning', playing: true, candidate: null },
      },
      {
        // No stop-prompt: the prompt has just ended by itself.
        name: 'save failure plays request-failed and returns to hold',
        path: RETURNING,
        event: finished,
        commands: [clearInput, startMoh, setOffer(S.offerIntervalSeconds)],
        state: { phase: 'holding', playing: false, candidate: null, attempts: 0, digits: '' },
      },
    ]);
    ignored([
      { name: 'keys while saving are ignored', path: SAVING, events: keys('0123456789*#') },
      { name: 'timers and prompt-finished while saving are ignored', path: SAVING, events: [offerTimer, inputTimer, finished] },
      { name: 'keys while request-failed plays are ignored', path: RETURNING, events: keys('123') },
    ]);
  });

  describe('confirmation', () => {
    table([
      {
        name: 'the end of the confirmation hangs up',
        path: CONFIRMING,
        event: finished,
        commands: [hangUp],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      { name: 'keys during the confirmation are ignored (it is not stopped)', path: CONFIRMING, events: keys('0123456789*#') },
      { name: 'timers during the confirmation are ignored', path: CONFIRMING, events: [offerTimer, inputTimer] },
      { name: 'a second save outcome during the confirmation is ignored', path: CONFIRMING, events: [saved('updated'), saveFailed] },
    ]);
  });

  describe('a prompt that cannot be played', () => {
    const promptFailed: CallerEvent = { type: 'prompt-failed' };
    table([
      {
        name: 'a welcome that fails goes on to hold, as if it had been heard',
        path: GREETING,
        event: promptFailed,
        commands: [clearInput, startMoh, setOffer(S.offerDelaySeconds)],
        state: { phase: 'holding', playing: false },
      },
      {
        name: 'an offer greeting that fails still waits for 1, 2 or 3',
        path: OFFERING,
        event: promptFailed,
        commands: [setInput(S.menuTimeoutSeconds)],
        state: { phase: 'offering', playing: false },
      },
      {
        name: 'a confirmation that fails still ends the call (the request is stored)',
        path: CONFIRMING,
        event: promptFailed,
        commands: [hangUp],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([{ name: 'a failed prompt while nothing plays is ignored', path: HOLDING, events: [promptFailed] }]);
  });

  describe('a caller whose place cannot be stored', () => {
    const joinFailed: CallerEvent = { type: 'join-failed' };
    const sorry = play(prompt('technical-problem'));
    table([
      {
        name: 'during the welcome: the welcome stops and the caller hears "technical problem"',
        path: GREETING,
        event: joinFailed,
        commands: [clearInput, clearOffer, stopPrompt, stopMoh, sorry],
        state: { phase: 'failing', playing: true },
      },
      {
        name: 'on hold: music stops and the caller hears "technical problem"',
        path: HOLDING,
        event: joinFailed,
        commands: [clearInput, clearOffer, stopMoh, sorry],
        state: { phase: 'failing', playing: true },
      },
      {
        name: 'with a max wait, its timer is cleared too',
        path: GREETING,
        settings: { ...S, maxWaitSeconds: 600, overflow: 'hangup' },
        event: joinFailed,
        commands: [clearInput, clearOffer, { type: 'clear-timer', timer: 'max-wait' }, stopPrompt, stopMoh, sorry],
        state: { phase: 'failing' },
      },
      {
        name: 'after the apology the call is hung up',
        path: [...GREETING, joinFailed],
        event: finished,
        commands: [hangUp],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'after the apology a queue with a dialplan overflow hands the call back to the dialplan',
        path: [...GREETING, joinFailed],
        settings: { ...S, maxWaitSeconds: null, overflow: 'dialplan' },
        event: finished,
        commands: [{ type: 'continue-dialplan' }],
        state: { phase: 'ended' },
      },
    ]);
    ignored([
      {
        name: 'keys and timers during the apology are ignored',
        path: [...GREETING, joinFailed],
        events: [...keys('123#'), offerTimer, inputTimer],
      },
      {
        name: 'the max wait during the apology is ignored (nothing was stored to overflow)',
        path: [...GREETING, joinFailed],
        settings: { ...S, maxWaitSeconds: 600, overflow: 'hangup' },
        events: [{ type: 'timer', timer: 'max-wait' }],
      },
      {
        name: 'an agent cannot be connected to a caller who is not in the queue',
        path: [...GREETING, joinFailed],
        events: [{ type: 'agent-connected' }],
      },
    ]);
  });

  describe('hangup', () => {
    const leaves = [clearInput, clearOffer, leaveQueue];
    table([
      { name: 'hangup before the answer leaves the queue', path: [], event: hangup, commands: leaves, state: { phase: 'ended' } },
      { name: 'hangup during the welcome leaves the queue', path: GREETING, event: hangup, commands: leaves, state: { phase: 'ended' } },
      { name: 'hangup while holding leaves the queue', path: HOLDING, event: hangup, commands: leaves, state: { phase: 'ended' } },
      {
        name: 'hangup during the offer leaves the queue',
        path: OFFERING,
        event: hangup,
        commands: leaves,
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'hangup while entering leaves the queue (no half request)',
        path: [...ENTER_WAIT, ...keys('0049301')],
        event: hangup,
        commands: leaves,
        state: { phase: 'ended', candidate: null },
      },
      {
        name: 'hangup during the read-back leaves the queue and saves nothing',
        path: READ_WAIT,
        event: hangup,
        commands: leaves,
        state: { phase: 'ended' },
      },
      { name: 'hangup while saving leaves the queue', path: SAVING, event: hangup, commands: leaves, state: { phase: 'ended' } },
      {
        name: 'hangup during the confirmation keeps the request (no leave-queue)',
        path: CONFIRMING,
        event: hangup,
        commands: [clearInput, clearOffer],
        state: { phase: 'ended', playing: false },
      },
      { name: 'hangup after a failed save leaves the queue', path: RETURNING, event: hangup, commands: leaves, state: { phase: 'ended' } },
    ]);

    // Every phase, possibly by several routes. Record<CallerPhase, …> makes the compiler insist on all.
    interface Route extends From {
      via: string;
      /** A request was saved on this route before the hangup. */
      saved: boolean;
    }
    const EVERY_PHASE: Record<CallerPhase, Route[]> = {
      greeting: [
        { via: 'before the answer', path: [], saved: false },
        { via: 'during the welcome', path: GREETING, saved: false },
      ],
      holding: [
        { via: 'after the welcome', path: HOLDING, saved: false },
        { via: 'after pressing 3', path: [...OFFER_WAIT, key('3'), finished], saved: false },
        { via: 'after a failed save', path: [...RETURNING, finished], saved: false },
        { via: 'with callback disabled', path: HOLDING, settings: DISABLED, saved: false },
      ],
      offering: [
        { via: 'during the offer', path: OFFERING, saved: false },
        { via: 'waiting for 1, 2 or 3', path: OFFER_WAIT, saved: false },
      ],
      entering: [
        { via: 'during "enter number"', path: ENTERING, saved: false },
        { via: 'with digits typed', path: [...ENTER_WAIT, ...keys('0049')], saved: false },
        { via: 'after an invalid entry', path: [...ENTER_WAIT, ...keys('0012#')], saved: false },
        { via: 'after a withheld caller ID', path: [...OFFER_WAIT, key('1')], callerId: null, saved: false },
      ],
      'reading-back': [
        { via: 'during the read-back', path: READING_BACK, saved: false },
        { via: 'waiting for 1 or 2', path: READ_WAIT, saved: false },
      ],
      saving: [
        { via: 'saving a typed number', path: SAVING, saved: false },
        { via: 'saving the caller ID', path: SAVING_OWN, saved: false },
      ],
      confirming: [
        { via: 'after a new request', path: CONFIRMING, saved: true },
        { via: 'after updating an existing request', path: [...SAVING, saved('updated')], saved: true },
      ],
      returning: [
        { via: 'after a failed save', path: RETURNING, saved: false },
        { via: 'after too many attempts', path: TOO_MANY, saved: false },
      ],
      // "saved" here means: the entry is not the caller's to give up (the agent delivery closes it).
      connected: [
        { via: 'from hold', path: [...HOLDING, { type: 'agent-connected' }], saved: true },
        { via: 'in the middle of typing a number', path: [...ENTER_WAIT, ...keys('0049'), { type: 'agent-connected' }], saved: true },
      ],
      // The overflow already gave the place up; a hangup must not do it twice.
      overflowing: [
        {
          via: 'past max wait on hold',
          path: [...HOLDING, { type: 'timer', timer: 'max-wait' }],
          settings: { ...S, maxWaitSeconds: 600, overflow: 'hangup' },
          saved: true,
        },
      ],
      // Nothing was stored for this caller: there is no place to give up.
      failing: [
        { via: 'when the place could not be stored, during the welcome', path: [...GREETING, { type: 'join-failed' }], saved: true },
        { via: 'when the place could not be stored, on hold', path: [...HOLDING, { type: 'join-failed' }], saved: true },
      ],
      ended: [
        { via: 'after the confirmation', path: ENDED, saved: true },
        { via: 'after an earlier hangup', path: [...OFFER_WAIT, hangup], saved: false },
      ],
    };

    it('in every phase a hangup ends the call and leaves the queue exactly when no request was saved', () => {
      const phases = Object.keys(EVERY_PHASE) as CallerPhase[];
      expect(phases).to.have.members([
        'greeting',
        'holding',
        'offering',
        'entering',
        'reading-back',
        'saving',
        'confirming',
        'returning',
        'connected',
        'overflowing',
        'failing',
        'ended',
      ]);
      for (const phase of phases) {
        for (const route of EVERY_PHASE[phase]) {
          const label = `${phase} ${route.via}`;
          const before = reach(route);
          expect(before.phase, label).to.equal(phase);
          const out = transition(before, hangup, route.settings ?? S);
          expect(out.state.phase, label).to.equal('ended');
          expect(out.state.playing, label).to.equal(false);
          if (phase === 'ended') {
            // The call is over already: the first hangup (or the confirmation) did what was needed.
            expect(out.commands, label).to.deep.equal([]);
            expect(out.state, label).to.equal(before);
          } else {
            const timers: CallerCommand[] = [clearInput, clearOffer];
            if ((route.settings ?? S).maxWaitSeconds != null) timers.push({ type: 'clear-timer', timer: 'max-wait' });
            const expected = route.saved ? timers : [...timers, leaveQueue];
            expect(out.commands, label).to.deep.equal(expected);
          }
        }
      }
    });

    it('a second hangup does not leave the queue twice', () => {
      const first = transition(reach({ path: OFFER_WAIT }), hangup, S);
      expect(first.commands).to.deep.include(leaveQueue);
      const second = transition(first.state, hangup, S);
      expect(second.commands).to.deep.equal([]);
    });
  });

  describe('after the call ended', () => {
    const every: CallerEvent[] = [
      answered,
      finished,
      offerTimer,
      inputTimer,
      ...keys('0123456789*#'),
      saved('created'),
      saved('updated'),
      saveFailed,
      { type: 'prompt-failed' },
      { type: 'join-failed' },
      hangup,
    ];
    ignored([
      { name: 'events after ended do nothing (ended by the confirmation)', path: ENDED, events: every },
      { name: 'events after ended do nothing (ended by a hangup)', path: [...ENTER_WAIT, ...keys('0049'), hangup], events: every },
    ]);
  });

  describe('whole calls', () => {
    /** Runs the events from a fresh call and returns every step's commands. */
    function call(callerId: string | null, events: CallerEvent[], settings = S): { state: CallerState; steps: CallerCommand[][] } {
      let state = initialCallerState(callerId);
      const steps: CallerCommand[][] = [];
      for (const event of events) {
        const out = transition(state, event, settings);
        state = out.state;
        steps.push(out.commands);
      }
      return { state, steps };
    }

    it('a caller with a withheld number types one, confirms it and is hung up on after the confirmation', () => {
      const { state, steps } = call(null, [
        answered,
        finished,
        offerTimer,
        finished,
        key('1'),
        finished,
        ...keys('*4930123456#'),
        finished,
        key('1'),
        saved('created'),
        finished,
      ]);
      expect(steps).to.deep.equal([
        [clearInput, play(prompt('welcome'))],
        [clearInput, startMoh, setOffer(31)],
        [stopMoh, clearInput, play(OFFER)],
        [setInput(7)],
        [clearInput, play(prompt('caller-id-unavailable'), prompt('enter-number'))],
        [setInput(11)],
        ...Array.from({ length: 11 }, () => [setInput(4)]),
        [clearInput, play(...READ_BACK_BERLIN)],
        [setInput(7)],
        [clearInput, saveCallback(BERLIN)],
        [clearInput, play(CONFIRMATION)],
        [hangUp],
      ]);
      expect(state).to.deep.equal({ phase: 'ended', playing: false, digits: '', attempts: 0, candidate: BERLIN, callerNumber: null });
    });

    it('a caller who declines is offered again after each interval; hanging up on hold gives up the place', () => {
      const { steps } = call(CALLER, [
        answered,
        finished,
        offerTimer,
        key('3'),
        finished,
        offerTimer,
        finished,
        inputTimer,
        offerTimer,
        hangup,
      ]);
      expect(steps.map((s) => s.filter((c) => c.type === 'set-timer'))).to.deep.equal([
        [],
        [setOffer(31)],
        [],
        [],
        [setOffer(62)],
        [],
        [setInput(7)],
        [setOffer(62)],
        [],
        [],
      ]);
      expect(steps[steps.length - 1]).to.deep.equal([clearInput, clearOffer, leaveQueue]);
    });

    it('does not change the state it is given', () => {
      let state = initialCallerState(null);
      const path = [...ENTER_WAIT, ...keys('0012#'), finished, ...keys('004930123456#'), finished, key('1'), saved('updated'), finished];
      for (const event of path) {
        const snapshot = JSON.stringify(state);
        const out = transition(state, event, S);
        expect(JSON.stringify(state), JSON.stringify(event)).to.equal(snapshot);
        state = out.state;
      }
      expect(state.phase).to.equal('ended');
    });
  });
});
