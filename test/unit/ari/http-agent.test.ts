import http from 'node:http';
import { expect } from 'chai';
import { createAriAgent } from '../../../src/ari/http-agent';
import { withAriDeadline } from '../../../src/ari/request-deadline';
import { LocalServer } from './local-server';
import { ariStyleGet } from './swagger-http';

/** One GET over `agent`; resolves with the socket it used once the answer is read. */
function get(agent: http.Agent, url: string): Promise<{ reused: boolean; socketTimeout: number | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/ari/endpoints`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ reused: req.reusedSocket, socketTimeout: req.socket?.timeout }));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ARI http agent', () => {
  let server: LocalServer;
  let url: string;
  let agent: http.Agent;

  beforeEach(async () => {
    server = new LocalServer();
    url = await server.listen();
  });
  afterEach(async () => {
    agent.destroy();
    await server.close();
  });

  it('keeps a socket alive for back-to-back requests without giving it a socket timeout', async () => {
    agent = createAriAgent('http:', 500);
    const first = await get(agent, url);
    const second = await get(agent, url);
    expect(first.reused).to.be.false;
    expect(second.reused).to.be.true;
    expect(second.socketTimeout ?? 0).to.equal(0);
    expect(server.connections).to.have.length(1);
  });

  it('closes an idle socket itself once the idle time is over', async () => {
    agent = createAriAgent('http:', 150);
    await get(agent, url);
    await sleep(50);
    expect(server.openConnections).to.equal(1);
    await server.allClosed(1000);
    const next = await get(agent, url);
    expect(next.reused).to.be.false;
  });

  it('never cuts off a request that takes longer than the idle time', async () => {
    agent = createAriAgent('http:', 100);
    await get(agent, url); // a kept-alive socket to reuse
    server.answerDelayMs = 400;
    const slow = await get(agent, url);
    expect(slow.reused).to.be.true;
  });

  it('settles every ari-client request started at exactly the idle time after the previous one', async () => {
    // A fixed-rate poll, like the daemon's endpoint poll. With Node 20's global agent (a socket timeout
    // equal to the spacing) a good share of these requests are aborted by shred and never settle.
    agent = createAriAgent('http:', 100);
    const settled = () =>
      withAriDeadline(
        1000,
        () => ariStyleGet(`${url}/ari/endpoints`, agent),
        () => new Error('request never settled'),
      );
    await settled();
    await sleep(100);
    for (let i = 0; i < 20; i++) {
      const tick = sleep(100);
      expect(await settled()).to.equal(200);
      await tick;
    }
    expect(server.requests).to.have.length(21);
  });

  it('does not keep a socket the server announces it will close within a second', async () => {
    agent = createAriAgent('http:', 2000);
    server.extraHeaders = { 'keep-alive': 'timeout=1' };
    await get(agent, url);
    await server.allClosed(500);
  });
});
