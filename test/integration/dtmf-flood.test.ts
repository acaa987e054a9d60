// Issue 21 item 1 over real SIP: one caller flooding RFC 4733 events must not take ARI down for the
// others. Before the request pool and the key rate limit, 600 events in 3 s left 1,178 "HTTP session
// count exceeded" in Asterisk's log and a new caller unanswered for up to 80 s.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CallEntered, TelephonyEvent } from '../../src/app/telephony';
import { type Caller, dial, eventually, hears, rowsOf } from './harness/caller-steps';
import { RawSipCaller } from './harness/raw-sip-caller';
import { callCenterSuite } from './harness/suite';
import { DID_EN, type TestDaemon } from './harness/test-daemon';
import type { TestLine } from './harness/test-line';

const ASTERISK_LOG = path.join(
  process.env.CALLBACKD_SANDBOX_DIR ?? path.resolve(__dirname, '../../.sandbox'),
  'rootfs/var/log/asterisk/messages',
);

/** Asterisk's own count of HTTP connections it turned away (http.conf sessionlimit, 100). */
function sessionRefusals(): number {
  if (!fs.existsSync(ASTERISK_LOG)) throw new Error(`this test reads the sandbox Asterisk's log, ${ASTERISK_LOG} is missing`);
  return (fs.readFileSync(ASTERISK_LOG, 'utf8').match(/HTTP session count exceeded/g) ?? []).length;
}

describe('a DTMF flood from one caller (issue 21)', function () {
  this.timeout(180_000);
  let line: TestLine;
  let d: TestDaemon;
  const suite = callCenterSuite();
  beforeEach(() => ({ line, d } = suite));
  const flooders: RawSipCaller[] = [];
  afterEach(async () => {
    await Promise.all(flooders.splice(0).map((f) => f.hangup()));
  });

  async function flooder(callerId: string): Promise<{ raw: RawSipCaller; caller: Caller }> {
    const from = d.events.events.length;
    const raw = await RawSipCaller.call(DID_EN, callerId);
    flooders.push(raw);
    const { event } = await d.events.waitFor(
      (e: TelephonyEvent): e is CallEntered => e.type === 'call-entered' && e.callerId === callerId,
      {
        from,
        what: `daemon side of the raw SIP caller ${callerId}`,
      },
    );
    return {
      raw,
      caller: {
        call: { press: () => Promise.resolve(), hangup: () => raw.hangup(), ended: () => Promise.resolve() },
        channelId: event.channelId,
        callerId,
      },
    };
  }

  const keysSeen = (channelId: string) => d.events.events.filter((e) => e.type === 'dtmf' && e.channelId === channelId).length;

  it('600 events in 3 s: no HTTP session refused, a second caller is answered and confirmed, the flooder still gets one decision', async () => {
    const refusedBefore = sessionRefusals();
    const { raw, caller } = await flooder('+4915112345790');
    await hears(d, caller, 'en/offer');

    const t0 = Date.now();
    await raw.flood('5', 600, 3000);
    const floodMs = Date.now() - t0;

    // A normal caller arriving right after the storm is answered, offered and confirmed as usual.
    const second = await dial(line, d, DID_EN, '+4915112345791');
    await hears(d, second, 'en/offer', { timeoutMs: 20_000 });
    await second.call.press('1');
    await hears(d, second, 'en/confirmation', { timeoutMs: 20_000 });
    expect(rowsOf(d, second).filter((r) => r.kind === 'callback')).to.have.length(1);

    // The flooder's keys reached the daemon (the storm was real), and its own 1s are one decision.
    const seen = await eventually(
      () => (keysSeen(caller.channelId) >= 500 ? keysSeen(caller.channelId) : undefined),
      'the flood reaching the daemon',
      30_000,
    );
    const confirmFrom = d.events.events.length;
    await raw.flood('1', 100, 500);
    await hears(d, caller, 'en/confirmation', { from: confirmFrom, timeoutMs: 20_000 });
    await eventually(() => raw.ended || undefined, 'the daemon hanging up on the flooder', 20_000);
    const callbacks = rowsOf(d, caller).filter((r) => r.kind === 'callback');
    expect(callbacks, 'exactly one callback request from the flooder').to.have.length(1);
    const confirmations = d.events.events.filter(
      (e) => e.type === 'playback-started' && e.channelId === caller.channelId && e.media === 'sound:callbackd/en/confirmation',
    );
    expect(confirmations).to.have.length(1);

    const refused = sessionRefusals() - refusedBefore;
    console.log(`      flood: ${seen} keys seen by the daemon in ${floodMs} ms of flooding; Asterisk refused ${refused} HTTP sessions`);
    expect(refused, '"HTTP session count exceeded" in Asterisk\'s log').to.equal(0);
  });
});
