// `callbackd queues` and `callbackd agents`: argument checks and the commands on a temp database.
import { expect } from 'chai';
import { checkLogin, checkRemove, parseAgentAdd } from '../../../src/cli/agents';
import { parseOverflow, parseQueueAdd, parseQueueSet } from '../../../src/cli/queues';
import type { Agent } from '../../../src/domain/model';
import { fixedClock, makeCliEnv, type CliEnv } from './cli-env';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

const agent = (state: Agent['state']): Agent => ({
  id: 'alice',
  name: 'Alice',
  endpoint: 'PJSIP/1001',
  queues: ['support'],
  state,
  stateSince: 0,
  idleSince: null,
  missed: 0,
  online: true,
});

describe('cli/queues argument checks', () => {
  it('defaults to no max wait, hangup overflow and the default music class', () => {
    expect(parseQueueAdd('support', {})).to.deep.equal({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  });

  it('accepts hangup or a dialplan target as overflow and refuses anything else', () => {
    expect(parseOverflow('context:overflow,s,1')).to.equal('context:overflow,s,1');
    expect(codeOf(() => parseOverflow('voicemail'))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseOverflow('context:a,b'))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('sets and clears the max wait, refusing negative values and empty changes', () => {
    const q = parseQueueAdd('support', { maxWait: '600' });
    expect(q.maxWaitSeconds).to.equal(600);
    expect(parseQueueSet(q, { maxWait: false }).maxWaitSeconds).to.equal(null);
    expect(codeOf(() => parseQueueAdd('support', { maxWait: '-5' }))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseQueueSet(q, {}))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it("bounds --max-wait to whole seconds from 0 to 86400 (a day), so the daemon's timer cannot overflow", () => {
    expect(parseQueueAdd('support', { maxWait: '86400' }).maxWaitSeconds).to.equal(86_400);
    expect(parseQueueAdd('support', { maxWait: '0' }).maxWaitSeconds).to.equal(0);
    const q = parseQueueAdd('support', {});
    for (const bad of ['1e23', '3000000', '86401', '-5', '1.5']) {
      expect(
        codeOf(() => parseQueueAdd('support', { maxWait: bad })),
        bad,
      ).to.equal('CLI_INVALID_ARGUMENT');
      expect(
        codeOf(() => parseQueueSet(q, { maxWait: bad })),
        bad,
      ).to.equal('CLI_INVALID_ARGUMENT');
    }
  });
});

describe('cli/agents argument checks', () => {
  it('parses queues as a de-duplicated comma list and defaults the name to the id', () => {
    expect(parseAgentAdd('alice', { endpoint: 'PJSIP/1001', queues: 'support, sales,support' })).to.deep.equal({
      id: 'alice',
      name: 'alice',
      endpoint: 'PJSIP/1001',
      queues: ['support', 'sales'],
    });
  });

  it('needs an endpoint dial string and at least one queue', () => {
    expect(codeOf(() => parseAgentAdd('alice', { queues: 'support' }))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseAgentAdd('alice', { endpoint: '1001', queues: 'support' }))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseAgentAdd('alice', { endpoint: 'PJSIP/1001', queues: ' , ' }))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('refuses endpoints other than a single PJSIP/<endpoint>, naming the rule', () => {
    for (const endpoint of ['PJSIP/1001&PJSIP/1002', 'Local/1001@agents', 'SIP/1001', 'PJSIP/x@host']) {
      expect(() => parseAgentAdd('alice', { endpoint, queues: 'support' }), endpoint).to.throw(/single dial string PJSIP\/<endpoint>/);
    }
  });

  it('logs in only a logged-out agent and never removes one on a call', () => {
    expect(checkLogin(agent('logged-out'))).to.equal('login');
    expect(checkLogin(agent('available'))).to.equal('already');
    expect(codeOf(() => checkLogin(agent('busy')))).to.equal('CLI_CONFLICT');
    expect(codeOf(() => checkRemove(agent('ringing')))).to.equal('CLI_CONFLICT');
    expect(codeOf(() => checkRemove(agent('wrap-up')))).to.equal('no error');
  });
});

describe('cli/queues and agents commands', () => {
  let env: CliEnv;
  beforeEach(() => {
    env = makeCliEnv();
  });
  afterEach(() => env.cleanup());

  it('adds, changes and lists queues', async () => {
    await env.run(['queues', 'add', 'support', '--max-wait', '1800']);
    expect((await env.fail(['queues', 'add', 'support'])).code).to.equal('CLI_ALREADY_EXISTS');
    await env.run(['queues', 'set', 'support', '--overflow', 'context:overflow,s,1', '--moh', 'jazz']);
    expect(JSON.parse(await env.run(['queues', 'list', '--json']))).to.deep.equal([
      { name: 'support', maxWaitSeconds: 1800, overflow: 'context:overflow,s,1', mohClass: 'jazz' },
    ]);
    expect(await env.run(['queues', 'list'])).to.match(/support\s+30m 00s\s+context:overflow,s,1\s+jazz/);
    expect((await env.fail(['queues', 'set', 'sales', '--moh', 'x'])).code).to.equal('CLI_NOT_FOUND');
  });

  it('queues add --max-wait 1e23 is refused with the accepted range and nothing is stored', async () => {
    const err = await env.fail(['queues', 'add', 'support', '--max-wait', '1e23']);
    expect(err.message).to.equal("--max-wait must be a whole number of seconds from 0 to 86400, got '1e23'");
    await env.run(['queues', 'add', 'support', '--max-wait', '600']);
    expect((await env.fail(['queues', 'set', 'support', '--max-wait', '3000000'])).code).to.equal('CLI_INVALID_ARGUMENT');
    expect(env.store().queues.get('support')?.maxWaitSeconds).to.equal(600);
  });

  it('adds an agent logged out, logs them in and out with the clock time, and removes them', async () => {
    const clock = fixedClock(1_700_000_000_000);
    await env.run(['queues', 'add', 'support']);
    await env.run(['agents', 'add', 'alice', '--name', 'Alice A', '--endpoint', 'PJSIP/1001', '--queues', 'support'], clock);
    expect(env.store().agents.get('alice')).to.include({ state: 'logged-out' });

    clock.set(1_700_000_060_000);
    expect(await env.run(['agents', 'login', 'alice'], clock)).to.match(/logged in/);
    const listed = JSON.parse(await env.run(['agents', 'list', '--json']));
    expect(listed[0]).to.include({
      id: 'alice',
      name: 'Alice A',
      state: 'available',
      stateSince: new Date(1_700_000_060_000).toISOString(),
    });
    expect(await env.run(['agents', 'login', 'alice'], clock)).to.match(/already available/);

    expect(await env.run(['agents', 'logout', 'alice'], clock)).to.match(/logged out/);
    expect(env.store().agents.get('alice')).to.include({ state: 'logged-out' });
    await env.run(['agents', 'remove', 'alice']);
    expect((await env.fail(['agents', 'login', 'alice'])).code).to.equal('CLI_NOT_FOUND');
  });

  it('agents login after an auto-logout resets the miss streak exactly like *45 from the phone', async () => {
    await env.run(['queues', 'add', 'support']);
    await env.run(['agents', 'add', 'alice', '--endpoint', 'PJSIP/1001', '--queues', 'support']);
    // Logged out by the daemon after 3 missed calls in a row (agents.maxMissed = 3).
    env.store().agents.setState('alice', 'logged-out', 1_700_000_000_000, 3);
    await env.run(['agents', 'login', 'alice']);
    expect(env.store().agents.get('alice')).to.include({ state: 'available', missed: 0 });
    // One more miss is one, not the fourth in a row: the agent stays logged in.
    const after = env.store().agents.apply('alice', { type: 'missed' }, 1_700_000_100_000, { maxMissed: 3, wrapUpSeconds: 10 });
    expect(after?.agent).to.include({ state: 'available', missed: 1 });
  });

  it('refuses an agent for an unknown queue or with a phone another agent has', async () => {
    await env.run(['queues', 'add', 'support']);
    expect((await env.fail(['agents', 'add', 'bob', '--endpoint', 'PJSIP/1002', '--queues', 'support,sales'])).code).to.equal(
      'CLI_NOT_FOUND',
    );
    await env.run(['agents', 'add', 'alice', '--endpoint', 'PJSIP/1001', '--queues', 'support']);
    expect((await env.fail(['agents', 'add', 'bob', '--endpoint', 'PJSIP/1001', '--queues', 'support'])).message).to.match(
      /belongs to agent alice/,
    );
  });

  it('refuses a multi-phone dial string on the command line with one line naming the rule, and stores nothing', async () => {
    await env.run(['queues', 'add', 'support']);
    const err = await env.fail(['agents', 'add', 'alice', '--endpoint', 'PJSIP/1001&PJSIP/1002', '--queues', 'support']);
    expect(err.code).to.equal('CLI_INVALID_ARGUMENT');
    expect(err.message).to.not.include('\n');
    expect(err.message).to.match(/^endpoint 'PJSIP\/1001&PJSIP\/1002' is not allowed: use a single dial string PJSIP\/<endpoint>/);
    expect(env.store().agents.get('alice')).to.equal(undefined);
  });

  it('treats pjsip/1001 and PJSIP/1001 as the same phone', async () => {
    await env.run(['queues', 'add', 'support']);
    await env.run(['agents', 'add', 'alice', '--endpoint', 'pjsip/1001', '--queues', 'support']);
    expect(env.store().agents.get('alice')).to.include({ endpoint: 'PJSIP/1001' });
    expect((await env.fail(['agents', 'add', 'bob', '--endpoint', 'PJSIP/1001', '--queues', 'support'])).message).to.match(
      /belongs to agent alice/,
    );
  });
});
