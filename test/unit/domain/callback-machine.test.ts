import { expect } from 'chai';
import { machineTables, type TableCase } from './machine-table';
import {
  announcement,
  initialCallbackState,
  minutesPrompt,
  transitionCallback,
  type CallbackCommand,
  type CallbackEvent,
  type CallbackPhase,
  type CallbackSettings,
  type CallbackState,
} from '../../../src/domain/agent/callback-machine';
import { prompt, type PromptId, type PromptRef } from '../../../src/domain/prompts';

// Every setting has its own value, so a timer command tells which setting it came from.
const S1: CallbackSettings = { menuTimeoutSeconds: 9, maxAttempts: 1, retryDelaySeconds: 45 };
const S2: CallbackSettings = { ...S1, maxAttempts: 2 };

const NUMBER = '+4930123456';
const INFO = { number: NUMBER, waitedMinutes: 12.7 };

// ---- events -------------------------------------------------------------------------------------
const agentAnswered: CallbackEvent = { type: 'agent-answered' };
const agentUnreached: CallbackEvent = { type: 'agent-unreached' };
const finished: CallbackEvent = { type: 'prompt-finished' };
const key = (digit: string): CallbackEvent => ({ type: 'dtmf', digit });
const keys = (typed: string): CallbackEvent[] => [...typed].map(key);
const menuTimeout: CallbackEvent = { type: 'menu-timeout' };
const customerAnswered: CallbackEvent = { type: 'customer-answered' };
const unreached = (cause: string): CallbackEvent => ({ type: 'customer-unreached', cause });
const retryDue: CallbackEvent = { type: 'retry-due' };
const agentHangup: CallbackEvent = { type: 'agent-hangup' };
const customerHangup: CallbackEvent = { type: 'customer-hangup' };
const bridgeFailed: CallbackEvent = { type: 'bridge-failed', cause: 'bridge refused' };
const withdrawn: CallbackEvent = { type: 'offer-withdrawn', cause: 'agent logged out' };

/** Every event the machine knows, for "is ignored" checks. */
const EVERY_EVENT: CallbackEvent[] = [
  agentAnswered,
  agentUnreached,
  finished,
  ...keys('0123456789*#'),
  menuTimeout,
  customerAnswered,
  unreached('busy'),
  retryDue,
  agentHangup,
  customerHangup,
  bridgeFailed,
  withdrawn,
];

// ---- commands -----------------------------------------------------------------------------------
const play = (...prompts: PromptRef[]): CallbackCommand => ({ type: 'play-agent', prompts });
const stopPrompt: CallbackCommand = { type: 'stop-agent-prompt' };
const setMenu = (seconds: number): CallbackCommand => ({ type: 'set-menu-timer', seconds });
const clearMenu: CallbackCommand = { type: 'clear-menu-timer' };
const createTicket: CallbackCommand = { type: 'create-ticket' };
const dial = (attempt: number): CallbackCommand => ({ type: 'dial-customer', attempt });
const setRetry = (seconds: number): CallbackCommand => ({ type: 'set-retry-timer', seconds });
const bridge: CallbackCommand = { type: 'bridge' };
const hangupAgent: CallbackCommand = { type: 'hangup-agent' };
const hangupCustomer: CallbackCommand = { type: 'hangup-customer' };
const returnToQueue = (missed: boolean): CallbackCommand => ({ type: 'return-to-queue', missed });
const comment = (body: string): CallbackCommand => ({ type: 'add-ticket-comment', body });
const finishDone: CallbackCommand = { type: 'finish', outcome: 'done' };
const finishUnanswered = (detail: string): CallbackCommand => ({ type: 'finish', outcome: 'unanswered', detail });

const CALL_OR_DECLINE = play(prompt('agent-call-or-decline'));
const CONNECTING = play(prompt('agent-connecting'));
const NO_ANSWER = play(prompt('agent-customer-no-answer'));
const CANCELLED_COMMENT = comment('callback cancelled: the agent hung up while the customer was being called');
const CANCELLED_DETAIL = 'agent hung up before the customer answered';

// ---- prompts ------------------------------------------------------------------------------------
/** "Callback request from +4930123456, waiting for 12 minutes. Press 1 to call, 2 to decline." */
const ANNOUNCEMENT: PromptRef[] = [
  prompt('agent-callback-request'),
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
  prompt('agent-waiting'),
  prompt('n-12'),
  prompt('agent-minutes'),
  prompt('agent-call-or-decline'),
];

