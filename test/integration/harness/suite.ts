// The hooks every call-center suite needs: the test line (our SIP phones), a fresh daemon per test on
// its own database, and a clean Asterisk afterwards. Call inside a describe(); read line/d in tests.
import { requireAsterisk } from './env';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from './test-daemon';
import { TestLine } from './test-line';

export interface Suite {
  line: TestLine;
  d: TestDaemon;
}

export function callCenterSuite(daemonOptions: () => TestDaemonOptions = () => ({})): Suite {
  const suite = {} as Suite;
  before(async () => {
    await requireAsterisk();
    suite.line = await TestLine.open();
  });
  beforeEach(async () => {
    suite.line.startTest();
    suite.d = await startTestDaemon(daemonOptions());
  });
  afterEach(async () => {
    await suite.line.hangupAll();
    await suite.d.stop();
  });
  after(async () => {
    await suite.line?.close();
  });
  return suite;
}
