// A Zendesk stand-in on 127.0.0.1 that accepts only the request shapes Zendesk documents for the calls
// the sink makes (Tickets, Users, Search, Ticket Comments; API-token basic auth) and answers like
// Zendesk. Anything else is answered 400/401/404, so a wrong request fails the test instead of passing.
import { LoopbackServer, type Recorded, type Reply } from './loopback-http';

export interface FakeUser {
  id: number;
  name: string;
  phone: string;
  role: string;
}

export interface FakeTicket {
  id: number;
  subject: string;
  requester_id: number;
  external_id: string | null;
  tags: string[];
  comments: Array<{ body: string; public: boolean }>;
}

export const ZENDESK_EMAIL = 'callbackd@acme.example';
export const ZENDESK_TOKEN = 'tok-6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv';

interface Failure {
  method: string;
  path: RegExp;
  reply: Reply;
  /** Do what the request asks, then answer with `reply` (or not at all when hang). */
  apply?: boolean;
  hang?: boolean;
}

export class FakeZendesk {
  readonly users: FakeUser[] = [];
  readonly tickets: FakeTicket[] = [];
  /** Users created through the API only show up in search after indexUsers() (Zendesk's index lags). */
  searchLags = false;
  private readonly indexed = new Set<number>();
  private readonly failures: Failure[] = [];
  private nextId = 1000;
  readonly server = new LoopbackServer((req) => this.handle(req));

  get received(): Recorded[] {
    return this.server.received;
  }

  listen(): Promise<string> {
    return this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** An end user that exists before the test (created in Zendesk by someone else). */
  addUser(name: string, phone: string, role = 'end-user'): FakeUser {
    const user = { id: this.nextId++, name, phone, role };
    this.users.push(user);
    this.indexed.add(user.id);
    return user;
  }

  indexUsers(): void {
    for (const u of this.users) this.indexed.add(u.id);
  }

  /** The next request matching method and path gets `reply` instead of its normal answer. */
  failNext(method: string, path: RegExp, reply: Reply, opts: { apply?: boolean; hang?: boolean } = {}): void {
    this.failures.push({ method, path, reply, ...opts });
  }

  private handle(req: Recorded): Reply | 'hang' {
    const expected = `Basic ${Buffer.from(`${ZENDESK_EMAIL}/token:${ZENDESK_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return { status: 401, body: { error: "Couldn't authenticate you" } };
    if (req.method !== 'GET' && req.headers['content-type'] !== 'application/json') {
      return { status: 415, body: { error: 'Unsupported Media Type' } };
    }
    const i = this.failures.findIndex((f) => f.method === req.method && f.path.test(req.path));
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      if (failure.apply) this.route(req);
      return failure.hang ? 'hang' : failure.reply;
    }
    return this.route(req);
  }

  private route(req: Recorded): Reply {
    const { method, path } = req;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/api/v2/tickets.json') return this.listTickets(req);
    if (method === 'GET' && path === '/api/v2/search.json') return this.search(req);
    if (method === 'POST' && path === '/api/v2/users.json') return this.createUser(req);
    if (method === 'POST' && path === '/api/v2/tickets.json') return this.createTicket(req);
    if (method === 'GET' && (m = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(path))) return this.listComments(Number(m[1]));
    if (method === 'PUT' && (m = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path))) return this.updateTicket(Number(m[1]), req);
    return { status: 404, body: { error: 'InvalidEndpoint' } };
  }

  private listTickets(req: Recorded): Reply {
    const externalId = req.query.get('external_id');
    if (externalId === null) return { status: 400, body: { error: 'this fake only lists tickets by external_id' } };
    const tickets = this.tickets.filter((t) => t.external_id === externalId).map((t) => this.ticketJson(t));
    return { status: 200, body: { tickets, count: tickets.length, next_page: null, previous_page: null } };
  }

