// `callbackd callbacks` and `callbackd tickets` against a temp database filled the way the call
// flows fill it.
import { expect } from 'chai';
import { checkCancel, parseCallbackList } from '../../../src/cli/callbacks';
import { parseTicketId, parseTicketList } from '../../../src/cli/tickets';
import { fixedClock, makeCliEnv, seedCallback, type CliEnv } from './cli-env';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('cli/callbacks and tickets argument checks', () => {
  it("turns the store's cancel refusal into a conflict carrying the store's reason, and an unknown id into not-found", () => {
    expect(codeOf(() => checkCancel('e1', { kind: 'cancelled' }))).to.equal('no error');
    const message = 'callback e1 is being dialled; it cannot be cancelled now';
    expect(codeOf(() => checkCancel('e1', { kind: 'refused', state: 'dialing', reason: 'being-dialled', message }))).to.equal(
      'CLI_CONFLICT',
    );
    expect(() => checkCancel('e1', { kind: 'refused', state: 'dialing', reason: 'being-dialled', message })).to.throw(message);
    expect(codeOf(() => checkCancel('e1', { kind: 'not-found' }))).to.equal('CLI_NOT_FOUND');
  });

  it('applies --since only together with --all', () => {
    expect(parseCallbackList({ since: '1h' }, T0)).to.deep.equal({ queue: undefined, all: false, since: undefined });
    expect(parseCallbackList({ all: true, since: '1h', queue: 'support' }, T0)).to.deep.equal({
      queue: 'support',
      all: true,
      since: T0 - 60 * MIN,
    });
    expect(codeOf(() => parseCallbackList({ all: true, since: 'soon' }, T0))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('reads ticket ids and list limits', () => {
    expect(parseTicketId('12')).to.equal(12);
    expect(codeOf(() => parseTicketId('#12'))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseTicketId('0'))).to.equal('CLI_INVALID_ARGUMENT');
    expect(parseTicketList({}, T0)).to.deep.equal({ since: undefined, limit: 50 });
    expect(parseTicketList({ since: '7d', limit: '5' }, T0)).to.deep.equal({ since: T0 - 7 * 1440 * MIN, limit: 5 });
  });
});

describe('cli/callbacks commands', () => {
  let env: CliEnv;
  const clock = fixedClock(T0);
  beforeEach(async () => {
    env = makeCliEnv();
    await env.run(['queues', 'add', 'support']);
    await env.run(['queues', 'add', 'sales']);
    const s = env.store();
    seedCallback(s, { id: 'b', enteredAt: T0 - 20 * MIN, requestedAt: T0 - 15 * MIN, number: '+491701111111' });
    seedCallback(s, { id: 'a', enteredAt: T0 - 30 * MIN, requestedAt: T0 - 10 * MIN, number: '+491702222222' });
    seedCallback(s, { id: 's', queue: 'sales', enteredAt: T0 - 5 * MIN, requestedAt: T0 - 4 * MIN, number: '+491703333333' });
    s.entries.addLive({ id: 'live', queue: 'support', did: '+4930123456', channelId: 'c', callerId: null, enteredAt: T0 - 25 * MIN });
  });
  afterEach(() => env.cleanup());

  it('lists open callbacks by queue and place, with how long they have waited', async () => {
    const rows = JSON.parse(await env.run(['callbacks', 'list', '--json'], clock));
    expect(rows.map((r: { id: string; place: number; waitedSeconds: number }) => [r.id, r.place, r.waitedSeconds])).to.deep.equal([
      ['s', 1, 240],
      ['a', 1, 600],
      ['b', 3, 900], // the live caller entered between a and b and keeps place 2
    ]);
    expect(rows[1]).to.include({
      queue: 'support',
      callbackNumber: '+491702222222',
      state: 'pending',
      requestedAt: new Date(T0 - 10 * MIN).toISOString(),
    });
    const table = await env.run(['callbacks', 'list', '--queue', 'support'], clock);
    expect(table).to.match(/^ID\s+QUEUE\s+PLACE\s+NUMBER/);
    expect(table).to.match(/\ba\s+support\s+1\s+\+491702222222\s+pending\s+\S+ \S+\s+10m 00s/);
    expect(table).not.to.match(/sales/);
  });

  it('cancels a pending callback with who did it, after which only --all lists it', async () => {
    expect(await env.run(['callbacks', 'cancel', 'a', '--by', 'alice'], clock)).to.match(/cancelled callback a/);
    expect(env.store().entries.get('a')).to.include({ state: 'cancelled' });
    expect(
      JSON.parse(await env.run(['callbacks', 'list', '--json', '--queue', 'support'], clock)).map((r: { id: string }) => r.id),
    ).to.deep.equal(['b']);
    const all = JSON.parse(await env.run(['callbacks', 'list', '--all', '--since', '1h', '--json', '--queue', 'support'], clock));
    expect(all.find((r: { id: string }) => r.id === 'a')).to.include({ state: 'cancelled', outcome: 'cancelled by alice', place: null });
    expect((await env.fail(['callbacks', 'cancel', 'a'], clock)).code).to.equal('CLI_CONFLICT');
  });

  it('refuses to cancel a callback an agent is being offered, or a live caller', async () => {
    env.store().entries.markOffered('b', 'agent-1', T0);
    expect((await env.fail(['callbacks', 'cancel', 'b'], clock)).message).to.match(
      /callback b is being offered to an agent; it cannot be cancelled now/,
    );
    expect(env.store().entries.get('b')?.state).to.equal('offered');
    expect((await env.fail(['callbacks', 'cancel', 'live'], clock)).code).to.equal('CLI_NOT_FOUND');
  });

  it('refuses to cancel a callback whose customer is being dialled, and leaves it dialling', async () => {
    env.store().entries.markOffered('b', 'agent-1', T0);
    env.store().entries.markDialing('b', { at: T0, agentId: 'agent-1', ticketId: 1 });
    const err = await env.fail(['callbacks', 'cancel', 'b'], clock);
    expect(err.code).to.equal('CLI_CONFLICT');
    expect(err.message).to.match(/callback b is being dialled; it cannot be cancelled now/);
    expect(env.store().entries.get('b')).to.include({ state: 'dialing', agentId: 'agent-1', ticketId: 1 });
  });
});

describe('cli/tickets commands', () => {
  let env: CliEnv;
  const clock = fixedClock(T0);
  beforeEach(() => {
    env = makeCliEnv();
    const s = env.store();
    const ticket = (entryId: string, createdAt: number, reason: 'callback-accepted' | 'callback-expired') =>
      s.tickets.create({
        subject: 'Callback',
        requester: '+491701111111',
        reason,
        queue: 'support',
        did: '+4930123456',
        entryId,
        agentId: null,
        waitedSeconds: 90,
        createdAt,
      });
    const t1 = ticket('e1', T0 - 3 * 1440 * MIN, 'callback-expired');
    ticket('e2', T0 - 10 * MIN, 'callback-accepted');
    s.tickets.addComment(t1.id, 'callback attempted, not answered', T0 - 3 * 1440 * MIN + MIN, true);
  });
  afterEach(() => env.cleanup());

  it('lists tickets newest first, limited to --since', async () => {
    const all = JSON.parse(await env.run(['tickets', 'list', '--json'], clock));
    expect(all.map((t: { entryId: string }) => t.entryId)).to.deep.equal(['e2', 'e1']);
    const recent = JSON.parse(await env.run(['tickets', 'list', '--since', '24h', '--json'], clock));
    expect(recent.map((t: { entryId: string }) => t.entryId)).to.deep.equal(['e2']);
    expect(await env.run(['tickets', 'list'], clock)).to.match(/Callback\s+\+491701111111\s+callback-accepted\s+support\s+-\s+1m 30s/);
  });

  it('shows a ticket with its comments', async () => {
    const id = String(JSON.parse(await env.run(['tickets', 'list', '--json']))[1].id);
    const shown = JSON.parse(await env.run(['tickets', 'show', id, '--json']));
    expect(shown).to.include({ subject: 'Callback', reason: 'callback-expired', requester: '+491701111111' });
    expect(shown.comments).to.have.length(1);
    expect(shown.comments[0]).to.include({ body: 'callback attempted, not answered', internal: true });
    const text = await env.run(['tickets', 'show', id]);
    expect(text).to.match(/^ticket:\s+#\d+ Callback/);
    expect(text).to.match(/internal\s+callback attempted, not answered/);
    expect((await env.fail(['tickets', 'show', '999'])).code).to.equal('CLI_NOT_FOUND');
  });
});
