// One headless baresip 1.0.0 (Debian's) process and its ctrl_tcp control socket. baresip is a real SIP
// user agent: it REGISTERs, rings, answers, sends RFC 4733 keys and hangs up like a desk phone, so the
// daemon meets agent phones and callers as it will in production. sip-phone.ts builds the API the tests
// read on top of this.
//
// ctrl_tcp speaks netstrings ("<length>:<json>,") in both directions. We send
// {"command": <long menu command>, "params": "...", "token": "..."}; baresip answers
// {"response": true, "ok": bool, "data": "...", "token": "..."} and pushes events unasked:
// {"event": true, "class": "call"|"register"|…, "type": "CALL_INCOMING"|…, "accountaor", "direction",
// "peeruri", "id", "param"}. Commands are the menu module's long commands (baresip 1.0.0): dial <uri>,
// accept, hangup, sndcode <keys> (RFC 4733 while a call is up), uanew <account line>, uadel <aor>, quit.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface BaresipEvent {
  class: string;
  type: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  param?: string;
}

export interface BaresipOptions {
  /** Account line as in baresip's accounts file, e.g. `<sip:1001@127.0.0.1:5062>;auth_pass=x;regint=120`;
   * none: accounts are added later with `uanew` (so the caller sees their registration events). */
  account?: string;
  /** Seconds after which baresip quits on its own: a safety net if this process dies without cleanup. */
  maxLifetimeSeconds?: number;
  /** Longest call it can hold: its silence source ends the call after this (default 600). */
  maxCallSeconds?: number;
  /**
   * The phone's audio codec: G.711 (u-law/A-law, default) or G.722 (a wideband phone). One only: the
   * silence source must have the codec's sample rate, aufile does not resample.
   */
  codec?: 'g711' | 'g722';
  /** Called with every event, after the waiters (the interactive scripts print them). */
  onEvent?: (e: BaresipEvent) => void;
}

/** Terminal colour codes in baresip's output. */
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Every baresip this process started and has not stopped yet: killed on exit whatever happened. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  setprivFound ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivFound;
}

/** Ports handed out in this process: phones start in parallel, and a port is only free until bound. */
const handedOut = new Set<number>();

async function isFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * `span` consecutive ports free for both TCP and UDP on 127.0.0.1 and not handed out before in this
 * process. SIP needs 2: baresip listens on the port (UDP and TCP) and on the next one (TLS).
 */
async function freePorts(span: number): Promise<number> {
  for (;;) {
    const first = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    const ports = Array.from({ length: span }, (_, i) => first + i);
    if (ports.some((p) => p > 65535 || handedOut.has(p))) continue;
    let free = true;
    for (const p of ports) if (!(await isFree(p))) free = false;
    if (!free) continue;
    for (const p of ports) handedOut.add(p);
    return first;
  }
}

/**
 * A WAV of `seconds` silence (mono 16-bit) as a sparse file: baresip's aufile source ends the call
 * when its file ends, so it must outlast any call; the zeros cost no disk space.
 */
export function writeSilenceWav(file: string, seconds: number, rate: number): void {
  const bytes = seconds * rate * 2;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(bytes, 40);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, h);
    fs.ftruncateSync(fd, 44 + bytes);
  } finally {
    fs.closeSync(fd);
  }
}

function config(dir: string, sipPort: number, ctrlPort: number, codec: 'g711' | 'g722'): string {
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    // "lo" is refused ("could not get IPv4 address"); the address works.
    'net_interface 127.0.0.1',
    // Only IP addresses are dialled, but libre's resolver still starts and waits 20–70 s per call for
    // the host's DNS servers, which a network namespace cannot reach. A local port with nothing behind
    // it fails at once.
    'dns_server 127.0.0.1:53',
    // Headless: silence in, nothing out. Incoming calls ring until answered through ctrl_tcp.
    `audio_source aufile,${path.join(dir, 'silence.wav')}`,
    'audio_player aufile,/dev/null',
    'audio_alert aufile,/dev/null',
    'rtp_ports 30000-39999',
    'module_path /usr/lib/baresip/modules',
    `module ${codec}.so`,
    'module aufile.so',
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    'answermode manual',
    '',
  ].join('\n');
}

