// scripts/call <DID> [--from <number>]: be the caller. Places a real SIP call into the sandbox (over the
// loop trunk, as a call from the PSTN), prints the name of every prompt the daemon plays to you, and
// sends the keys you type as RFC 4733 DTMF. When the daemon later calls a number back, the call rings
// here too ("the PSTN" is this script): answer it and you are the customer talking to the agent.
import { randomUUID } from 'node:crypto';
import { AriTelephony } from '../src/ari/ari-telephony';
import type { TelephonyEvent } from '../src/app/telephony';
import { ari, die, onStopSignal, promptName, readKeys, say, watchAsterisk } from './lib/terminal';

/** The app the sandbox dialplan hands "PSTN" calls to (from-trunk: Stasis(callbackd-test,customer,…)). */
const PSTN_APP = 'callbackd-test';

const USAGE = `usage: scripts/call <DID> [--from <number>]
  <DID>            the number to call, e.g. +4930123456 (English demo) or +4930123457 (German)
  --from <number>  your caller ID (default +4915112345678); "anonymous" calls with a withheld number
keys: 0-9 * # are sent as DTMF · a answers a callback ringing here · h hangs up · q quits`;

interface Options {
  did: string;
  from: string;
}

function parseArgs(argv: string[]): Options {
  let did: string | undefined;
  let from = '+4915112345678';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      say(USAGE);
      process.exit(0);
    } else if (a === '--from') {
      from = argv[++i] ?? die(`--from needs a number\n${USAGE}`);
    } else if (a.startsWith('-')) {
      die(`unknown option ${a}\n${USAGE}`);
    } else if (did === undefined) {
      did = a;
    } else {
      die(`one DID only\n${USAGE}`);
    }
  }
  if (did === undefined) die(USAGE);
  if (!/^\+?[0-9]{3,15}$/.test(did)) die(`'${did}' is not a phone number (e.g. +4930123456)`);
  if (from !== 'anonymous' && !/^\+?[0-9]{2,15}$/.test(from)) die(`--from '${from}' is not a phone number (or "anonymous")`);
  return { did, from };
}

/** Another program (the integration tests?) already plays the PSTN: two would steal each other's calls. */
async function pstnAppTaken(): Promise<boolean> {
  const auth = Buffer.from(`${ari.user}:${ari.password}`).toString('base64');
  const res = await fetch(`${ari.url}/ari/applications/${PSTN_APP}`, { headers: { authorization: `Basic ${auth}` } }).catch(
    () => undefined,
  );
  return res?.status === 200;
}

interface Leg {
  channelId: string;
  kind: 'caller' | 'customer';
  up: boolean;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (await pstnAppTaken()) die(`ARI app ${PSTN_APP} is already connected (integration tests running?); try again when they are done`);
  const conn = await watchAsterisk(PSTN_APP).catch((err: Error) =>
    die(`${err.message}\nis the sandbox running? (scripts/dev, or scripts/asterisk-sandbox start)`),
  );
  const telephony = new AriTelephony(conn);
  const legs = new Map<string, Leg>();
  /** The daemon's side of our call, where it plays the prompts. */
  let daemonLeg: string | undefined;
  /** Prompts seen before we knew which channel is the daemon's (it may answer and play at once). */
  const early: Array<{ channelId: string; media: string }> = [];
  let callerDone = false;
  let inputDone = false;

  const current = () => [...legs.values()].at(-1);
  const quit = async () => {
    stopKeys();
    for (const leg of legs.values()) await telephony.hangup(leg.channelId).catch(() => undefined);
    await conn.stop();
    process.exit(0);
  };
  const maybeFinish = () => {
    // Piped keys: once they are used up, stay only while a call is going on.
    if (inputDone && callerDone && legs.size === 0) void quit();
  };

  const findDaemonLeg = async (ours: string) => {
    for (let i = 0; i < 20 && !daemonLeg; i++) {
      const channels = await conn.api.channels.list();
      daemonLeg = channels.find((c) => c.id !== ours && c.dialplan?.exten === opts.did && c.name.startsWith('PJSIP/loop-'))?.id;
      if (!daemonLeg) await new Promise((r) => setTimeout(r, 100));
    }
    for (const p of early.splice(0)) if (p.channelId === daemonLeg) say(`  ♪ ${promptName(p.media)}`);
  };

  telephony.on(async (e: TelephonyEvent) => {
    if (e.type === 'playback-started') {
      if (e.channelId === daemonLeg) say(`  ♪ ${promptName(e.media)}`);
      else if (!daemonLeg && !callerDone) early.push({ channelId: e.channelId, media: e.media });
    } else if (e.type === 'call-entered' && e.args[0] === 'caller' && legs.has(e.channelId)) {
      legs.get(e.channelId)!.up = true;
      say('answered. Type keys when the menu asks for them (h hangs up).');
      await findDaemonLeg(e.channelId);
    } else if (e.type === 'call-entered' && e.args[0] === 'customer') {
      legs.set(e.channelId, { channelId: e.channelId, kind: 'customer', up: false });
      say(`☎ the daemon calls ${e.args[1]} back, showing ${e.callerId || 'no number'}: a answers, h rejects`);
      if (!process.stdin.isTTY) setTimeout(() => void answer(), 1000);
    } else if ((e.type === 'call-left' || e.type === 'channel-destroyed') && legs.has(e.channelId)) {
      const leg = legs.get(e.channelId)!;
      legs.delete(e.channelId);
      if (leg.kind === 'caller' && !leg.up && e.type === 'channel-destroyed')
        say(`the call was not answered (${e.causeText || `cause ${e.cause}`}); is the daemon running (scripts/dev)?`);
      else say(leg.kind === 'caller' ? 'your call has ended.' : 'the callback has ended.');
      if (leg.kind === 'caller') {
        callerDone = true;
        daemonLeg = undefined;
        if (process.stdin.isTTY) say('waiting here for a callback (q quits)');
      }
      maybeFinish();
    }
  });

  const answer = async () => {
    const leg = [...legs.values()].find((l) => l.kind === 'customer' && !l.up);
    if (!leg) return say('  (nothing is ringing)');
    await telephony.answer(leg.channelId);
    leg.up = true;
    say('answered: you are the customer now; the agent is connected when they are ready.');
  };

  onStopSignal(quit);
  const stopKeys = readKeys(
    async (key) => {
      if (key === 'q') return quit();
      if (key === 'a') return answer();
      const leg = current();
      if (key === 'h') {
        if (leg) await telephony.hangup(leg.channelId, leg.up ? 'normal' : 'busy').catch(() => undefined);
        return;
      }
      if (!/^[0-9*#]$/.test(key)) return say(`  (key '${key}' does nothing; 0-9 * # a h q)`);
      if (!leg?.up) return say(`  (no call is up to send ${key} on)`);
      say(`  → ${key}`);
      await telephony.sendDtmf(leg.channelId, key);
    },
    () => {
      inputDone = true;
      maybeFinish();
    },
  );

  const channelId = randomUUID();
  legs.set(channelId, { channelId, kind: 'caller', up: false });
  const callerId = opts.from === 'anonymous' ? '"Anonymous" <anonymous>' : opts.from;
  say(`calling ${opts.did} from ${opts.from} …`);
  await telephony.originate({
    endpoint: `PJSIP/${opts.did}@loop`,
    callerId,
    app: PSTN_APP,
    appArgs: ['caller'],
    channelId,
    timeoutSeconds: 30,
  });
}

main().catch((err: Error) => die(`scripts/call: ${err.message}`));
