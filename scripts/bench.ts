// `npm run bench [-- --n 50,100,200 | --quick] [--rate 20] [--timeout 120] [--retries 2] [--keep]`
//
// Load benchmark against the real (sandbox) Asterisk: for each N, N concurrent SIP callers through the
// loop trunk each wait for the callback offer, press 1 and hear the confirmation — once handled by the
// daemon (in this process, app `callbackd-bench`) and once by plain dialplan (context `bench-baseline`)
// for comparison. Latencies come from Asterisk's own event timestamps. See README "## Benchmark".
//
// It prints figures; a missed target is printed as FAIL but the exit code stays 0. Exit 1 means the
// harness itself failed (no Asterisk, a crash, …).
import os from 'node:os';
import { preflight } from '../src/ari/preflight';
import { baselineRound, BASELINE_DID, type BaselineRoundResult } from './bench/baseline-round';
import { ari, CALLER_APP, CHILD_FLAG, runCallerChild } from './bench/callers';
import { EARLY, type RoundOptions } from './bench/common';
import { BENCH_APP, daemonRound, DAEMON_DID, type DaemonRoundResult } from './bench/daemon-round';
import { fmt, percentile, sleep, table } from './bench/stats';

const TARGET_ADDED_P99_MS = 20;
const TARGET_AT_N = 200;
const TARGET_RSS_MB = 150;

interface Args {
  ns: number[];
  rate: number;
  timeoutSeconds: number;
  keep: boolean;
  retries: number;
}

