import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { Heartbeat, type HeartbeatSocket } from '../../../src/ari/heartbeat';

// The same `ws` ari-client uses for its event socket (it ships no types; we need little of it).
interface WsClient extends HeartbeatSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  close(): void;
}
interface WsServer {
  on(event: 'connection', listener: (ws: unknown, req: { socket: Socket }) => void): unknown;
  address(): AddressInfo;
  close(cb: () => void): void;
}
const ws = createRequire(require.resolve('ari-client'))('ws') as {
  new (url: string): WsClient;
  Server: new (opts: { port: number; host: string }, ready: () => void) => WsServer;
};

const OPEN = 1;
const CLOSED = 3;
const INTERVAL_MS = 50;
const SILENCE_MS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function until(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('ARI event socket heartbeat', () => {
  let server: WsServer;
  let url: string;
  let serverSockets: Socket[];
  let client: WsClient | undefined;
  let heartbeat: Heartbeat;
  let deaths: Array<{ silentMs: number; wasOpen: boolean; at: number }>;
  let clientClosed: boolean;

  function connect(to: string): WsClient {
    const socket = new ws(to);
    clientClosed = false;
    socket.on('error', () => undefined); // ari-client reconnects on error; here it is expected
    socket.on('close', () => (clientClosed = true));
    return socket;
  }

  beforeEach(async () => {
    serverSockets = [];
    deaths = [];
    server = await new Promise<WsServer>((resolve) => {
      const s: WsServer = new ws.Server({ port: 0, host: '127.0.0.1' }, () => resolve(s));
    });
    server.on('connection', (_ws, req) => serverSockets.push(req.socket));
    url = `ws://127.0.0.1:${server.address().port}`;
    heartbeat = new Heartbeat(() => client, {
      intervalMs: INTERVAL_MS,
      silenceMs: SILENCE_MS,
      onDead: (silentMs, wasOpen) => deaths.push({ silentMs, wasOpen, at: Date.now() }),
    });
  });

  afterEach(async () => {
    heartbeat.stop();
    client?.terminate();
    client = undefined;
    serverSockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => server.close(resolve));
  });

  it('keeps a socket open while its peer answers the pings', async () => {
    client = connect(url);
    await until('open', () => client?.readyState === OPEN);
    heartbeat.start();
    await sleep(SILENCE_MS * 3);
    expect(deaths).to.deep.equal([]);
    expect(client.readyState).to.equal(OPEN);
  });

  it('terminates an open socket whose peer stops answering, within interval + silence', async () => {
    client = connect(url);
    await until('open', () => client?.readyState === OPEN);
    heartbeat.start();
    await sleep(INTERVAL_MS * 2);
    // A frozen peer: the TCP connection stays up but nothing is read or answered any more.
    const frozenAt = Date.now();
    serverSockets.forEach((s) => s.pause());
    await until('the heartbeat to give up', () => deaths.length > 0);
    expect(deaths[0].wasOpen).to.be.true;
    expect(deaths[0].at - frozenAt).to.be.below(INTERVAL_MS * 2 + SILENCE_MS + 100);
    // Closed on our side: this close event is what starts ari-client's reconnect.
    await until('the client socket to close', () => clientClosed);
    expect(client.readyState).to.equal(CLOSED);
  });

  it('terminates a socket whose opening handshake never completes', async () => {
    const silent: NetServer = createServer((socket) => serverSockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      client = connect(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      heartbeat.start();
      await until('the heartbeat to give up', () => deaths.length > 0);
      expect(deaths[0].wasOpen).to.be.false;
      expect(deaths[0].silentMs).to.be.at.least(SILENCE_MS);
      await until('the client socket to close', () => clientClosed);
    } finally {
      serverSockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('gives the replacement socket after a reconnect a clean slate', async () => {
    client = connect(url);
    await until('open', () => client?.readyState === OPEN);
    heartbeat.start();
    serverSockets.forEach((s) => s.pause());
    await until('the heartbeat to give up', () => deaths.length > 0);
    // What ari-client does next: a new socket to a peer that answers again.
    client = connect(url);
    await until('open', () => client?.readyState === OPEN);
    await sleep(SILENCE_MS * 2);
    expect(deaths).to.have.length(1);
    expect(client.readyState).to.equal(OPEN);
  });
});
