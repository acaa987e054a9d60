import { expect } from 'chai';
import { machineTables } from './machine-table';
import {
  connectedLiveState,
  initialLiveState,
  transitionLive,
  type LiveCommand,
  type LiveEvent,
  type LiveState,
} from '../../../src/domain/agent/live-machine';

// ---- events -------------------------------------------------------------------------------------
const agentAnswered: LiveEvent = { type: 'agent-answered' };
const unreached = (cause: string): LiveEvent => ({ type: 'agent-unreached', cause });
const callerTaken: LiveEvent = { type: 'caller-taken' };
const callerUnavailable: LiveEvent = { type: 'caller-unavailable' };
const bridged: LiveEvent = { type: 'bridged' };
const bridgeFailed = (cause: string): LiveEvent => ({ type: 'bridge-failed', cause });
const agentHangup: LiveEvent = { type: 'agent-hangup' };
const callerHangup: LiveEvent = { type: 'caller-hangup' };
const withdrawn: LiveEvent = { type: 'offer-withdrawn', cause: 'agent logged out while the phone rang' };

const EVERY_EVENT: LiveEvent[] = [
  agentAnswered,
  unreached('no answer'),
  callerTaken,
  callerUnavailable,
  bridged,
  bridgeFailed('x'),
  agentHangup,
  callerHangup,
  withdrawn,
];

// ---- commands -----------------------------------------------------------------------------------
const takeCaller: LiveCommand = { type: 'take-caller' };
const bridge: LiveCommand = { type: 'bridge' };
const hangupAgent: LiveCommand = { type: 'hangup-agent' };
const hangupCaller: LiveCommand = { type: 'hangup-caller' };
const giveBack = (agent: 'missed' | 'released', cause: string): LiveCommand => ({ type: 'give-back', agent, cause });
const ended = (cause: string): LiveCommand => ({ type: 'conversation-ended', cause });

// ---- paths --------------------------------------------------------------------------------------
const RINGING: LiveEvent[] = [];
const TAKING = [agentAnswered];
const BRIDGING = [...TAKING, callerTaken];
const CONNECTED = [...BRIDGING, bridged];

interface From {
  path: LiveEvent[];
  /** Start from a conversation re-adopted after a restart. */
  resumed?: boolean;
}

function reach({ path, resumed }: From): LiveState {
  let state = resumed ? connectedLiveState() : initialLiveState();
  for (const event of path) state = transitionLive(state, event).state;
  return state;
}

const { table, ignored } = machineTables<From, LiveState, LiveEvent, LiveCommand>({
  reach,
  step: (state, event) => transitionLive(state, event),
});