// ---- how to get somewhere from a fresh execution (paths through the flow) ----------------------
const RINGING: CallbackEvent[] = []; // the agent's phone rings
const ANNOUNCING = [agentAnswered]; // announcement playing
const MENU = [...ANNOUNCING, finished]; // announcement done, menu timer running
const DIALING = [...MENU, key('1')]; // ticket created, "connecting" playing, customer dialled (attempt 1)
const DIALING_QUIET = [...DIALING, finished]; // "connecting" done, customer still ringing
const CONNECTED = [...DIALING_QUIET, customerAnswered]; // bridged
const TELLING = [...DIALING_QUIET, unreached('busy')]; // with S1: "customer did not answer" playing
const RETRY_WAIT = [...DIALING_QUIET, unreached('no answer')]; // with S2: retry timer running
const SECOND_DIAL = [...RETRY_WAIT, retryDue]; // with S2: customer dialled again (attempt 2)
const TELLING_2 = [...SECOND_DIAL, unreached('busy')]; // with S2: "customer did not answer" playing

interface From {
  path: CallbackEvent[];
  /** S1 (one attempt) unless given. */
  settings?: CallbackSettings;
}

function reach({ path, settings = S1 }: From): CallbackState {
  let state = initialCallbackState();
  for (const event of path) state = transitionCallback(state, event, settings, INFO).state;
  return state;
}

type Case = TableCase<From, CallbackState, CallbackEvent, CallbackCommand>;

const { table, ignored } = machineTables<From, CallbackState, CallbackEvent, CallbackCommand>({
  reach: reach,
  step: (state, event, from) => transitionCallback(state, event, from.settings ?? S1, INFO),
});

const isTerminal = (c: CallbackCommand): boolean => c.type === 'finish' || c.type === 'return-to-queue';

