// ARI's own HTTP agent. ari-client 2.2.0 sends every REST call through swagger-client 2.0.26, which uses
// shred 0.8.10 on node:http (the `request` package, overridden to @cypress/request, only fetches
// resources.json once at connect). Shred aborts a request when its *socket* emits 'timeout' and reports
// every socket-level failure as 'request_error', an event swagger-client never listens to, so the
// ari-client promise never settles. Node 20's global agent gives kept-alive sockets a 5 s socket timeout:
// a request written to an idle socket as that timeout fires is aborted and hangs forever (measured:
// requests spaced exactly 5 s apart, 9 of 19 hang). So ARI gets an agent whose sockets never carry a
// socket timeout; idle sockets are closed by our own timer, which only touches sockets still idle, well
// before Asterisk's own keep-alive close (http.conf session_keep_alive, 15 s by default).
import { AsyncLocalStorage } from 'node:async_hooks';
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ARI_MAX_IN_FLIGHT } from './request-pool';

/** How long an idle kept-alive socket to Asterisk is kept for the next request. */
export const ARI_HTTP_IDLE_MS = 2000;

// Node shortens its own keep-alive by this much when a server announces `Keep-Alive: timeout=N`.
const SERVER_HINT_MARGIN_MS = 1000;

type AgentInternals = http.Agent & {
  addRequest(req: ClientRequest, options: unknown): void;
  keepSocketAlive(socket: Duplex): boolean;
};

const requestScope = new AsyncLocalStorage<(req: ClientRequest) => void>();

/**
 * Runs `start` so that every request it sends through an ARI agent is handed to `onRequest`
 * (ari-client issues its HTTP request synchronously inside the call, and AsyncLocalStorage follows
 * anything sent later). The caller can then end those requests instead of abandoning them.
 */
export function watchAriRequests<T>(start: () => Promise<T>, onRequest: (req: ClientRequest) => void): Promise<T> {
  try {
    return requestScope.run(onRequest, start);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * An agent that keeps sockets alive for `idleMs` at most and never sets a socket timeout. It opens at
 * most `maxSockets` connections (the request pool's size), far below the 100 HTTP sessions Asterisk
 * serves before it refuses connections for everyone: requests beyond it wait in the agent.
 */
export function createAriAgent(protocol: 'http:' | 'https:', idleMs = ARI_HTTP_IDLE_MS, maxSockets = ARI_MAX_IN_FLIGHT): http.Agent {
  const options = { keepAlive: true, maxSockets, maxTotalSockets: maxSockets };
  const agent = (protocol === 'https:' ? new https.Agent(options) : new http.Agent(options)) as AgentInternals;
  const idleTimers = new WeakMap<Duplex, NodeJS.Timeout>();

  const addRequest = agent.addRequest.bind(agent);
  agent.addRequest = (req, options) => {
    requestScope.getStore()?.(req);
    addRequest(req, options);
  };

  agent.keepSocketAlive = (socket) => {
    const lifetime = Math.min(idleMs, serverIdleHintMs(socket) ?? idleMs);
    if (lifetime <= 0) return false;
    // What Node's own keepSocketAlive does, minus the socket timeout it would set.
    const tcp = socket as Socket; // a net.Socket, or a tls.TLSSocket (which extends it)
    tcp.setKeepAlive(true, 1000);
    tcp.unref(); // an idle ARI socket must not keep the process alive
    const timer = setTimeout(() => {
      // Still in the free list means nobody took it: close it. A socket picked up for a request in the
      // meantime is no longer free (and its timer was cleared in reuseSocket), so this can never race.
      if (isFree(agent, tcp)) tcp.destroy();
    }, lifetime);
    timer.unref();
    idleTimers.set(socket, timer);
    return true;
  };

  const reuseSocket = agent.reuseSocket.bind(agent);
  agent.reuseSocket = (socket, req) => {
    clearTimeout(idleTimers.get(socket));
    idleTimers.delete(socket);
    reuseSocket(socket, req);
  };
  return agent;
}

function isFree(agent: http.Agent, socket: Socket): boolean {
  return Object.values(agent.freeSockets).some((list) => list?.includes(socket) ?? false);
}

/** A server that announces `Keep-Alive: timeout=N` closes idle sockets after N s: stay below it. */
function serverIdleHintMs(socket: Duplex): number | undefined {
  const res = (socket as { _httpMessage?: { res?: http.IncomingMessage } })._httpMessage?.res;
  const hint = res?.headers['keep-alive'];
  const seconds = typeof hint === 'string' ? /timeout=(\d+)/.exec(hint)?.[1] : undefined;
  return seconds === undefined ? undefined : Number(seconds) * 1000 - SERVER_HINT_MARGIN_MS;
}

// swagger-client is ari-client's dependency, not ours: resolve it the way ari-client does.
interface SwaggerAuthorizations {
  add(name: string, auth: { apply(obj: { url: string; headers: Record<string, string>; agent?: http.Agent }): boolean }): void;
}
function swaggerAuthorizations(): SwaggerAuthorizations {
  const fromAriClient = createRequire(require.resolve('ari-client'));
  return (fromAriClient('swagger-client') as { authorizations: SwaggerAuthorizations }).authorizations;
}

const agents = new Map<string, http.Agent>();
let installed = false;

/**
 * Routes every swagger-client (ari-client) request through the ARI agents. swagger-client has one
 * process-wide hook on each request's options, its authorization registry; shred takes `agent` from
 * there (and also, by an old bug, writes it into the user-agent header, hence the header).
 */
export function useAriHttpAgent(): void {
  if (installed) return;
  installed = true;
  swaggerAuthorizations().add('callbackd-http-agent', {
    apply(obj) {
      const protocol = obj.url.startsWith('https:') ? 'https:' : 'http:';
      let agent = agents.get(protocol);
      if (!agent) {
        agent = createAriAgent(protocol);
        agents.set(protocol, agent);
      }
      obj.agent = agent;
      obj.headers['user-agent'] = 'callbackd';
      return true;
    },
  });
}
