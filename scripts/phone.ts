// scripts/phone <extension>: be the agent. Runs a real SIP phone (headless baresip, the same one the
// tests use) registered to the sandbox as the agent's desk phone, and drives it from the keyboard: log
// in with *45, take a callback offer (it rings with the customer's number), press 1 to call the customer
// or 2 to decline. It prints the name of every prompt Asterisk plays to the phone, since a headless
// phone has no loudspeaker.
import { AGENT_PASSWORDS, type PhoneCall, SIP_SERVER, SipPhone, uriUser } from '../test/integration/harness/sip-phone';
import type { BaresipEvent } from '../test/integration/harness/baresip';
import { AriTelephony } from '../src/ari/ari-telephony';
import { die, onStopSignal, promptName, readKeys, say, watchAsterisk } from './lib/terminal';

const USAGE = `usage: scripts/phone <extension> [--password <password>] [--server <host:port>]
  <extension>  the sandbox's agent phones are 1001 and 1002 (agents 1001/1002 in scripts/dev's demo)
keys: l logs in (*45) · o logs out (*46) · a answers · 0-9 * # are sent as DTMF · h hangs up
      u unregisters (phone "switched off") · r registers again · q quits`;

function parseArgs(argv: string[]): { user: string; password: string; server: string } {
  let user: string | undefined;
  let password: string | undefined;
  let server = SIP_SERVER;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      say(USAGE);
      process.exit(0);
    } else if (a === '--password') password = argv[++i] ?? die(USAGE);
    else if (a === '--server') server = argv[++i] ?? die(USAGE);
    else if (a.startsWith('-')) die(`unknown option ${a}\n${USAGE}`);
    else if (user === undefined) user = a;
    else die(USAGE);
  }
  if (user === undefined) die(USAGE);
  password ??= AGENT_PASSWORDS[user] ?? die(`no password known for ${user}: the sandbox has phones 1001 and 1002 (or give --password)`);
  return { user, password, server };
}

function describe(e: BaresipEvent): string | undefined {
  switch (e.type) {
    case 'REGISTER_OK':
      return 'registered: Asterisk shows this phone online';
    case 'REGISTER_FAIL':
      return `registration failed: ${e.param ?? ''}`;
    case 'UNREGISTERING':
      return 'unregistered: this phone is offline for Asterisk (r registers again)';
    case 'CALL_INCOMING':
      return `☎ ringing: ${uriUser(e.peeruri ?? '')} calls (a answers, h rejects)`;
    case 'CALL_ESTABLISHED':
      return `call with ${uriUser(e.peeruri ?? '')} is up`;
    case 'CALL_CLOSED':
      return `call ended${e.param ? ` (${e.param})` : ''}`;
    default:
      return undefined;
  }
}

/** Shows what the daemon plays to this phone: prompts on channels named PJSIP/<extension>-…. */
async function showPrompts(extension: string): Promise<() => Promise<void>> {
  const conn = await watchAsterisk(`callbackd-phone-${extension}`);
  const telephony = new AriTelephony(conn);
  const names = new Map<string, string>();
  telephony.on(async (e) => {
    if (e.type !== 'playback-started') return;
    if (!names.has(e.channelId)) {
      const channel = await conn.api.channels.get({ channelId: e.channelId }).catch(() => undefined);
      names.set(e.channelId, channel?.name ?? '');
    }
    if (names.get(e.channelId)!.startsWith(`PJSIP/${extension}-`)) say(`  ♪ ${promptName(e.media)}`);
  });
  return () => conn.stop();
}

async function main(): Promise<void> {
  const { user, password, server } = parseArgs(process.argv.slice(2));
  say(`starting phone ${user} (registering at ${server}) …`);
  const phone = await SipPhone.start({
    user,
    password,
    server,
    maxCallSeconds: 3600,
    onEvent: (e) => {
      const line = describe(e);
      if (line) say(line);
    },
  }).catch((err: Error) => die(`${err.message}\nis the sandbox running? (scripts/dev, or scripts/asterisk-sandbox start)`));
  const stopPrompts = await showPrompts(user).catch((err: Error) => {
    say(`(prompt names unavailable: ${err.message})`);
    return () => Promise.resolve();
  });
  say(USAGE.slice(USAGE.indexOf('keys:')));

  const live = (): PhoneCall | undefined => phone.history.filter((c) => c.state !== 'closed').at(-1);
  const quit = async () => {
    stopKeys();
    await phone.stop();
    await stopPrompts();
    process.exit(0);
  };
  onStopSignal(quit);
  const stopKeys = readKeys(
    async (key) => {
      const call = live();
      switch (key) {
        case 'q':
          return quit();
        case 'l':
        case 'o':
          if (call) return say('  (hang up first)');
          say(key === 'l' ? 'dialling *45 (log in) …' : 'dialling *46 (log out) …');
          await phone.dial(key === 'l' ? '*45' : '*46');
          return;
        case 'a':
          if (call?.direction !== 'incoming' || call.state !== 'ringing') return say('  (nothing is ringing)');
          return call.answer();
        case 'h':
          return call?.hangup();
        case 'u':
          return phone.unregister();
        case 'r':
          return phone.register();
        default:
          if (!/^[0-9*#]$/.test(key)) return say(`  (key '${key}' does nothing; see the keys above)`);
          if (call?.state !== 'established') return say(`  (no call is up to send ${key} on)`);
          say(`  → ${key}`);
          return call.press(key, 0);
      }
    },
    () => undefined,
  );
}

main().catch((err: Error) => die(`scripts/phone: ${err.message}`));
