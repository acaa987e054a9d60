import { expect } from 'chai';
import type { StoreChange } from '../../../../src/app/ports';
import { RULES, T0, join, seed } from './port-scenario';
import { usePostgres } from './pg-fixture';

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe('store/postgres: change feed (LISTEN/NOTIFY)', () => {
  const fx = usePostgres();

  it('tells one node what another changed, by topic, and not what it changed itself', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const daemon = await fx.open(db);
    const cli = await fx.open(db);
    const seen: StoreChange[] = [];
    daemon.changes.subscribe((c) => seen.push(c));
    await daemon.changesReady();
    expect(seen, 'the first LISTEN says it may have missed something').to.deep.equal([{ topic: 'unknown' }]);
    seen.length = 0;

    await seed(daemon); // its own writes: not reported to itself
    await join(daemon, 'own', T0);
    await cli.agents.apply('alice', { type: 'login' }, T0, RULES);
    await cli.admin.setSetting('k', 'v');
    await join(cli, 'e1', T0 + 1);
    await until(() => seen.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).to.deep.equal([{ topic: 'agents' }, { topic: 'directory' }, { topic: 'entries' }]);
  });

  it('announces nothing for a transition that was refused and rolled back', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const daemon = await fx.open(db);
    const cli = await fx.open(db);
    await seed(cli);
    const seen: StoreChange[] = [];
    daemon.changes.subscribe((c) => seen.push(c));
    await daemon.changesReady();
    seen.length = 0; // the LISTEN's own 'unknown'
    // Not pending: the cancel is refused and nothing is written.
    await join(daemon, 'w', T0);
    expect((await cli.callbacks.cancel('w', T0 + 1, 'cli')).kind).to.equal('not-found');
    await cli.admin.setSetting('marker', '1');
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).to.deep.equal([{ topic: 'directory' }]);
  });

  it('stops calling a listener once it unsubscribed', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const daemon = await fx.open(db);
    const cli = await fx.open(db);
    const seen: StoreChange[] = [];
    const stop = daemon.changes.subscribe((c) => seen.push(c));
    await daemon.changesReady();
    seen.length = 0; // the LISTEN's own 'unknown'
    await cli.admin.setSetting('a', '1');
    await until(() => seen.length >= 1);
    stop();
    await cli.admin.setSetting('b', '2');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).to.have.length(1);
  });
});