  private search(req: Recorded): Reply {
    const m = /^role:end-user phone:(\d+)$/.exec(req.query.get('query') ?? '');
    if (!m) return { status: 400, body: { error: 'unexpected search query', query: req.query.get('query') } };
    const results = this.users
      .filter((u) => u.role === 'end-user' && u.phone.replace(/\D/g, '') === m[1])
      .filter((u) => !this.searchLags || this.indexed.has(u.id))
      .map((u) => ({ ...u, result_type: 'user', url: `https://acme.zendesk.com/api/v2/users/${u.id}.json` }));
    return { status: 200, body: { results, count: results.length, next_page: null, previous_page: null, facets: null } };
  }

  private createUser(req: Recorded): Reply {
    const user = (req.body as { user?: Record<string, unknown> } | undefined)?.user;
    if (!user || typeof user.name !== 'string' || user.name === '') {
      return { status: 422, body: { error: 'RecordInvalid', details: { name: [{ description: 'Name: cannot be blank' }] } } };
    }
    if (typeof user.phone !== 'string' || !/^\+[1-9]\d{6,14}$/.test(user.phone)) {
      return { status: 422, body: { error: 'RecordInvalid', details: { phone: [{ description: 'Phone: is not E.164' }] } } };
    }
    if (user.role !== 'end-user') return { status: 422, body: { error: 'RecordInvalid', details: { role: [{ description: 'Role' }] } } };
    const created: FakeUser = { id: this.nextId++, name: user.name, phone: user.phone, role: user.role };
    this.users.push(created);
    if (!this.searchLags) this.indexed.add(created.id);
    return { status: 201, body: { user: { ...created, url: `https://acme.zendesk.com/api/v2/users/${created.id}.json` } } };
  }

  private createTicket(req: Recorded): Reply {
    const t = (req.body as { ticket?: Record<string, unknown> } | undefined)?.ticket;
    const comment = t?.comment as { body?: unknown; public?: unknown } | undefined;
    if (!t || !comment || typeof comment.body !== 'string' || comment.body === '') {
      return { status: 422, body: { error: 'RecordInvalid', description: 'Description: cannot be blank' } };
    }
    if (!this.users.some((u) => u.id === t.requester_id)) {
      return { status: 422, body: { error: 'RecordInvalid', details: { requester: [{ description: 'Requester: is invalid' }] } } };
    }
    if (typeof t.subject !== 'string' || !Array.isArray(t.tags) || typeof comment.public !== 'boolean') {
      return { status: 400, body: { error: 'unexpected ticket shape' } };
    }
    const ticket: FakeTicket = {
      id: this.nextId++,
      subject: t.subject,
      requester_id: t.requester_id as number,
      external_id: typeof t.external_id === 'string' ? t.external_id : null,
      tags: t.tags as string[],
      comments: [{ body: comment.body, public: comment.public }],
    };
    this.tickets.push(ticket);
    return { status: 201, body: { ticket: this.ticketJson(ticket), audit: { events: [] } } };
  }

  private listComments(id: number): Reply {
    const ticket = this.tickets.find((t) => t.id === id);
    if (!ticket) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    const comments = ticket.comments.map((c, n) => ({
      id: id * 100 + n,
      type: 'Comment',
      body: c.body,
      plain_body: c.body,
      public: c.public,
    }));
    return { status: 200, body: { comments, count: comments.length, next_page: null, previous_page: null } };
  }

  private updateTicket(id: number, req: Recorded): Reply {
    const ticket = this.tickets.find((t) => t.id === id);
    if (!ticket) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    const comment = (req.body as { ticket?: { comment?: { body?: unknown; public?: unknown } } } | undefined)?.ticket?.comment;
    if (!comment || typeof comment.body !== 'string' || typeof comment.public !== 'boolean') {
      return { status: 400, body: { error: 'unexpected update shape' } };
    }
    ticket.comments.push({ body: comment.body, public: comment.public });
    return { status: 200, body: { ticket: this.ticketJson(ticket), audit: { events: [] } } };
  }

  private ticketJson(t: FakeTicket): Record<string, unknown> {
    return {
      id: t.id,
      url: `https://acme.zendesk.com/api/v2/tickets/${t.id}.json`,
      subject: t.subject,
      requester_id: t.requester_id,
      external_id: t.external_id,
      tags: t.tags,
      description: t.comments[0]?.body,
      status: 'new',
    };
  }
}
