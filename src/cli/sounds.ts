// Sound files for greetings: where a sound name lives under sounds.dir, whether a WAV is already in
// the form Asterisk's format_wav plays (8 kHz, mono, 16-bit PCM), converting it with sox if not, and
// the same recording in the formats Asterisk plays without transcoding (as scripts/generate-sounds
// ships the prompts): .sln16 for wideband (G.722) calls, .ulaw and .alaw for G.711 ones.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './errors';

export interface WavFormat {
  /** 1 = PCM; 3 = float; 0xfffe = extensible. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Reads the fmt chunk of a RIFF/WAVE header; undefined if the bytes are not a WAV file. */
export function readWavFormat(header: Buffer): WavFormat | undefined {
  if (header.length < 12 || header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  // Chunks may come in any order (LIST before fmt is common), each padded to an even size.
  for (let at = 12; at + 8 <= header.length;) {
    const id = header.toString('ascii', at, at + 4);
    const size = header.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 24 <= header.length) {
      return {
        audioFormat: header.readUInt16LE(at + 8),
        channels: header.readUInt16LE(at + 10),
        sampleRate: header.readUInt32LE(at + 12),
        bitsPerSample: header.readUInt16LE(at + 22),
      };
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** What Asterisk plays from a .wav without transcoding surprises: 8 kHz mono signed 16-bit PCM. */
export function isTelephoneWav(f: WavFormat | undefined): boolean {
  return f !== undefined && f.audioFormat === 1 && f.channels === 1 && f.sampleRate === 8000 && f.bitsPerSample === 16;
}

const ENCODINGS: Record<number, string> = { 1: 'PCM', 3: 'float', 6: 'A-law', 7: 'µ-law', 0xfffe: 'extensible' };

export function describeFormat(f: WavFormat | undefined): string {
  if (!f) return 'not a WAV file';
  const encoding = ENCODINGS[f.audioFormat] ?? `format ${f.audioFormat}`;
  return `${f.sampleRate} Hz, ${f.channels} channel(s), ${f.bitsPerSample}-bit ${encoding}`;
}

/**
 * The formats installed beside a greeting's .wav; Asterisk picks, per call, the one that needs the
 * least transcoding for the call's codec. sox type and options for each (sln16 is raw 16 kHz 16-bit).
 */
export const EXTRA_FORMATS: ReadonlyArray<{ ext: string; sox: string[] }> = [
  { ext: 'sln16', sox: ['-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer'] },
  { ext: 'ulaw', sox: ['-t', 'ul', '-r', '8000', '-c', '1'] },
  { ext: 'alaw', sox: ['-t', 'al', '-r', '8000', '-c', '1'] },
];

/** Every file of a greeting installed at `wavFile`: the .wav and its siblings in EXTRA_FORMATS. */
export function soundFiles(wavFile: string): string[] {
  const base = wavFile.replace(/\.wav$/, '');
  return [wavFile, ...EXTRA_FORMATS.map((f) => `${base}.${f.ext}`)];
}

/** Sound name and file of an uploaded greeting: <prefix>/custom/<lang>/<name>, <dir>/custom/<lang>/<name>.wav */
export function customSound(prefix: string, soundsDir: string, language: string, name: string): { sound: string; file: string } {
  return { sound: `${prefix}/custom/${language}/${name}`, file: path.join(soundsDir, 'custom', language, `${name}.wav`) };
}

/** Formats Asterisk may pick for a sound name; any one of them makes the sound playable. */
const EXTENSIONS = ['wav', 'WAV', 'gsm', 'ulaw', 'alaw', 'sln', 'sln16', 'g722'];

/**
 * The file behind an Asterisk sound name, if the sound lies under sounds.prefix (the part of the
 * Asterisk sounds tree that is sounds.dir). 'outside' = cannot be checked from here.
 */
export function findSoundFile(prefix: string, soundsDir: string, sound: string): { file: string } | 'missing' | 'outside' {
  if (!sound.startsWith(`${prefix}/`)) return 'outside';
  const base = path.join(soundsDir, sound.slice(prefix.length + 1));
  // A sound name with '..' could point anywhere; it is not one the CLI wrote.
  if (!base.startsWith(soundsDir + path.sep)) return 'outside';
  for (const ext of EXTENSIONS) {
    const file = `${base}.${ext}`;
    if (fs.existsSync(file)) return { file };
  }
  return 'missing';
}

function readHeader(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs sox; a CliError that says what failed (or that sox is missing) otherwise. */
function runSox(sox: string, args: string[], what: string): void {
  const r = spawnSync(sox, args, { encoding: 'utf8' });
  if (r.error) {
    const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'sox is not installed (apt-get install sox)' : r.error.message;
    throw new CliError('CLI_SOUND_FAILED', `${what}, but ${why}`);
  }
  if (r.status !== 0) {
    const line = (r.stderr || '').split('\n').find((l) => l.trim() !== '') ?? `exit code ${r.status}`;
    throw new CliError('CLI_SOUND_FAILED', `sox failed: ${what}: ${line.trim()}`);
  }
}

function hasSox(sox: string): boolean {
  return spawnSync(sox, ['--version'], { encoding: 'utf8' }).error === undefined;
}

export interface Installed {
  /** Whether the .wav had to be converted (it was not 8 kHz mono 16-bit PCM). */
  converted: boolean;
  /** What the recording was, e.g. "44100 Hz, 2 channel(s), 16-bit PCM". */
  from: string;
  /** The files written, .wav first. */
  files: string[];
}

/**
 * Puts `source` at `target` as 8 kHz mono 16-bit WAV (copied as is when it already is one, else
 * converted with sox) and beside it the .sln16/.ulaw/.alaw versions made with sox: the .sln16 from the
 * recording itself, so a wideband recording keeps its quality. Each file is written to a temporary
 * name and renamed, so the daemon never plays half a file. An 8 kHz WAV without sox on the machine
 * gets the .wav alone (older versions of the other formats are removed: they would play instead).
 */
/** rw for the owner, r for the group (Asterisk's), nothing for others. */
export const GREETING_MODE = 0o640;

export function installSound(source: string, target: string, sox = 'sox'): Installed {
  let header: Buffer;
  try {
    header = readHeader(source);
  } catch (err) {
    throw new CliError('CLI_SOUND_FAILED', `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const format = readWavFormat(header);
  const from = describeFormat(format);
  const converted = !isTelephoneWav(format);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const [, ...extras] = soundFiles(target);
  const withExtras = converted || hasSox(sox);
  const tmp = (file: string) => `${file}.tmp-${process.pid}`;
  /** Files finished under their temporary name, renamed into place together at the end. */
  const written: string[] = [];
  try {
    if (converted) {
      const why = `${source} is ${from} and needs converting to 8 kHz mono`;
      runSox(sox, [source, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'wav', tmp(target)], why);
    } else {
      fs.copyFileSync(source, tmp(target));
    }
    written.push(target);
    if (withExtras) {
      EXTRA_FORMATS.forEach((f, i) => {
        // Wideband from the recording; the G.711 ones from the 8 kHz wav, the audio every caller hears.
        const input = f.ext === 'sln16' ? source : tmp(target);
        runSox(sox, [input, ...f.sox, tmp(extras[i])], `making the .${f.ext} of ${source}`);
        written.push(extras[i]);
      });
    }
    for (const file of written) {
      // Readable for Asterisk through the group (run callbackd with Asterisk's group), nobody else:
      // greetings may hold names or numbers. copyFile would keep the recording's own mode.
      fs.chmodSync(tmp(file), GREETING_MODE);
      fs.renameSync(tmp(file), file);
    }
    if (!withExtras) for (const file of extras) fs.rmSync(file, { force: true });
  } catch (err) {
    for (const file of soundFiles(target)) fs.rmSync(tmp(file), { force: true });
    if (err instanceof CliError) throw err;
    throw new CliError('CLI_SOUND_FAILED', `cannot install ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  return { converted, from, files: written };
}
