// Where the integration tests find Asterisk: the sandbox (scripts/asterisk-sandbox start) by default,
// or an external Asterisk through CALLBACKD_ARI_URL / _USER / _PASSWORD. There is no skipping: if
// Asterisk is not there, the suite fails and says how to start it.
import { preflight } from '../../../src/ari/preflight';

export const ari = {
  url: process.env.CALLBACKD_ARI_URL ?? 'http://127.0.0.1:8088',
  user: process.env.CALLBACKD_ARI_USER ?? 'callbackd',
  password: process.env.CALLBACKD_ARI_PASSWORD ?? 'callbackd-dev',
};

/** True when the tests may restart Asterisk themselves (it is our sandbox, we are root). */
export const ownsSandbox = !process.env.CALLBACKD_ARI_URL && process.getuid?.() === 0;

export async function requireAsterisk(): Promise<void> {
  try {
    await preflight(ari, 3000);
  } catch (err) {
    throw new Error(
      `integration tests need a running Asterisk: ${(err as Error).message}. ` +
        'Start the sandbox with `sudo scripts/asterisk-sandbox start` or point CALLBACKD_ARI_URL at one.',
      { cause: err },
    );
  }
}
