// The daemon's watch for changes made by another process (the admin CLI logging an agent in): every
// commit of another connection is noticed, also one made before the watch's first look.
import { expect } from 'chai';
import { createAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

describe('store: changes by another process', () => {
  let tmp: TmpDir;
  const closers: Array<() => unknown> = [];
  beforeEach(() => (tmp = makeTmpDir()));
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    tmp.cleanup();
  });

  function world() {
    const daemon = openStore(tmp.file());
    const app = createAppStore(daemon, { lockDeadlineMs: 1000, watchIntervalMs: 20 });
    closers.push(() => app.close());
    const cli = openStore(tmp.file());
    closers.push(() => cli.close());
    cli.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    cli.agents.add({ id: 'alice', name: 'Alice', endpoint: 'PJSIP/alice', queues: ['support'] }, 1000);
    return { app, cli };
  }
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const login = (cli: ReturnType<typeof world>['cli']) =>
    cli.agents.apply('alice', { type: 'login' }, 2000, { maxMissed: 3, wrapUpSeconds: 0 });

  it('a login committed right after the watch started (before its first look) is noticed', async () => {
    const { app, cli } = world();
    let changes = 0;
    const stop = app.changes.subscribe(() => changes++);
    closers.push(stop);
    login(cli);
    await tick(100);
    expect(changes).to.be.at.least(1);
  });

  it('later commits are noticed too, and the daemon’s own writes are not reported', async () => {
    const { app, cli } = world();
    let changes = 0;
    closers.push(app.changes.subscribe(() => changes++));
    await tick(60);
    await app.agents.apply('alice', { type: 'login' }, 2000, { maxMissed: 3, wrapUpSeconds: 0 });
    await tick(60);
    expect(changes, 'own write').to.equal(0);
    cli.agents.apply('alice', { type: 'logout' }, 3000, { maxMissed: 3, wrapUpSeconds: 0 });
    await tick(60);
    expect(changes).to.equal(1);
  });
});
