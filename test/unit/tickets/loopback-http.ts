// Test helpers for the ticket sinks: a real HTTP server on 127.0.0.1 (random port) that records every
// request and answers through a handler, a URL nobody listens on, and a logger that keeps its lines.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../src/log';

export interface Recorded {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (signatures are computed over it). */
  raw: string;
  /** The body parsed as JSON, or undefined if empty. */
  body: unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain. */
  body?: unknown;
}

/** 'hang': read the request and never answer it. */
export type Handler = (req: Recorded) => Reply | 'hang' | undefined;

export class LoopbackServer {
  readonly received: Recorded[] = [];
  /** Read requests but never answer (a receiver that hangs). */
  hang = false;
  private readonly server: Server;

  constructor(private handler: Handler) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const raw = Buffer.concat(chunks).toString('utf8');
        const recorded: Recorded = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          raw,
          body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
        };
        this.received.push(recorded);
        if (this.hang) return;
        const reply = this.handler(recorded) ?? { status: 404, body: { error: 'RecordNotFound' } };
        if (reply === 'hang') return;
        const json = typeof reply.body !== 'string';
        res
          .writeHead(reply.status, { 'content-type': json ? 'application/json' : 'text/plain', ...reply.headers })
          .end(reply.body === undefined ? '' : json ? JSON.stringify(reply.body) : reply.body);
      });
    });
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  /** Starts listening; returns the base URL (http://127.0.0.1:<port>). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL on which nothing listens: connections are refused. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

/** A Logger that records what it is given. */
export function recordingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, meta: Record<string, unknown> = {}) => {
      lines.push({ level, message, meta });
    };
  const log = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger;
  return { log, lines };
}
