// Real SIP user agents end to end (baresip, see harness/sip-phone.ts): agent phones that register with
// a password and go offline when they unregister, and a caller whose own SIP phone dials the DID.
import { expect } from 'chai';
import { daemonHungUp, dial, dialFromPhone, eventually, hears, openEntry, sleep } from './harness/caller-steps';
import { SipPhone } from './harness/sip-phone';
import { callCenterSuite } from './harness/suite';
import { DID_EN, logIn, type TestDaemon } from './harness/test-daemon';
import type { TestLine } from './harness/test-line';

/** The daemon polls endpoint states this often (src/daemon.ts ENDPOINT_POLL_MS). */
const ENDPOINT_POLL_MS = 5000;

describe('real SIP phones', function () {
  this.timeout(120_000);
  let line: TestLine;
  let d: TestDaemon;
  let phones: Record<string, SipPhone>;
  const suite = callCenterSuite(undefined, { phones: ['1001', '1002'] });
  beforeEach(() => ({ line, d, phones } = suite));

  const endpointState = async (ext: string) => (await line.connection.api.endpoints.get({ tech: 'PJSIP', resource: ext })).state;

  it('an agent phone registers with its password and is online; a wrong password is refused', async () => {
    expect(phones['1001'].isRegistered).to.equal(true);
    expect(await endpointState('1001')).to.equal('online');

    let refused: Error | undefined;
    await SipPhone.start({ user: '1002', password: 'not-the-password' }).catch((err: Error) => (refused = err));
    expect(refused?.message).to.match(/registration of 1002 failed/);
    expect(await endpointState('1002'), 'the real 1002 keeps its registration').to.equal('online');
  });

  it('a caller dials the DID from a SIP phone and leaves a callback; the agent phone rings with that number, presses 1, and the customer is bridged', async () => {
    const mobile = await SipPhone.caller('+4915112345740');
    const caller = await dialFromPhone(mobile, d, DID_EN);
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    await daemonHungUp(d, caller);
    await caller.call.ended();
    const slot = openEntry(d, caller)!;
    expect(slot).to.include({ kind: 'callback', callbackNumber: '+4915112345740' });

    await logIn(d, '1001');
    const offer = await phones['1001'].waitForCall();
    expect(offer.callerId, 'the agent phone shows the customer number').to.equal('+4915112345740');
    await offer.answer();
    const { event } = await d.events.waitFor(
      (e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-callback-request',
      {
        what: 'callback request announced to the agent',
      },
    );
    await offer.press('1');

    const customer = await line.ringing('customer', '+4915112345740');
    expect(customer.callerId, 'the customer sees the number they called').to.equal(DID_EN);
    await customer.answer();
    await eventually(() => d.daemon.sqlite.entries.get(slot.id)?.state === 'done', 'callback done');
    const agentLeg = (event as { channelId: string }).channelId;
    // Recorded before bridged: the bridge follows the 'done' row by one ARI round trip.
    const bridge = await eventually(
      async () => (await line.connection.api.bridges.list()).find((b) => b.channels.includes(agentLeg) && b.channels.length === 2),
      'agent and customer in one bridge',
      5_000,
    );
    expect(bridge.channels, 'agent and customer in one bridge').to.have.length(2);

    await offer.hangup();
    await customer.ended();
  });

  it('an unregistered phone is offered nothing until it registers again', async () => {
    await logIn(d, '1001');
    const unregisteredAt = Date.now();
    await phones['1001'].unregister();
    await eventually(() => d.daemon.sqlite.agents.get('1001')!.online === false, 'agent phone seen offline', ENDPOINT_POLL_MS + 2000);
    expect(Date.now() - unregisteredAt, 'noticed within one endpoint poll').to.be.below(ENDPOINT_POLL_MS + 2000);

    const caller = await dial(line, d, DID_EN, '+4915112345741');
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
    await hears(d, caller, 'en/confirmation');
    await daemonHungUp(d, caller);
    // Two dispatcher rounds and more: the only logged-in agent's phone is offline, so nothing is tried.
    await sleep(5000);
    expect(openEntry(d, caller)).to.include({ kind: 'callback', state: 'pending' });
    expect(d.daemon.sqlite.agents.get('1001')).to.include({ state: 'available', missed: 0 });

    const registeredAt = Date.now();
    await phones['1001'].register();
    const offer = await phones['1001'].waitForCall({ timeoutMs: ENDPOINT_POLL_MS + 5000 });
    expect(offer.callerId).to.equal('+4915112345741');
    expect(Date.now() - registeredAt, 'offered within one endpoint poll and a dispatch round').to.be.below(ENDPOINT_POLL_MS + 5000);
    expect(d.daemon.sqlite.agents.get('1001')!.online).to.equal(true);
  });

  it('a phone that vanishes without unregistering (power cut) is seen offline once it stops answering the qualify', async () => {
    await logIn(d, '1001');
    await phones['1001'].crash();
    expect(await endpointState('1001'), 'still registered right after').to.equal('online');
    // qualify_frequency 10 s + qualify_timeout 2 s in the sandbox, then the daemon's next endpoint poll.
    await eventually(
      () => d.daemon.sqlite.agents.get('1001')!.online === false,
      'agent phone seen offline',
      12_000 + ENDPOINT_POLL_MS + 3000,
    );
    expect(await endpointState('1001')).to.equal('offline');
  });

  it('prompts play from the file that fits the phone: .ulaw for a G.711 phone, .sln16 for a G.722 one', async () => {
    await phones['1002'].stop();
    const wideband = await SipPhone.agent('1002', { codec: 'g722' });
    for (const [phone, format] of [
      [phones['1001'], 'ulaw'],
      [wideband, 'slin16'],
    ] as const) {
      const mark = d.events.events.length;
      const login = await phone.dial('*45');
      const { event } = await d.events.waitFor((e) => e.type === 'playback-started' && e.media === 'sound:callbackd/en/agent-logged-in', {
        from: mark,
        what: `login confirmed to ${phone.opts.user}`,
      });
      // While a file plays, Asterisk writes in the file's format: no transcoding step in between.
      const { value } = await line.connection.api.channels.getChannelVar({
        channelId: (event as { channelId: string }).channelId,
        variable: 'CHANNEL(audiowriteformat)',
      });
      expect(value, `format played to ${phone.opts.user}`).to.equal(format);
      await login.ended();
    }
  });
});
