// A bare SIP/RTP caller for abuse tests: it INVITEs the sandbox over the loop trunk (127.0.0.1 is the
// `loop` endpoint, so the From user is the caller ID) and then sends RFC 4733 events as fast as it is
// told — far faster than any phone or Asterisk's own sendDTMF would (they keep 100 ms per key). Each
// event claims 100 ms in its duration field, so Asterisk passes it on at once instead of stretching it.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

const SERVER = { host: '127.0.0.1', port: 5062 };
const EVENT_CODES: Record<string, number> = { '*': 10, '#': 11 };
const EVENT_SAMPLES = 800; // 100 ms at 8 kHz, in every event's duration field

const tag = () => randomBytes(6).toString('hex');

interface Reply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

function parse(text: string): Reply | undefined {
  const [head, body = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  return { status: Number(m[1]), headers, body };
}

export class RawSipCaller {
  private readonly sip = dgram.createSocket('udp4');
  private readonly rtp = dgram.createSocket('udp4');
  private readonly callId = `${tag()}@127.0.0.1`;
  private readonly fromTag = tag();
  private toHeader = '';
  private remoteRtp: { host: string; port: number } | undefined;
  private cseq = 1;
  private seq = Math.floor(Math.random() * 1000);
  private timestamp = Math.floor(Math.random() * 100_000);
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private readonly replies: Array<(r: Reply) => void> = [];
  private silence: NodeJS.Timeout | undefined;

  private constructor(
    readonly callerId: string,
    readonly did: string,
  ) {
    this.sip.on('message', (msg) => {
      const reply = parse(msg.toString());
      if (reply) this.replies.forEach((fn) => fn(reply));
      else this.answerRequest(msg.toString());
    });
    this.rtp.on('message', () => undefined); // Asterisk's audio: not listened to
  }

  /** Calls `did` as `callerId`; resolves once Asterisk answered (200 OK, ACKed, RTP flowing). */
  static async call(did: string, callerId: string, timeoutMs = 10_000): Promise<RawSipCaller> {
    const c = new RawSipCaller(callerId, did);
    await new Promise<void>((resolve) => c.sip.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => c.rtp.bind(0, '127.0.0.1', resolve));
    await c.invite(timeoutMs);
    return c;
  }

  private get sipPort(): number {
    return this.sip.address().port;
  }

  private get rtpPort(): number {
    return this.rtp.address().port;
  }

  private send(text: string): void {
    this.sip.send(Buffer.from(text), SERVER.port, SERVER.host);
  }

  private request(method: string, body = '', extra: string[] = []): string {
    const uri = `sip:${this.did}@${SERVER.host}:${SERVER.port}`;
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.sipPort};branch=z9hG4bK${tag()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.callerId}@127.0.0.1>;tag=${this.fromTag}`,
      `To: ${this.toHeader || `<${uri}>`}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${method === 'ACK' ? this.cseq : ++this.cseq} ${method}`,
      `Contact: <sip:${this.callerId}@127.0.0.1:${this.sipPort}>`,
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  private async invite(timeoutMs: number): Promise<void> {
    const sdp = [
      'v=0',
      `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
      's=flood',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.rtpPort} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=sendrecv',
      '',
    ].join('\r\n');
    this.cseq = 0;
    const ok = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`INVITE ${this.did} from ${this.callerId}: no 200 OK in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.replies.push((r) => {
        if (!/INVITE/.test(r.headers.get('cseq') ?? '')) return;
        if (r.status >= 300) {
          clearTimeout(timer);
          reject(new Error(`INVITE ${this.did} refused: ${r.status}`));
        } else if (r.status === 200) {
          clearTimeout(timer);
          resolve(r);
        }
      });
      this.send(this.request('INVITE', sdp, ['Content-Type: application/sdp']));
    });
    this.toHeader = ok.headers.get('to') ?? '';
    const port = /m=audio (\d+)/.exec(ok.body)?.[1];
    const host = /c=IN IP4 ([\d.]+)/.exec(ok.body)?.[1] ?? SERVER.host;
    if (!port) throw new Error('200 OK without an audio port');
    this.remoteRtp = { host, port: Number(port) };
    this.send(this.request('ACK'));
    // Some audio so Asterisk's RTP sees a live stream (20 ms of µ-law silence every 20 ms).
    this.silence = setInterval(() => this.rtpPacket(0, Buffer.alloc(160, 0xff), false, 160), 20);
  }

  private rtpPacket(payloadType: number, payload: Buffer, marker: boolean, advance: number): void {
    if (!this.remoteRtp) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | payloadType;
    header.writeUInt16BE(this.seq++ & 0xffff, 2);
    header.writeUInt32BE(this.timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.rtp.send(Buffer.concat([header, payload]), this.remoteRtp.port, this.remoteRtp.host);
    this.timestamp = (this.timestamp + advance) >>> 0;
  }

  /** One RFC 4733 event: a start packet and the end packet sent three times (as RFC 4733 asks). */
  private event(digit: string): void {
    const code = EVENT_CODES[digit] ?? Number(digit);
    const payload = (end: boolean) => Buffer.from([code, (end ? 0x80 : 0) | 10, EVENT_SAMPLES >> 8, EVENT_SAMPLES & 0xff]);
    this.rtpPacket(101, payload(false), true, 0);
    for (let i = 0; i < 3; i++) this.rtpPacket(101, payload(true), false, 0);
    this.timestamp = (this.timestamp + EVENT_SAMPLES) >>> 0; // the next event is a new one
  }

  /** `count` events of `keys` (cycled) spread evenly over `durationMs`; resolves when all are sent. */
  async flood(keys: string, count: number, durationMs: number): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      this.event(keys[i % keys.length]);
      const due = started + ((i + 1) * durationMs) / count;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Requests from Asterisk (its BYE when the daemon hangs up, OPTIONS): answered 200 OK. */
  private answerRequest(text: string): void {
    const lines = text.split('\r\n');
    if (!/^[A-Z]+ /.test(lines[0])) return;
    const keep = lines.filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
    this.send(['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n'));
    if (lines[0].startsWith('BYE ')) this.ended = true;
  }

  /** True once Asterisk sent its BYE (the daemon hung up on us). */
  ended = false;

  async hangup(): Promise<void> {
    clearInterval(this.silence);
    if (!this.ended && this.remoteRtp) this.send(this.request('BYE'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.sip.close();
    this.rtp.close();
  }
}
