// The few Zendesk Support API calls the Zendesk sink needs, as Zendesk documents them
// (developer.zendesk.com: Tickets, Users, Search, Ticket Comments). Authentication is an API token:
// basic auth with "{email}/token:{api_token}". Every failed request throws a TicketSinkError whose
// outcome follows send-outcome.ts (429 with Retry-After, 5xx retry, other 4xx refused).
import { TicketSinkError } from './errors';
import { httpOutcome, networkOutcome } from './send-outcome';

export interface ZendeskClientOptions {
  /** https://<subdomain>.zendesk.com, or tickets.zendesk.baseUrl. */
  baseUrl: string;
  email: string;
  apiToken: string;
  clock: { now(): number };
  fetchImpl?: typeof fetch;
  /** Per request, including reading the answer. */
  timeoutMs?: number;
}

export interface NewZendeskTicket {
  subject: string;
  requesterId: number;
  externalId: string;
  tags: string[];
  /** The first comment, shown as the ticket's description. */
  body: string;
  public: boolean;
}

export interface ZendeskComment {
  body: string;
  plainBody: string | undefined;
}

type Query = Record<string, string>;

export class ZendeskClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly clock: { now(): number };
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(opts: ZendeskClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${opts.email}/token:${opts.apiToken}`).toString('base64')}`;
    this.clock = opts.clock;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** List Tickets filtered by external_id: GET /api/v2/tickets.json?external_id=… (not the search
   *  index, so a ticket created a moment ago is found). */
  async findTicketByExternalId(externalId: string): Promise<number | undefined> {
    const answer = await this.request('GET', '/api/v2/tickets.json', { external_id: externalId });
    return ids(answer, 'tickets')[0];
  }

  /** Search API for an end user with this phone number: digits only, without '+', as the Zendesk Talk
   *  partner guide writes the query ("role:end-user phone:15551234567"). */
  async findEndUserByPhone(e164: string): Promise<number | undefined> {
    const query = `role:end-user phone:${e164.replace(/\D/g, '')}`;
    const answer = await this.request('GET', '/api/v2/search.json', { query });
    return ids(answer, 'results')[0];
  }

  /** Create User: POST /api/v2/users.json; the phone in E.164 as Zendesk asks for it. */
  async createEndUser(name: string, phone: string): Promise<number> {
    const answer = await this.request('POST', '/api/v2/users.json', undefined, { user: { name, phone, role: 'end-user' } });
    return idOf(answer, 'user');
  }

  /** Create Ticket: POST /api/v2/tickets.json. */
  async createTicket(t: NewZendeskTicket): Promise<number> {
    const ticket = {
      subject: t.subject,
      requester_id: t.requesterId,
      external_id: t.externalId,
      tags: t.tags,
      comment: { body: t.body, public: t.public },
    };
    return idOf(await this.request('POST', '/api/v2/tickets.json', undefined, { ticket }), 'ticket');
  }

  /** List Comments: GET /api/v2/tickets/{id}/comments.json (first page, 100 comments). */
  async comments(ticketId: number): Promise<ZendeskComment[]> {
    const answer = await this.request('GET', `/api/v2/tickets/${ticketId}/comments.json`);
    const list = field(answer, 'comments');
    if (!Array.isArray(list)) throw unusable('comments');
    return list.map((c) => ({
      body: typeof field(c, 'body') === 'string' ? (field(c, 'body') as string) : '',
      plainBody: typeof field(c, 'plain_body') === 'string' ? (field(c, 'plain_body') as string) : undefined,
    }));
  }

  /** Update Ticket with a comment: PUT /api/v2/tickets/{id}.json; public false = internal note. */
  async addComment(ticketId: number, body: string, isPublic: boolean): Promise<void> {
    await this.request('PUT', `/api/v2/tickets/${ticketId}.json`, undefined, { ticket: { comment: { body, public: isPublic } } });
  }

  private async request(method: 'GET' | 'POST' | 'PUT', path: string, query?: Query, body?: unknown): Promise<unknown> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new TicketSinkError(withRequest(networkOutcome(err, this.timeoutMs), method, path));
    }
    const outcome = httpOutcome(res.status, res.headers, text, this.clock.now());
    if (outcome.kind !== 'delivered') throw new TicketSinkError(withRequest(outcome, method, path));
    try {
      return text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      throw unusable(`${method} ${path}`);
    }
  }
}

/** "HTTP 422: …" → "POST /api/v2/users.json: HTTP 422: …", so last_error says which step failed. */
function withRequest<T extends { error: string }>(outcome: T, method: string, path: string): T {
  return { ...outcome, error: `${method} ${path}: ${outcome.error}` };
}

/** An answer that is not what Zendesk sends (wrong baseUrl, a proxy's page): retrying will not help. */
function unusable(what: string): TicketSinkError {
  return new TicketSinkError({ kind: 'refused', error: `unexpected answer from Zendesk to ${what}` });
}

function field(obj: unknown, name: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[name] : undefined;
}

function idOf(answer: unknown, name: string): number {
  const id = field(field(answer, name), 'id');
  if (typeof id !== 'number') throw unusable(name);
  return id;
}

function ids(answer: unknown, name: string): number[] {
  const list = field(answer, name);
  if (!Array.isArray(list)) throw unusable(name);
  return list.map((item) => field(item, 'id')).filter((id): id is number => typeof id === 'number');
}