interface Pending {
  resolve: (data: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class Baresip {
  private socket: net.Socket | undefined;
  private buffer = Buffer.alloc(0);
  private nextToken = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: BaresipEvent) => void>();
  /** The last lines baresip printed, for error messages. */
  private readonly output: string[] = [];
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly ctrlPort: number,
    private readonly opts: BaresipOptions,
  ) {
    running.add(proc);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().replace(COLOURS, '').split('\n')) if (line.trim()) this.output.push(line);
      this.output.splice(0, Math.max(0, this.output.length - 40));
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.exit = new Promise((resolve) =>
      proc.once('exit', () => {
        this.exited = true;
        running.delete(proc);
        for (const [, p] of this.pending) p.reject(new Error(`baresip exited: ${this.recentOutput()}`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  /** Starts baresip with its own config directory and connects to its control socket. */
  static async start(opts: BaresipOptions): Promise<Baresip> {
    // Its ports are free when chosen but can be taken before baresip binds them — also the one above
    // the SIP port, which baresip takes for SIP/TLS unasked. Then it exits at once: new ports, again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await Baresip.startOnce(opts);
      } catch (err) {
        if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err;
      }
    }
  }

  private static async startOnce(opts: BaresipOptions): Promise<Baresip> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-baresip-'));
    const [sipPort, ctrlPort] = [await freePorts(2), await freePorts(1)];
    const codec = opts.codec ?? 'g711';
    writeSilenceWav(path.join(dir, 'silence.wav'), opts.maxCallSeconds ?? 600, codec === 'g722' ? 16000 : 8000);
    fs.writeFileSync(path.join(dir, 'config'), config(dir, sipPort, ctrlPort, codec));
    fs.writeFileSync(path.join(dir, 'accounts'), opts.account === undefined ? '' : `${opts.account}\n`);
    fs.writeFileSync(path.join(dir, 'contacts'), '');
    const args = ['-f', dir];
    if (opts.maxLifetimeSeconds !== undefined) args.push('-t', String(opts.maxLifetimeSeconds));
    // setpriv (util-linux) makes the kernel kill baresip when this process dies however it dies
    // (SIGKILL, a CI timeout), which no exit handler can promise.
    const [cmd, cmdArgs] = hasSetpriv() ? ['setpriv', ['--pdeathsig', 'KILL', '--', 'baresip', ...args]] : ['baresip', args];
    const proc = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const b = new Baresip(proc, dir, ctrlPort, opts);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      proc.once('spawn', () => resolve(undefined));
      proc.once('error', (err) => resolve(err));
    });
    if (spawned) {
      b.cleanup();
      const why =
        (spawned as NodeJS.ErrnoException).code === 'ENOENT' ? 'baresip is not installed (apt-get install baresip)' : spawned.message;
      throw new Error(`cannot start baresip: ${why}`);
    }
    try {
      await b.connect();
    } catch (err) {
      await b.stop();
      throw err;
    }
    return b;
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  on(listener: (e: BaresipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recentOutput(): string {
    return this.output.slice(-15).join(' | ');
  }

  /** Runs one long command; resolves with its output, rejects if baresip reports a failure. */
  command(command: string, params = '', timeoutMs = 5000): Promise<string> {
    const socket = this.socket;
    if (!socket || this.exited) return Promise.reject(new Error(`baresip is not running (${command})`));
    const token = String(this.nextToken++);
    const json = JSON.stringify({ command, params, token });
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer '${command} ${params}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
      socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  /** Quits baresip (it unregisters first); kills it if it takes longer than 3 s. Idempotent. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.command('quit', '', 1000).catch(() => undefined);
      const killer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exit;
      clearTimeout(killer);
    }
    this.cleanup();
  }

  /** Kills baresip outright: no un-REGISTER, no BYE (a phone losing power). Then cleans up. */
  async kill(): Promise<void> {
    if (!this.exited) {
      this.proc.kill('SIGKILL');
      await this.exit;
    }
    this.cleanup();
  }

  private cleanup(): void {
    this.socket?.destroy();
    this.socket = undefined;
    if (this.exited) running.delete(this.proc);
    else this.proc.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async connect(): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      if (this.exited) throw new Error(`baresip exited during start-up: ${this.recentOutput()}`);
      try {
        this.socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(this.ctrlPort, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`baresip's control socket did not open: ${this.recentOutput()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', () => undefined);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString());
      const end = colon + 1 + length;
      if (this.buffer.length < end + 1) return;
      const text = this.buffer.subarray(colon + 1, end).toString();
      this.buffer = this.buffer.subarray(end + 1);
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (message.response === true) this.settle(message);
      else if (message.event === true) this.emit(message as unknown as BaresipEvent);
    }
  }

  private settle(message: Record<string, unknown>): void {
    const token = String(message.token);
    const p = this.pending.get(token);
    if (!p) return;
    this.pending.delete(token);
    clearTimeout(p.timer);
    const data = typeof message.data === 'string' ? message.data : '';
    if (message.ok === true) p.resolve(data);
    else p.reject(new Error(`baresip refused: ${data}`));
  }

  private emit(e: BaresipEvent): void {
    for (const l of [...this.listeners]) l(e);
    this.opts.onEvent?.(e);
  }
}
