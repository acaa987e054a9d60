// Shared by the interactive scripts (scripts/call, scripts/phone): ARI credentials from the environment,
// keys from the terminal one at a time, and the names of the prompts Asterisk plays on a channel.
import { AriConnection } from '../../src/ari/connection';
import { silentLogger } from '../../src/log';

export const ari = {
  url: process.env.CALLBACKD_ARI_URL ?? 'http://127.0.0.1:8088',
  user: process.env.CALLBACKD_ARI_USER ?? 'callbackd',
  password: process.env.CALLBACKD_ARI_PASSWORD ?? 'callbackd-dev',
};

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function die(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * Feeds every key typed (raw terminal: no Enter needed) or piped in to `onKey`, one after the other:
 * the next key waits until the handler of the previous one finished. ',' pauses one second (as in a
 * dial string), Ctrl-C arrives as 'q'. `onEnd` runs when piped input is exhausted.
 */
export function readKeys(onKey: (key: string) => Promise<void>, onEnd: () => void): () => void {
  const tty = process.stdin.isTTY;
  if (tty) process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  let chain = Promise.resolve();
  const handle = (key: string) => {
    chain = chain
      .then(() => (key === ',' ? new Promise<void>((r) => setTimeout(r, 1000)) : onKey(key === '\u0003' ? 'q' : key)))
      .catch((err: Error) => say(`  ! ${err.message}`));
  };
  process.stdin.on('data', (text: string) => {
    for (const key of text) if (key !== '\n' && key !== '\r' && key !== ' ') handle(key);
  });
  process.stdin.on('end', () => void chain.then(onEnd));
  process.stdin.resume();
  return () => {
    if (tty) process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}

/** Ctrl-C without a raw terminal (piped keys) and a kill end the script as cleanly as 'q' does. */
export function onStopSignal(stop: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop());
}

/** "sound:callbackd/en/offer" → "en/offer"; other media as Asterisk names them. */
export function promptName(media: string): string {
  return media.replace(/^sound:/, '').replace(/^callbackd\//, '');
}

/**
 * An ARI connection that sees every channel's events (subscribeAll), so a script can show what the
 * daemon plays on channels that belong to the daemon's app, not to the script's.
 */
export async function watchAsterisk(app: string): Promise<AriConnection> {
  const conn = new AriConnection({ ...ari, app, requestTimeoutMs: 5000, subscribeAll: true, log: silentLogger() });
  await conn.start();
  return conn;
}