describe('live delivery machine', () => {
  it('starts ringing the agent; a re-adopted conversation starts connected', () => {
    expect(initialLiveState()).to.deep.equal({ phase: 'ringing-agent' });
    expect(connectedLiveState()).to.deep.equal({ phase: 'connected' });
  });

  describe('the agent rings', () => {
    table([
      {
        name: 'the agent answers: the caller is taken out of the menus',
        path: RINGING,
        event: agentAnswered,
        commands: [takeCaller],
        state: { phase: 'taking-caller' },
      },
      {
        name: 'the agent does not answer: a miss, the caller keeps the place',
        path: RINGING,
        event: unreached('no answer'),
        commands: [giveBack('missed', 'agent did not answer: no answer')],
        state: { phase: 'ended' },
      },
      {
        name: 'the agent is logged out while the phone rings: stop ringing, the caller keeps the place, no miss',
        path: RINGING,
        event: withdrawn,
        commands: [hangupAgent, giveBack('released', 'agent logged out while the phone rang')],
        state: { phase: 'ended' },
      },
      {
        name: 'the caller hangs up while the agent rings: stop ringing, no blame',
        path: RINGING,
        event: callerHangup,
        commands: [hangupAgent, giveBack('released', 'caller left while the agent rang')],
        state: { phase: 'ended' },
      },
      {
        name: 'the caller became unavailable while the agent rang: the same',
        path: RINGING,
        event: callerUnavailable,
        commands: [hangupAgent, giveBack('released', 'caller left while the agent rang')],
        state: { phase: 'ended' },
      },
    ]);
    ignored([
      {
        name: 'events of later phases mean nothing while ringing',
        path: RINGING,
        events: [callerTaken, bridged, bridgeFailed('x'), agentHangup],
      },
    ]);
  });

  describe('the agent answered, the caller is being taken', () => {
    table([
      { name: 'the caller is ours: bridge them', path: TAKING, event: callerTaken, commands: [bridge], state: { phase: 'bridging' } },
      {
        name: 'the caller just turned into a callback (or is gone): the agent is hung up and released',
        path: TAKING,
        event: callerUnavailable,
        commands: [hangupAgent, giveBack('released', 'caller no longer available when the agent answered')],
        state: { phase: 'ended' },
      },
      {
        name: 'the caller hangs up at that moment: the same',
        path: TAKING,
        event: callerHangup,
        commands: [hangupAgent, giveBack('released', 'caller no longer available when the agent answered')],
        state: { phase: 'ended' },
      },
      {
        name: 'the agent hangs up at that moment: the caller cannot go on without them',
        path: TAKING,
        event: agentHangup,
        commands: [hangupCaller, giveBack('released', 'agent hung up while the caller was being connected')],
        state: { phase: 'ended' },
      },
    ]);
    ignored([
      {
        name: 'a second answer, a late ring-out or a logout once answered is ignored',
        path: TAKING,
        events: [agentAnswered, unreached('x'), bridged, withdrawn],
      },
    ]);
  });

  describe('bridging and talking', () => {
    for (const [phase, path, resumed] of [
      ['bridging', BRIDGING, false],
      ['connected', CONNECTED, false],
      ['connected after a restart', [], true],
    ] as const) {
      table([
        {
          name: `${phase}: the agent hangs up — the caller is hung up, the agent goes to wrap-up`,
          path: [...path],
          resumed,
          event: agentHangup,
          commands: [hangupCaller, ended('agent hung up')],
          state: { phase: 'ended' },
        },
        {
          name: `${phase}: the caller hangs up — the agent is hung up and goes to wrap-up`,
          path: [...path],
          resumed,
          event: callerHangup,
          commands: [hangupAgent, ended('caller hung up')],
          state: { phase: 'ended' },
        },
        {
          name: `${phase}: the bridge fails — both hung up, the conversation ended with the cause`,
          path: [...path],
          resumed,
          event: bridgeFailed('no such bridge'),
          commands: [hangupCaller, hangupAgent, ended('bridge failed: no such bridge')],
          state: { phase: 'ended' },
        },
      ]);
    }
    table([{ name: 'bridged: they talk', path: BRIDGING, event: bridged, commands: [], state: { phase: 'connected' } }]);
    ignored([
      {
        name: 'talking: answers, takes, ring-outs and a logout (the call goes on) mean nothing',
        path: CONNECTED,
        events: [agentAnswered, callerTaken, unreached('x'), bridged, withdrawn],
      },
    ]);
  });

  describe('after the delivery ended', () => {
    ignored([
      { name: 'nothing happens after a miss', path: [unreached('busy')], events: EVERY_EVENT },
      { name: 'nothing happens after the conversation', path: [...CONNECTED, callerHangup], events: EVERY_EVENT },
    ]);
  });

  it('every path ends exactly once: one give-back or one conversation-ended, never both', () => {
    const closing = (c: LiveCommand) => c.type === 'give-back' || c.type === 'conversation-ended';
    const walk = (state: LiveState, depth: number): number[] => {
      if (state.phase === 'ended' || depth === 0) return [0];
      return EVERY_EVENT.flatMap((event) => {
        const { state: next, commands } = transitionLive(state, event);
        const here = commands.filter(closing).length;
        return walk(next, depth - 1).map((n) => n + here);
      });
    };
    const totals = walk(initialLiveState(), 5);
    expect(Math.max(...totals)).to.equal(1);
  });
});
