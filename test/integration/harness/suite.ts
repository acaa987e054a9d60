// The hooks every call-center suite needs: the test line (callers and the simulated PSTN), the agents'
// real SIP phones (baresip, registered as 1001/1002), a fresh daemon per test on its own database, and a
// clean Asterisk afterwards. Call inside a describe(); read line/d/phones in tests.
import { requireAsterisk } from './env';
import { SipPhone, stopAllPhones } from './sip-phone';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from './test-daemon';
import { TestLine } from './test-line';

export interface Suite {
  line: TestLine;
  d: TestDaemon;
  /** The agents' desk phones by extension, registered before the daemon starts. */
  phones: Record<string, SipPhone>;
}

export interface SuiteOptions {
  /** Agent phones to start (and register) for every test, e.g. ['1001', '1002']; default none. */
  phones?: string[];
}

export function callCenterSuite(daemonOptions: () => TestDaemonOptions = () => ({}), opts: SuiteOptions = {}): Suite {
  const suite = {} as Suite;
  before(async () => {
    await requireAsterisk();
    suite.line = await TestLine.open();
  });
  beforeEach(async () => {
    suite.line.startTest();
    // New phones per test: nothing a phone saw in one test (a late ring, a lost registration) can leak
    // into the next. Registered before the daemon starts, so it finds them online.
    const extensions = opts.phones ?? [];
    const started = await Promise.all(extensions.map((ext) => SipPhone.agent(ext)));
    suite.phones = Object.fromEntries(extensions.map((ext, i) => [ext, started[i]]));
    suite.d = await startTestDaemon(daemonOptions());
  });
  afterEach(async () => {
    await suite.line.hangupAll();
    await stopAllPhones();
    // Cleared first: if the next beforeEach fails before starting a daemon, this one is not stopped twice.
    const d = suite.d as TestDaemon | undefined;
    suite.d = undefined as never;
    await d?.stop();
  });
  after(async () => {
    await stopAllPhones();
    await suite.line?.close();
  });
  return suite;
}
