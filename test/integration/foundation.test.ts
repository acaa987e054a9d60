// The base: real SIP calls through the sandbox Asterisk reach the daemon, and the daemon survives
// Asterisk going away.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { CallEntered, TelephonyEvent } from '../../src/app/telephony';
import { ownsSandbox, requireAsterisk } from './harness/env';
import { DID_EN, DID_UNKNOWN, startTestDaemon, type TestDaemon } from './harness/test-daemon';
import { TestLine } from './harness/test-line';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

const enteredFrom =
  (callerId: string) =>
  (e: TelephonyEvent): e is CallEntered =>
    e.type === 'call-entered' && e.callerId === callerId;

describe('foundation: the daemon on a real Asterisk', function () {
  let line: TestLine;
  let d: TestDaemon;

  before(async () => {
    await requireAsterisk();
    line = await TestLine.open();
  });
  beforeEach(async () => {
    d = await startTestDaemon();
  });
  afterEach(async () => {
    await line.hangupAll();
    await d.stop();
  });
  after(async () => {
    await line?.close();
  });

  it('answers a SIP caller on +4930123456, plays a prompt, and receives its DTMF digits in order', async () => {
    // Callback off: the caller only hears the welcome and music on hold, so the keys mean nothing to the menu.
    d.daemon.sqlite.numbers.upsert({ ...d.daemon.sqlite.numbers.get(DID_EN)!, callbackEnabled: false });
    const call = await line.call(DID_EN, '+4915112345678');
    const { event: entered } = await d.events.waitFor(enteredFrom('+4915112345678'), { what: 'call-entered in daemon' });
    expect(entered.args).to.deep.equal([DID_EN]);
    expect(entered.endpoint).to.equal('PJSIP/loop');

    const started = await d.events.waitFor((e) => e.type === 'playback-started' && e.channelId === entered.channelId, { what: 'a prompt' });
    expect(started.event).to.include({ media: 'sound:callbackd/en/welcome' });

    await call.press('2580*#');
    const digits: string[] = [];
    let from = 0;
    while (digits.length < 6) {
      const { event, index } = await d.events.waitFor((e) => e.type === 'dtmf' && e.channelId === entered.channelId, {
        from,
        what: `digit ${digits.length + 1}`,
      });
      if (event.type === 'dtmf') digits.push(event.digit);
      from = index + 1;
    }
    expect(digits.join('')).to.equal('2580*#');
    await d.events.waitFor((e) => e.type === 'playback-finished' && e.channelId === entered.channelId, { what: 'welcome finished' });
    expect(d.daemon.router.has(entered.channelId)).to.equal(true);
  });

  it('a call to a DID that is not configured hears "not in service" and is hung up', async () => {
    const call = await line.call(DID_UNKNOWN, '+4915112345600');
    const { event: entered } = await d.events.waitFor(enteredFrom('+4915112345600'));
    const started = await d.events.waitFor((e) => e.type === 'playback-started' && e.channelId === entered.channelId);
    expect(started.event).to.include({ media: 'sound:callbackd/en/not-in-service' });
    await call.ended();
  });

  it('reconnects after Asterisk restarts under it and handles the next call', async function () {
    if (!ownsSandbox) this.skip(); // an external Asterisk is not ours to restart
    this.timeout(90_000);
    const from = d.events.events.length;
    await run('bash', [path.join(root, 'scripts/asterisk-sandbox'), 'restart'], { timeout: 60_000 });
    await d.events.waitFor((e) => e.type === 'connected' && e.reconnect, { from, timeoutMs: 45_000, what: 'daemon reconnect' });
    await line.recorder.waitFor((e) => e.type === 'connected' && e.reconnect, { timeoutMs: 45_000, what: 'test line reconnect' });

    await line.call(DID_EN, '+4915112345601');
    const { event: entered } = await d.events.waitFor(enteredFrom('+4915112345601'), { what: 'call after restart' });
    await d.events.waitFor((e) => e.type === 'playback-started' && e.channelId === entered.channelId, { what: 'prompt after restart' });
  });
});

describe('foundation: start-up errors', () => {
  // Files of its own per run: /tmp is shared with every other checkout on the machine, and a database
  // left there by a newer branch (a later migration) would make the start fail for another reason.
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-startup-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a wrong ARI password exits non-zero with one readable line', async function () {
    this.timeout(30_000);
    await requireAsterisk();
    const err = await run(path.join(root, 'bin/callbackd'), ['start'], {
      env: { ...process.env, CALLBACKD_ARI_PASSWORD: 'definitely-wrong', CALLBACKD_DB_PATH: path.join(dir, 'callbackd-wrong-pw.db') },
      timeout: 20_000,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err, 'the process should have failed').to.not.equal(undefined);
    expect(err!.code).to.equal(1);
    // The metrics endpoint comes up before ARI (so probes answer while Asterisk is away) and logs that it
    // listens: JSON log lines at info level may precede the error. Besides them: exactly one line, no
    // stack trace, and no error-level log repeating it.
    const all = (err!.stderr ?? '').trim().split('\n');
    const logLines = all.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; message: string });
    expect(
      logLines.map((l) => l.level).filter((lv) => lv !== 'info'),
      'only info log lines besides the error',
    ).to.deep.equal([]);
    const lines = all.filter((l) => !l.startsWith('{'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^callbackd: ARI_AUTH: .*rejected user 'callbackd'/);
    expect(all.join('\n')).to.not.include('definitely-wrong');
  });

  it('a corrupt database file stops the start with one line naming it, and is left untouched', async function () {
    this.timeout(30_000);
    const file = path.join(dir, 'callbackd-corrupt.db');
    const garbage = Buffer.alloc(8192, 0x5a);
    fs.writeFileSync(file, garbage);
    const err = await run(path.join(root, 'bin/callbackd'), ['start', '--db', file], { timeout: 20_000 }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err!.code).to.equal(1);
    const lines = (err!.stderr ?? '').trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^callbackd: STORE_CORRUPT: .*callbackd-corrupt\.db/);
    expect(fs.readFileSync(file).equals(garbage), 'nothing written to it').to.equal(true);
  });

  it('a misspelt config key is named in the error', async function () {
    this.timeout(30_000);
    const err = await run(path.join(root, 'bin/callbackd'), ['start'], {
      env: { ...process.env, CALLBACKD_IVR_OFFER_DELAY_SECONDS: 'soon' },
      timeout: 20_000,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(err!.code).to.equal(78); // EX_CONFIG: systemd's RestartPreventExitStatus=78 stops the restart loop
    expect(err!.stderr).to.include("config key 'ivr.offerDelaySeconds'");
  });
});
