// Agent availability as the daemon keeps it: misses, wrap-up, endpoints going offline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AgentService } from '../../../src/app/agent-service';
import { silentLogger } from '../../../src/log';
import { openStore, type SqliteStore } from '../../../src/store/sqlite-store';

describe('agent service', () => {
  let dir: string;
  let store: SqliteStore;
  let now = 1_000_000;
  const clock = { now: () => now };
  let changes = 0;
  let agents: AgentService;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-agents-'));
    store = openStore(path.join(dir, 'db.sqlite'));
    store.queues.upsert({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
    store.agents.add({ id: '1001', name: 'One', endpoint: 'PJSIP/1001', queues: ['support'] }, now);
    agents = new AgentService(store, clock, { wrapUpSeconds: 0, maxMissed: 2 }, silentLogger());
    changes = 0;
    agents.subscribe(() => changes++);
    agents.login(store.agents.get('1001')!);
  });
  afterEach(() => {
    agents.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a phone that goes offline leaves the rotation and comes back when online again', () => {
    agents.endpointState('PJSIP/1001', 'offline');
    expect(store.agents.get('1001')!.online).to.equal(false);
    const before = changes;
    agents.endpointState('PJSIP/1001', 'online');
    expect(store.agents.get('1001')!.online).to.equal(true);
    expect(changes, 'the dispatcher is nudged').to.equal(before + 1);
  });

  it('endpoints of non-agents are ignored', () => {
    agents.endpointState('PJSIP/loop', 'offline');
    expect(store.agents.get('1001')!.online).to.equal(true);
  });

  it('misses in a row up to agents.maxMissed log the agent out', () => {
    agents.missed('1001');
    expect(store.agents.get('1001')).to.include({ state: 'available', missed: 1 });
    agents.missed('1001');
    expect(store.agents.get('1001')).to.include({ state: 'logged-out', missed: 2 });
  });

  it('an answered call resets the miss count', () => {
    agents.missed('1001');
    agents.busy('1001');
    expect(store.agents.get('1001')).to.include({ state: 'busy', missed: 0 });
  });

  it('without wrap-up time the agent is available again right after a call, stamped idle now', () => {
    agents.busy('1001');
    now += 5000;
    agents.wrapUp('1001');
    expect(store.agents.get('1001')).to.include({ state: 'available', idleSince: now });
  });

  it('a logged-out agent is not made available by the end of a call', () => {
    agents.busy('1001');
    agents.logout(store.agents.get('1001')!, 'end of shift');
    agents.wrapUp('1001');
    expect(store.agents.get('1001')!.state).to.equal('logged-out');
  });

  it('a call ending while the daemon stops leaves no wrap-up timer behind to touch the closed store', async () => {
    const slow = new AgentService(store, clock, { wrapUpSeconds: 0.05, maxMissed: 2 }, silentLogger());
    slow.busy('1001');
    slow.wrapUp('1001'); // timer armed…
    slow.stop(); // …and cleared
    slow.wrapUp('1001'); // a handler finishing during shutdown: no new timer
    store.close();
    await new Promise((r) => setTimeout(r, 120)); // an armed timer would now throw "connection is not open"
    store = openStore(path.join(dir, 'db.sqlite'));
    expect(store.agents.get('1001')!.state, 'recovered at the next start by recover()').to.equal('wrap-up');
  });
});
