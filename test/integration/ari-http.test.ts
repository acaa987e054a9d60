// ARI REST on the real Asterisk never hangs because of HTTP keep-alive: requests started exactly one
// idle timeout after the previous one (the daemon's fixed-rate endpoint poll does this) all settle.
// With Node 20's global agent, requests spaced 5 s apart hung forever about one in two.
import http from 'node:http';
import { expect } from 'chai';
import { AriTelephony } from '../../src/ari/ari-telephony';
import { AriConnection } from '../../src/ari/connection';
import { ARI_HTTP_IDLE_MS } from '../../src/ari/http-agent';
import { silentLogger } from '../../src/log';
import { ari, requireAsterisk } from './harness/env';

const NODE_GLOBAL_AGENT_IDLE_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ARI http: requests spaced at the keep-alive idle timeout', function () {
  this.timeout(60_000);
  let conn: AriConnection;
  let telephony: AriTelephony;

  before(async () => {
    await requireAsterisk();
    conn = new AriConnection({ ...ari, app: 'callbackd-http-test', requestTimeoutMs: 3000, log: silentLogger() });
    await conn.start();
    telephony = new AriTelephony(conn);
  });
  after(() => conn?.stop());

  /** Starts `count` endpoint listings `spacingMs` apart (start to start); returns each one's duration. */
  async function poll(spacingMs: number, count: number): Promise<number[]> {
    await telephony.endpointStates(); // leaves a kept-alive socket behind
    await sleep(spacingMs);
    const durations: number[] = [];
    for (let i = 0; i < count; i++) {
      const tick = sleep(spacingMs);
      const started = Date.now();
      // A hung request would fail here with ARI_TIMEOUT after requestTimeoutMs.
      const endpoints = await telephony.endpointStates();
      durations.push(Date.now() - started);
      expect(endpoints.length).to.be.above(0);
      await tick;
    }
    return durations;
  }

  it(`settles every request started ${ARI_HTTP_IDLE_MS} ms (the ARI agent's idle timeout) after the previous one`, async () => {
    const durations = await poll(ARI_HTTP_IDLE_MS, 8);
    expect(Math.max(...durations)).to.be.below(1000);
  });

  it(`settles every request started ${NODE_GLOBAL_AGENT_IDLE_MS} ms (Node's global agent idle timeout) after the previous one, without using that agent`, async () => {
    let globalAgentRequests = 0;
    const agent = http.globalAgent as http.Agent & { addRequest(req: unknown, options: unknown): void };
    const addRequest = agent.addRequest.bind(agent);
    agent.addRequest = (req, options) => {
      globalAgentRequests++;
      addRequest(req, options);
    };
    try {
      const durations = await poll(NODE_GLOBAL_AGENT_IDLE_MS, 4);
      expect(Math.max(...durations)).to.be.below(1000);
    } finally {
      agent.addRequest = addRequest;
    }
    expect(globalAgentRequests).to.equal(0);
  });
});
