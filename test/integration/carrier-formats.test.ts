// Numbers as real trunks deliver them (issue: works on a real PBX): German carriers send caller IDs
// and DIDs national (0151…, 030…), with the country code but no + (49…) or with 00 (0049…), and mark
// a withheld number by its presentation while still sending the digits. The daemon turns them into
// E.164 where the call enters, with the DID's country for national forms.
import { expect } from 'chai';
import { type Caller, dial, hears } from './harness/caller-steps';
import { DID_EN, type TestDaemon } from './harness/test-daemon';
import { callCenterSuite } from './harness/suite';
import type { TestLine } from './harness/test-line';

describe('numbers as carriers send them', function () {
  this.timeout(90_000);
  let line: TestLine;
  let d: TestDaemon;
  const suite = callCenterSuite();
  beforeEach(() => ({ line, d } = suite));

  const slotFor = (number: string) => d.daemon.sqlite.entries.open('support').find((e) => e.callbackNumber === number);

  async function pressOneAt(caller: Caller): Promise<void> {
    await hears(d, caller, 'en/offer');
    await caller.call.press('1');
  }

  const callerIds: Array<[string, string, string]> = [
    ['national (0151…)', '015112345690', '+4915112345690'],
    ['with the country code but no + (49…)', '4915112345691', '+4915112345691'],
    ['with 00 for + (0049…)', '004915112345692', '+4915112345692'],
  ];
  for (const [form, raw, e164] of callerIds) {
    it(`a caller ID ${form} presses 1 and is called back on ${e164}`, async () => {
      const caller = await dial(line, d, DID_EN, raw);
      await pressOneAt(caller);
      await hears(d, caller, 'en/confirmation');
      expect(slotFor(e164), `callback slot for ${e164}`).to.include({ kind: 'callback', state: 'pending', did: DID_EN });
    });
  }

  it('a caller ID sent with presentation "prohibited" counts as withheld: press 1 asks for a number', async () => {
    const caller = await dial(line, d, DID_EN, '+4915112345694', { presentation: 'prohib' });
    await pressOneAt(caller);
    await hears(d, caller, 'en/caller-id-unavailable');
    expect(slotFor('+4915112345694'), 'never called back on a withheld number').to.equal(undefined);
  });

  for (const did of ['4930123456', '004930123456', '030123456']) {
    it(`a call for the DID delivered as ${did} is served as ${DID_EN}`, async () => {
      const caller = await dial(line, d, did, '+4915112345695');
      await hears(d, caller, 'en/welcome');
      const entry = d.daemon.sqlite.entries.open('support').find((e) => e.channelId === caller.channelId);
      expect(entry).to.include({ did: DID_EN, callerId: '+4915112345695', state: 'waiting' });
    });
  }
});
