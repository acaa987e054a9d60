// A real HTTP server on 127.0.0.1 for the ARI HTTP tests: it records every TCP connection and when it
// closes, so a test can see whether the client really destroyed a socket or only forgot about it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour = 'answer' | 'hang' | 'reset';

export class LocalServer {
  behaviour: Behaviour = 'answer';
  answerDelayMs = 0;
  extraHeaders: Record<string, string> = {};
  readonly requests: IncomingHttpHeaders[] = [];
  readonly connections: Array<{ socket: Socket; closed: boolean }> = [];
  private readonly closeWaiters: Array<() => void> = [];
  private readonly server: Server = createServer((req, res) => {
    this.requests.push(req.headers);
    if (this.behaviour === 'hang') return;
    if (this.behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', ...this.extraHeaders }).end('[]'), this.answerDelayMs);
  });

  constructor() {
    this.server.on('connection', (socket: Socket) => {
      const entry = { socket, closed: false };
      this.connections.push(entry);
      socket.on('close', () => {
        entry.closed = true;
        this.closeWaiters.splice(0).forEach((wake) => wake());
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get openConnections(): number {
    return this.connections.filter((c) => !c.closed).length;
  }

  /** Resolves once every connection the server has seen is closed, or rejects after `ms`. */
  allClosed(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.openConnections} connection(s) still open after ${ms} ms`)), ms);
      const check = () => {
        if (this.openConnections === 0) {
          clearTimeout(timer);
          resolve();
        } else {
          this.closeWaiters.push(check);
        }
      };
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