describe('callback machine', () => {
  describe('minutesPrompt', () => {
    const cases: [number, PromptId][] = [
      [0, 'n-0'],
      [0.4, 'n-0'],
      [1, 'n-1'],
      [12.7, 'n-12'],
      [59.99, 'n-59'],
      [60, 'n-60'],
      [60.9, 'n-60'],
      [61, 'n-61'],
      [500, 'n-61'],
      [-0.5, 'n-0'],
      [-3, 'n-0'],
    ];
    for (const [minutes, id] of cases) {
      it(`${minutes} minutes is ${id}`, () => {
        expect(minutesPrompt(minutes)).to.equal(id);
      });
    }
  });

  describe('announcement', () => {
    it('reads the request, every digit of the number, the minutes waited and the menu', () => {
      expect(announcement(NUMBER, 12.7)).to.deep.equal(ANNOUNCEMENT);
    });

    it('caps the minutes at "more than sixty"', () => {
      const prompts = announcement('+491', 75);
      expect(prompts).to.deep.equal([
        prompt('agent-callback-request'),
        prompt('plus'),
        prompt('digit-4'),
        prompt('digit-9'),
        prompt('digit-1'),
        prompt('agent-waiting'),
        prompt('n-61'),
        prompt('agent-minutes'),
        prompt('agent-call-or-decline'),
      ]);
    });

    it('skips characters without a spoken form', () => {
      const ids = announcement('+49 30-1', 0).map((p) => (p.kind === 'prompt' ? p.id : p.which));
      expect(ids).to.deep.equal([
        'agent-callback-request',
        'plus',
        'digit-4',
        'digit-9',
        'digit-3',
        'digit-0',
        'digit-1',
        'agent-waiting',
        'n-0',
        'agent-minutes',
        'agent-call-or-decline',
      ]);
    });
  });

  describe('initial state', () => {
    it('starts ringing the agent with nothing played, dialled or created', () => {
      expect(initialCallbackState()).to.deep.equal({
        phase: 'ringing-agent',
        playing: false,
        attempts: 0,
        replays: 0,
        ticket: false,
        lastCause: null,
        awaitingRetry: false,
        requeue: false,
      });
    });

    it('gives a fresh object each time', () => {
      expect(initialCallbackState()).to.not.equal(initialCallbackState());
    });
  });

  describe('ringing the agent', () => {
    table([
      {
        name: 'the agent answering plays the announcement',
        path: RINGING,
        event: agentAnswered,
        commands: [play(...ANNOUNCEMENT)],
        state: { phase: 'announcing', playing: true, attempts: 0, replays: 0, ticket: false },
      },
      {
        name: 'the agent not answering returns the slot to the queue as missed',
        path: RINGING,
        event: agentUnreached,
        commands: [returnToQueue(true)],
        state: { phase: 'ended', playing: false, ticket: false },
      },
      {
        // "Hanging up instead of choosing counts as a decline": no miss counted.
        name: 'an agent hangup while ringing counts as a decline',
        path: RINGING,
        event: agentHangup,
        commands: [clearMenu, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the agent logged out while the phone rings: stop ringing, the slot keeps its place, no miss',
        path: RINGING,
        event: withdrawn,
        commands: [clearMenu, hangupAgent, { type: 'return-to-queue', missed: false, cause: 'agent logged out' }],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      {
        name: 'keys, timers and prompt ends before the answer are ignored',
        path: RINGING,
        events: [...keys('12*'), menuTimeout, retryDue, finished],
      },
      {
        name: 'customer events before the answer are ignored',
        path: RINGING,
        events: [customerAnswered, unreached('busy'), customerHangup],
      },
    ]);
  });

  describe('announcing & menu', () => {
    table([
      {
        // No stop-agent-prompt: the announcement has just ended by itself.
        name: 'the end of the announcement arms the menu timer',
        path: ANNOUNCING,
        event: finished,
        commands: [setMenu(S1.menuTimeoutSeconds)],
        state: { phase: 'announcing', playing: false },
      },
      {
        name: '1 clears the timer, creates the ticket, says "connecting" and dials the customer (attempt 1)',
        path: MENU,
        event: key('1'),
        commands: [clearMenu, createTicket, CONNECTING, dial(1)],
        state: { phase: 'dialing-customer', playing: true, attempts: 1, ticket: true, lastCause: null },
      },
      {
        name: '1 during the announcement stops it first',
        path: ANNOUNCING,
        event: key('1'),
        commands: [clearMenu, stopPrompt, createTicket, CONNECTING, dial(1)],
        state: { phase: 'dialing-customer', playing: true, attempts: 1, ticket: true },
      },
      {
        name: '2 declines: agent hung up, slot back to its place, not counted as missed',
        path: MENU,
        event: key('2'),
        commands: [clearMenu, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false, ticket: false, attempts: 0 },
      },
      {
        name: '2 during the announcement stops it and declines',
        path: ANNOUNCING,
        event: key('2'),
        commands: [clearMenu, stopPrompt, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: '3 after the menu plays the whole request again (number and waiting time)',
        path: MENU,
        event: key('3'),
        commands: [clearMenu, play(...announcement(NUMBER, INFO.waitedMinutes))],
        state: { phase: 'announcing', playing: true, replays: 0 },
      },
      {
        name: '3 during the announcement restarts it from the beginning',
        path: ANNOUNCING,
        event: key('3'),
        commands: [clearMenu, stopPrompt, play(...announcement(NUMBER, INFO.waitedMinutes))],
        state: { phase: 'announcing', playing: true },
      },
      ...['0', '4', '9', '*', '#'].map((digit): Case => ({
        name: `key ${digit} replays "1 call, 2 decline"`,
        path: MENU,
        event: key(digit),
        commands: [clearMenu, CALL_OR_DECLINE],
        state: { phase: 'announcing', playing: true, replays: 0 },
      })),
      {
        name: 'another key during the announcement stops it and plays the menu only',
        path: ANNOUNCING,
        event: key('5'),
        commands: [clearMenu, stopPrompt, CALL_OR_DECLINE],
        state: { phase: 'announcing', playing: true },
      },
      {
        name: 'the end of a replayed menu arms the menu timer again',
        path: [...MENU, key('7')],
        event: finished,
        commands: [setMenu(S1.menuTimeoutSeconds)],
        state: { phase: 'announcing', playing: false },
      },
      {
        name: 'other keys do not use up the menu timeouts',
        path: [...MENU, ...[...'3456789'].flatMap((d) => [key(d), finished])],
        event: menuTimeout,
        commands: [CALL_OR_DECLINE],
        state: { phase: 'announcing', replays: 1 },
      },
      {
        name: 'the first menu timeout replays "1 call, 2 decline"',
        path: MENU,
        event: menuTimeout,
        commands: [CALL_OR_DECLINE],
        state: { phase: 'announcing', playing: true, replays: 1 },
      },
      {
        name: 'the second menu timeout replays it again',
        path: [...MENU, menuTimeout, finished],
        event: menuTimeout,
        commands: [CALL_OR_DECLINE],
        state: { phase: 'announcing', playing: true, replays: 2 },
      },
      {
        name: 'the third menu timeout declines (not missed)',
        path: [...MENU, menuTimeout, finished, menuTimeout, finished],
        event: menuTimeout,
        commands: [clearMenu, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'a menu timeout while keys may have been lost (event socket down) asks again without using up a replay',
        path: [...MENU, menuTimeout, finished, menuTimeout, finished],
        event: { type: 'menu-timeout', keysMayBeLost: true },
        commands: [CALL_OR_DECLINE],
        state: { phase: 'announcing', playing: true, replays: 2 },
      },
      {
        name: 'after such a repeat, the next silent menu declines as before',
        path: [...MENU, menuTimeout, finished, menuTimeout, finished, { type: 'menu-timeout', keysMayBeLost: true }, finished],
        event: menuTimeout,
        commands: [clearMenu, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: '1 after two replays still calls',
        path: [...MENU, menuTimeout, finished, menuTimeout, finished],
        event: key('1'),
        commands: [clearMenu, createTicket, CONNECTING, dial(1)],
        state: { phase: 'dialing-customer', attempts: 1, ticket: true },
      },
      {
        name: 'the agent hanging up during the announcement declines (not missed)',
        path: ANNOUNCING,
        event: agentHangup,
        commands: [clearMenu, stopPrompt, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the agent hanging up at the menu declines (not missed)',
        path: MENU,
        event: agentHangup,
        commands: [clearMenu, hangupAgent, returnToQueue(false)],
        state: { phase: 'ended', playing: false },
      },
    ]);
    table([
      {
        name: 'the agent logged out during the announcement: it stops, the agent is hung up, the slot goes back',
        path: ANNOUNCING,
        event: withdrawn,
        commands: [clearMenu, stopPrompt, hangupAgent, { type: 'return-to-queue', missed: false, cause: 'agent logged out' }],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the agent logged out in the menu (nothing playing): hung up, the slot goes back',
        path: MENU,
        event: withdrawn,
        commands: [clearMenu, hangupAgent, { type: 'return-to-queue', missed: false, cause: 'agent logged out' }],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      { name: 'a second answer is ignored', path: ANNOUNCING, events: [agentAnswered] },
      { name: 'agent-unreached after the answer is ignored', path: MENU, events: [agentUnreached] },
      { name: 'prompt-finished with nothing playing is ignored', path: MENU, events: [finished] },
      {
        name: 'customer events and retry-due while announcing are ignored',
        path: ANNOUNCING,
        events: [customerAnswered, unreached('busy'), customerHangup, retryDue],
      },
    ]);
  });

  describe('dialling the customer', () => {
    table([
      {
        name: 'the end of "connecting" changes nothing else',
        path: DIALING,
        event: finished,
        commands: [],
        state: { phase: 'dialing-customer', playing: false, attempts: 1 },
      },
      {
        name: 'the customer answering bridges them',
        path: DIALING_QUIET,
        event: customerAnswered,
        commands: [bridge],
        state: { phase: 'connected', playing: false, attempts: 1, ticket: true },
      },
      {
        name: 'the customer answering during "connecting" stops it and bridges',
        path: DIALING,
        event: customerAnswered,
        commands: [stopPrompt, bridge],
        state: { phase: 'connected', playing: false },
      },
      {
        name: 'maxAttempts 1: the customer unreached comments on the ticket and tells the agent',
        path: DIALING_QUIET,
        event: unreached('busy'),
        commands: [comment('callback attempted, not answered (busy, 1 attempt)'), NO_ANSWER],
        state: { phase: 'telling-agent', playing: true, attempts: 1, lastCause: 'busy' },
      },
      {
        name: 'maxAttempts 1: the customer unreached during "connecting" stops it first',
        path: DIALING,
        event: unreached('congestion'),
        commands: [stopPrompt, comment('callback attempted, not answered (congestion, 1 attempt)'), NO_ANSWER],
        state: { phase: 'telling-agent', playing: true, lastCause: 'congestion' },
      },
      {
        name: 'maxAttempts 2: the first unreached arms the retry timer',
        path: DIALING_QUIET,
        settings: S2,
        event: unreached('no answer'),
        commands: [setRetry(S2.retryDelaySeconds)],
        state: { phase: 'dialing-customer', attempts: 1, lastCause: 'no answer' },
      },
      {
        name: 'maxAttempts 2: the retry dials attempt 2',
        path: RETRY_WAIT,
        settings: S2,
        event: retryDue,
        commands: [dial(2)],
        state: { phase: 'dialing-customer', attempts: 2 },
      },
      {
        name: 'maxAttempts 2: the second unreached comments with "2 attempts" and tells the agent',
        path: SECOND_DIAL,
        settings: S2,
        event: unreached('busy'),
        commands: [comment('callback attempted, not answered (busy, 2 attempts)'), NO_ANSWER],
        state: { phase: 'telling-agent', playing: true, attempts: 2, lastCause: 'busy' },
      },
      {
        name: 'maxAttempts 2: the customer answering the second attempt bridges',
        path: SECOND_DIAL,
        settings: S2,
        event: customerAnswered,
        commands: [bridge],
        state: { phase: 'connected', attempts: 2 },
      },
      {
        name: 'the agent hanging up while the customer is dialled cancels: customer hung up, comment, finish unanswered',
        path: DIALING_QUIET,
        event: agentHangup,
        commands: [hangupCustomer, CANCELLED_COMMENT, finishUnanswered(CANCELLED_DETAIL)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the agent hanging up during "connecting" cancels the same way',
        path: DIALING,
        event: agentHangup,
        commands: [hangupCustomer, CANCELLED_COMMENT, finishUnanswered(CANCELLED_DETAIL)],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the agent hanging up while waiting for the retry cancels the same way',
        path: RETRY_WAIT,
        settings: S2,
        event: agentHangup,
        commands: [hangupCustomer, CANCELLED_COMMENT, finishUnanswered(CANCELLED_DETAIL)],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      { name: 'keys and menu timeouts while dialling are ignored', path: DIALING, events: [...keys('0123456789*#'), menuTimeout] },
      { name: 'agent answer/unreached while dialling are ignored', path: DIALING_QUIET, events: [agentAnswered, agentUnreached] },
      { name: 'a customer hangup before the answer is ignored (unreached reports it)', path: DIALING_QUIET, events: [customerHangup] },
      { name: 'a logout after Call does not stop the dial (the call goes on)', path: DIALING, events: [withdrawn] },
    ]);
  });

  describe('connected', () => {
    table([
      {
        name: 'the agent hanging up hangs up the customer and finishes done',
        path: CONNECTED,
        event: agentHangup,
        commands: [hangupCustomer, finishDone],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'the customer hanging up hangs up the agent and finishes done',
        path: CONNECTED,
        event: customerHangup,
        commands: [hangupAgent, finishDone],
        state: { phase: 'ended', playing: false },
      },
      {
        name: 'a refused bridge hangs up both, notes a manual call-back on the ticket and finishes done with the cause',
        path: CONNECTED,
        event: bridgeFailed,
        commands: [
          hangupCustomer,
          hangupAgent,
          {
            type: 'add-ticket-comment',
            body: 'the customer answered but could not be connected to the agent (bridge refused); please call them back',
          },
          { type: 'finish', outcome: 'done', detail: 'bridge failed: bridge refused' },
        ],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      {
        name: 'everything but a hangup is ignored while connected',
        path: CONNECTED,
        events: [
          agentAnswered,
          agentUnreached,
          finished,
          ...keys('0123456789*#'),
          menuTimeout,
          customerAnswered,
          unreached('busy'),
          retryDue,
          withdrawn,
        ],
      },
    ]);
  });

  describe('telling the agent the customer did not answer', () => {
    table([
      {
        name: 'the end of the prompt hangs up the agent and finishes unanswered with the cause',
        path: TELLING,
        event: finished,
        commands: [hangupAgent, finishUnanswered('busy')],
        state: { phase: 'ended', playing: false, lastCause: 'busy' },
      },
      {
        name: 'after two attempts the detail is the last cause',
        path: TELLING_2,
        settings: S2,
        event: finished,
        commands: [hangupAgent, finishUnanswered('busy')],
        state: { phase: 'ended', playing: false, attempts: 2 },
      },
      {
        name: 'the agent hanging up during the prompt finishes unanswered (no hangup needed)',
        path: TELLING,
        event: agentHangup,
        commands: [finishUnanswered('busy')],
        state: { phase: 'ended', playing: false },
      },
    ]);
    ignored([
      {
        name: 'keys, timers and customer events during the prompt are ignored',
        path: TELLING,
        events: [
          agentAnswered,
          agentUnreached,
          ...keys('0123456789*#'),
          menuTimeout,
          customerAnswered,
          unreached('busy'),
          retryDue,
          customerHangup,
        ],
      },
    ]);
  });

  describe('after the execution ended', () => {
    ignored([
      { name: 'events after ended do nothing (agent unreached)', path: [agentUnreached], events: EVERY_EVENT },
      { name: 'events after ended do nothing (declined)', path: [...MENU, key('2')], events: EVERY_EVENT },
      { name: 'events after ended do nothing (connected call over)', path: [...CONNECTED, customerHangup], events: EVERY_EVENT },
      { name: 'events after ended do nothing (unanswered)', path: [...TELLING, finished], events: EVERY_EVENT },
      {
        name: 'events after ended do nothing (cancelled while waiting for the retry)',
        path: [...RETRY_WAIT, agentHangup],
        settings: S2,
        events: EVERY_EVENT,
      },
    ]);
  });

  describe('ending exactly once', () => {
    // Every phase, possibly by several routes. Record<CallbackPhase, …> makes the compiler insist on all.
    const EVERY_PHASE: Record<CallbackPhase, From[]> = {
      'ringing-agent': [{ path: RINGING }],
      announcing: [{ path: ANNOUNCING }, { path: MENU }, { path: [...MENU, menuTimeout] }],
      'dialing-customer': [
        { path: DIALING },
        { path: DIALING_QUIET },
        { path: RETRY_WAIT, settings: S2 },
        { path: SECOND_DIAL, settings: S2 },
      ],
      connected: [{ path: CONNECTED }, { path: [...SECOND_DIAL, customerAnswered], settings: S2 }],
      'telling-agent': [{ path: TELLING }, { path: TELLING_2, settings: S2 }],
      ended: [{ path: [...CONNECTED, agentHangup] }, { path: [agentUnreached] }],
    };

    it('in every phase an agent hangup ends the execution with exactly one finish or return-to-queue', () => {
      for (const phase of Object.keys(EVERY_PHASE) as CallbackPhase[]) {
        for (const route of EVERY_PHASE[phase]) {
          const label = `${phase} via ${route.path.map((e) => e.type).join(',')}`;
          const before = reach(route);
          expect(before.phase, label).to.equal(phase);
          const out = transitionCallback(before, agentHangup, route.settings ?? S1, INFO);
          expect(out.state.phase, label).to.equal('ended');
          expect(out.state.playing, label).to.equal(false);
          // Already ended: the earlier ending was the one.
          expect(out.commands.filter(isTerminal), label).to.have.length(phase === 'ended' ? 0 : 1);
        }
      }
    });

    interface Whole {
      name: string;
      events: CallbackEvent[];
      settings?: CallbackSettings;
      terminal: CallbackCommand;
      phases: CallbackPhase[];
    }
    // Hangup notifications that typically trail an ending (the machine's own hangups coming back).
    const TRAILING = [agentHangup, customerHangup, finished, agentUnreached, unreached('normal clearing'), retryDue];
    const WHOLE: Whole[] = [
      {
        name: 'called back, agent hangs up',
        events: [...CONNECTED, agentHangup],
        terminal: finishDone,
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'connected', 'ended'],
      },
      {
        name: 'called back, customer hangs up',
        events: [...CONNECTED, customerHangup],
        terminal: finishDone,
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'connected', 'ended'],
      },
      {
        name: 'called back on the second attempt',
        events: [...SECOND_DIAL, customerAnswered, customerHangup],
        settings: S2,
        terminal: finishDone,
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'connected', 'ended'],
      },
      {
        name: 'declined with 2',
        events: [...MENU, key('2')],
        terminal: returnToQueue(false),
        phases: ['ringing-agent', 'announcing', 'ended'],
      },
      {
        name: 'agent does not answer',
        events: [agentUnreached],
        terminal: returnToQueue(true),
        phases: ['ringing-agent', 'ended'],
      },
      {
        name: 'agent never chooses (three menu timeouts)',
        events: [...MENU, menuTimeout, finished, menuTimeout, finished, menuTimeout],
        terminal: returnToQueue(false),
        phases: ['ringing-agent', 'announcing', 'ended'],
      },
      {
        name: 'customer unreached, agent told',
        events: [...TELLING, finished],
        terminal: finishUnanswered('busy'),
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'telling-agent', 'ended'],
      },
      {
        name: 'customer unreached twice, agent hangs up during the news',
        events: [...TELLING_2, agentHangup],
        settings: S2,
        terminal: finishUnanswered('busy'),
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'telling-agent', 'ended'],
      },
      {
        name: 'agent hangs up while the customer is dialled',
        events: [...DIALING, agentHangup],
        terminal: finishUnanswered(CANCELLED_DETAIL),
        phases: ['ringing-agent', 'announcing', 'dialing-customer', 'ended'],
      },
    ];

    for (const w of WHOLE) {
      it(`whole path "${w.name}" ends once, with ${JSON.stringify(w.terminal)}`, () => {
        let state = initialCallbackState();
        const seen: CallbackPhase[] = [state.phase];
        const all: CallbackCommand[] = [];
        let endedAt = -1;
        const events = [...w.events, ...TRAILING];
        events.forEach((event, i) => {
          const snapshot = JSON.stringify(state);
          const out = transitionCallback(state, event, w.settings ?? S1, INFO);
          expect(JSON.stringify(state), `event ${i} must not change its input`).to.equal(snapshot);
          if (state.phase === 'ended') expect(out.commands, `event ${i} after the end`).to.deep.equal([]);
          if (endedAt < 0 && out.state.phase === 'ended') endedAt = i;
          state = out.state;
          all.push(...out.commands);
          if (seen[seen.length - 1] !== state.phase) seen.push(state.phase);
        });
        expect(endedAt, 'ends with the last event of the path').to.equal(w.events.length - 1);
        expect(state.phase).to.equal('ended');
        expect(state.playing).to.equal(false);
        expect(all.filter(isTerminal)).to.deep.equal([w.terminal]);
        expect(seen).to.deep.equal(w.phases);
      });
    }
  });
});

describe('callback machine: retries never exceed maxAttempts', () => {
  const S2 = { menuTimeoutSeconds: 5, maxAttempts: 2, retryDelaySeconds: 30 };
  const info = { number: '+4930123456', waitedMinutes: 3 };
  const run = (events: Parameters<typeof transitionCallback>[1][]) => {
    let state = initialCallbackState();
    const all: unknown[] = [];
    for (const e of events) {
      const t = transitionCallback(state, e, S2, info);
      state = t.state;
      all.push(...t.commands);
    }
    return { state, commands: all as Array<{ type: string; attempt?: number }> };
  };
  const accepted = [{ type: 'agent-answered' }, { type: 'prompt-finished' }, { type: 'dtmf', digit: '1' }] as const;

  it('a retry-due while the first attempt still rings does not dial again', () => {
    const { state, commands } = run([...accepted, { type: 'retry-due' }]);
    expect(commands.filter((c) => c.type === 'dial-customer')).to.have.length(1);
    expect(state.attempts).to.equal(1);
  });

  it('a second "unreached" during the retry wait does not arm a second retry', () => {
    const { commands } = run([
      ...accepted,
      { type: 'customer-unreached', cause: 'busy' },
      { type: 'customer-unreached', cause: 'busy' },
      { type: 'retry-due' },
      { type: 'retry-due' },
    ]);
    expect(commands.filter((c) => c.type === 'set-retry-timer')).to.have.length(1);
    expect(commands.filter((c) => c.type === 'dial-customer').map((c) => c.attempt)).to.deep.equal([1, 2]);
  });
});

describe('callback announcement: one minute', () => {
  it('says "one minute" (German: "einer Minute") instead of "1 minutes"', () => {
    const ids = announcement('+4930123456', 1.4).map((p) => (p.kind === 'prompt' ? p.id : p.which));
    expect(ids.slice(-3)).to.deep.equal(['agent-waiting', 'agent-one-minute', 'agent-call-or-decline']);
  });
});