function usage(msg: string): never {
  console.error(`bench: ${msg}\nusage: npm run bench -- [--n 50,100,200 | --quick] [--rate 20] [--timeout 120] [--retries 2] [--keep]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { ns: [50, 100, 200], rate: 20, timeoutSeconds: 120, keep: false, retries: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    const positive = (s: string) => {
      const v = Number(s);
      if (!Number.isFinite(v) || v <= 0) usage(`${a}: not a positive number: ${s}`);
      return v;
    };
    if (a === '--n')
      args.ns = value()
        .split(',')
        .map((s) => Math.round(positive(s)));
    else if (a === '--quick') args.ns = [10];
    else if (a === '--rate') args.rate = positive(value());
    else if (a === '--timeout') args.timeoutSeconds = positive(value());
    else if (a === '--keep') args.keep = true;
    else if (a === '--retries') args.retries = Math.round(Number(value()) || 0);
    else if (a === '--help' || a === '-h') usage('help');
    else usage(`unknown argument ${a}`);
  }
  if (args.ns.some((n) => n > 9999)) usage('--n: at most 9999 callers per round');
  return args;
}

/** The bench's app names must not be in use already (a second bench, or a stale one). */
async function checkAppsFree(): Promise<void> {
  const auth = Buffer.from(`${ari.user}:${ari.password}`).toString('base64');
  const res = await fetch(`${ari.url}/ari/applications`, {
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`GET /ari/applications answered HTTP ${res.status}`);
  const names = ((await res.json()) as Array<{ name: string }>).map((a) => a.name);
  const busy = [BENCH_APP, CALLER_APP].filter((n) => names.includes(n));
  if (busy.length > 0) throw new Error(`ARI app(s) ${busy.join(', ')} already connected: is another benchmark running?`);
}

interface Row {
  n: number;
  daemon: DaemonRoundResult & { attempts: number };
  baseline: BaselineRoundResult & { attempts: number };
}

const p = (v: number[], q: number) => percentile(v, q);
const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

interface RoundSummary {
  n: number;
  completed: boolean;
  message?: string;
  answered: number;
  pressed: number;
  confirmed: number;
  failures: string[];
  endedEarly: number;
  latencies: number[];
  wallMs: number;
}

function printRound(kind: string, r: RoundSummary): void {
  const lat = r.latencies;
  console.log(
    `  ${kind.padEnd(8)} N=${r.n}: answered ${r.answered}, pressed ${r.pressed}, confirmed ${r.confirmed}; ` +
      `key→confirmation p50 ${fmt(p(lat, 50))} ms, p99 ${fmt(p(lat, 99))} ms, max ${fmt(p(lat, 100))} ms (${lat.length} samples); ${(r.wallMs / 1000).toFixed(1)} s` +
      (r.completed ? '' : `\n    ROUND FAILED: ${r.message}`),
  );
  if (r.endedEarly > 0) console.log(`    ! ${r.endedEarly} calls ${EARLY}`);
  for (const f of r.failures.slice(0, 5)) console.log(`    ! ${f}`);
  if (r.failures.length > 5) console.log(`    ! … and ${r.failures.length - 5} more`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { version } = await preflight(ari, 5000);
  await checkAppsFree();
  const opts: RoundOptions = { script: __filename, rate: args.rate, timeoutSeconds: args.timeoutSeconds, keep: args.keep };
  console.log(
    `callbackd benchmark — Asterisk ${version} at ${ari.url}; N = ${args.ns.join(', ')}; ${args.rate} new calls/s; ` +
      `round limit ${args.timeoutSeconds} s\n` +
      `  daemon rounds: PJSIP/${DAEMON_DID}@loop → Stasis(${BENCH_APP}), daemon in this process (pid ${process.pid})\n` +
      `  baseline rounds: PJSIP/${BASELINE_DID}@loop → dialplan [bench-baseline]; callers: app ${CALLER_APP} in a child process`,
  );

  const rows: Row[] = [];
  let round = 0;
  for (const n of args.ns) {
    console.log(`\nN = ${n}`);
    const baseline = await withRetries(args.retries, 'baseline', () => baselineRound(round++, n, opts));
    await sleep(3000); // let Asterisk tear the last channels down
    const daemon = await withRetries(args.retries, 'daemon', () => daemonRound(round++, n, opts));
    console.log(
      `    daemon process: RSS ${fmt(daemon.rssIdleMb)} MB before start, peak ${fmt(daemon.rssPeakMb)} MB; CPU ${fmt(daemon.cpuMs, 0)} ms; ` +
        `SQLite commits ${daemon.commits.length}, p50 ${fmt(p(daemon.commits, 50), 2)} ms, p99 ${fmt(p(daemon.commits, 99), 2)} ms; ` +
        `callback slots in DB ${daemon.found}/${n}` +
        (daemon.daemonWarnings.length
          ? `; daemon logged ${daemon.daemonWarnings.length} warnings/errors, first: ${daemon.daemonWarnings[0]}`
          : ''),
    );
    rows.push({ n, daemon, baseline });
    await sleep(3000);
  }

  // ------------------------------------------------------------------ summary
  console.log('\nResults (latencies in ms from Asterisk event timestamps, 1 ms resolution)\n');
  const incomplete = (r: { completed: boolean }) => (r.completed ? '' : '*');
  console.log(
    table(
      ['N', 'daemon p50', 'daemon p99', 'baseline p50', 'baseline p99', 'added p99', 'RSS MB', 'CPU ms/call', 'SQLite commit p99', 'lost'],
      rows.map(({ n, daemon: d, baseline: b }) => {
        const added = added99(d, b);
        return [
          `${n}${incomplete(d) || incomplete(b)}`,
          fmt(p(d.latencies, 50)),
          fmt(p(d.latencies, 99)),
          fmt(p(b.latencies, 50)),
          fmt(p(b.latencies, 99)),
          fmt(added),
          fmt(d.rssPeakMb),
          fmt(d.cpuMs / n, 2),
          fmt(p(d.commits, 99), 2),
          String(d.lost),
        ];
      }),
    ),
  );
  console.log('');
  console.log(
    table(
      [
        'N',
        'daemon ok/N',
        'baseline ok/N',
        'attempts d/b',
        'peak calls up d/b',
        'up at key p50 d/b',
        'CPU total ms',
        'Asterisk CPU d/b',
        'BenchKey→conf p99',
      ],
      rows.map(({ n, daemon: d, baseline: b }) => [
        String(n),
        `${d.latencies.length}/${n}`,
        `${b.latencies.length}/${n}`,
        `${d.attempts}/${b.attempts}`,
        `${d.peakUp}/${b.peakUp}`,
        `${fmt(p(d.upAtPress, 50), 0)}/${fmt(p(b.upAtPress, 50), 0)}`,
        fmt(d.cpuMs, 0),
        `${fmt(d.asteriskCpuPct, 0)}%/${fmt(b.asteriskCpuPct, 0)}%`,
        fmt(p(b.keyToConfirm, 99)),
      ]),
    ),
  );
  if (rows.some((r) => !r.daemon.completed || !r.baseline.completed))
    console.log('  * a round of this N did not finish in time (see above); its figures cover the calls that got through');

  console.log(`
What the figures are:
  p50/p99           nearest rank over the callers of the round (with 50 samples p99 is the maximum); Asterisk
                    stamps events in whole milliseconds, so 0 means "within the same millisecond".
  daemon p50/p99    per caller, Asterisk's timestamp of ChannelDtmfReceived('1') on the daemon's channel → its
                    PlaybackStarted of sound:callbackd/en/confirmation. 1 is pressed 1 s into the offer, so this
                    covers: event to the daemon, stopping the offer (ARI), the fsync'd SQLite commit, the play
                    request (ARI) and Asterisk starting the playback.
  baseline p50/p99  the same caller flow in plain dialplan: the far leg's ChannelDtmfReceived('1') (ends Read()) →
                    its ChannelDialplan event for Playback(callbackd/en/confirmation) (observed with subscribeAll).
                    Dialplan cannot interrupt Playback, so these callers press 0.5 s into Read(), after the offer.
  added p99         daemon p99 − baseline p99: what running the request through callbackd costs at the 99th percentile.
  RSS MB            peak resident memory of this process (daemon + bench bookkeeping; the callers run in a child
                    process), sampled every 100 ms from daemon start to stop. Includes tsx and what earlier
                    rounds left on the heap of this same process: an upper bound for the daemon alone.
  CPU ms/call       process.cpuUsage() (user+system) of this process from the first call to the last hangup ÷ N:
                    the whole call (answer, welcome, music on hold, offer, key, commit, confirmation, hangup, and
                    logging at info to a file), not only the key press.
  SQLite commit p99 duration of store.entries.requestCallback() (BEGIN IMMEDIATE … COMMIT, synchronous=FULL), timed
                    around each call with performance.now().
  lost              N − pending callback slots for the N callers found in the database after the daemon stopped.
  ok/N              callers with a complete measurement; attempts: runs of the round (a round disturbed from
                    outside is run again, see --retries); peak calls up: our caller legs up at once (each is 2 SIP
                    channels in Asterisk); up at key: our calls up when each caller pressed 1 (median).
  Asterisk CPU      CPU of the sandbox Asterisk process during the round, % of one core (the machine has ${os.cpus().length}).
  BenchKey→conf     ChannelUserevent BenchKey → ChannelDialplan Playback(confirmation) in the baseline (dialplan only).`);

  // ------------------------------------------------------------------ targets
  console.log('\nTargets');
  const at = rows.find((r) => r.n === TARGET_AT_N);
  if (at) {
    const added = added99(at.daemon, at.baseline);
    const ok = added !== undefined && at.daemon.completed && at.baseline.completed && added < TARGET_ADDED_P99_MS;
    const why =
      added === undefined
        ? ` (no complete ${at.daemon.latencies.length === 0 ? 'daemon' : 'baseline'} measurement)`
        : at.daemon.completed && at.baseline.completed
          ? ''
          : ' (a round did not finish)';
    const disturbed = at.daemon.endedEarly + at.baseline.endedEarly > 0 ? ' (rounds disturbed from outside, see above)' : '';
    console.log(
      `  added p99 latency < ${TARGET_ADDED_P99_MS} ms at ${TARGET_AT_N} callers: ${fmt(added)} ms${why}${disturbed}  ${mark(ok)}`,
    );
  } else {
    const last = rows[rows.length - 1];
    console.log(
      `  added p99 latency < ${TARGET_ADDED_P99_MS} ms at ${TARGET_AT_N} callers: NOT MEASURED (N=${TARGET_AT_N} not in this run; ` +
        `at N=${last?.n}: ${fmt(last ? added99(last.daemon, last.baseline) : undefined)} ms)`,
    );
  }
  const rss = Math.max(...rows.map((r) => r.daemon.rssPeakMb));
  console.log(`  daemon RSS < ${TARGET_RSS_MB} MB: peak ${fmt(rss)} MB  ${mark(rss < TARGET_RSS_MB)}`);
  const lost = rows.reduce((s, r) => s + r.daemon.lost, 0);
  const notPressed = rows.reduce((s, r) => s + (r.n - r.daemon.pressed), 0);
  console.log(
    `  zero lost requests: ${lost} lost of ${rows.reduce((s, r) => s + r.n, 0)}` +
      (lost > 0 ? ` (${notPressed} of the callers never got to press 1)` : '') +
      `  ${mark(lost === 0)}`,
  );
}

/**
 * Runs a round; a round in which answered calls were hung up from outside before their measurement
 * (another ARI client ending channels) is run again, up to `retries` times, saying so.
 */
async function withRetries<R extends RoundSummary>(
  retries: number,
  kind: string,
  run: () => Promise<R>,
): Promise<R & { attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const r = await run();
    printRound(kind, r);
    if (r.endedEarly === 0 || attempt > retries) return { ...r, attempts: attempt };
    console.log(`    round disturbed from outside; running it again (attempt ${attempt + 1} of ${retries + 1})`);
    await sleep(3000);
  }
}

function added99(d: DaemonRoundResult, b: BaselineRoundResult): number | undefined {
  const dp = p(d.latencies, 99);
  const bp = p(b.latencies, 99);
  return dp === undefined || bp === undefined ? undefined : dp - bp;
}

if (process.argv.includes(CHILD_FLAG)) {
  runCallerChild().catch((err) => {
    console.error(`bench callers: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`bench: harness error: ${(err as Error).stack ?? err}`);
      process.exit(1);
    },
  );
}
