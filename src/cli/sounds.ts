// Sound files for greetings: where a sound name lives under sounds.dir, whether a WAV is already in
// the form Asterisk's format_wav plays (8 kHz, mono, 16-bit PCM), and converting it with sox if not.
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

/**
 * Puts `source` at `target` as 8 kHz mono 16-bit WAV: copied as is when it already is one, else
 * converted with sox. Written to a temporary name and renamed, so the daemon never plays half a file.
 * Returns whether sox converted it.
 */
export function installSound(source: string, target: string, sox = 'sox'): { converted: boolean; from: string } {
  let header: Buffer;
  try {
    header = readHeader(source);
  } catch (err) {
    throw new CliError('CLI_SOUND_FAILED', `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const format = readWavFormat(header);
  const from = describeFormat(format);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}.wav`;
  try {
    if (isTelephoneWav(format)) {
      fs.copyFileSync(source, tmp);
    } else {
      const r = spawnSync(sox, [source, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', tmp], { encoding: 'utf8' });
      if (r.error) {
        const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'sox is not installed (apt-get install sox)' : r.error.message;
        throw new CliError('CLI_SOUND_FAILED', `${source} is ${from} and needs converting to 8 kHz mono, but ${why}`);
      }
      if (r.status !== 0) {
        const line = (r.stderr || '').split('\n').find((l) => l.trim() !== '') ?? `exit code ${r.status}`;
        throw new CliError('CLI_SOUND_FAILED', `sox could not convert ${source}: ${line.trim()}`);
      }
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (err instanceof CliError) throw err;
    throw new CliError('CLI_SOUND_FAILED', `cannot install ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  return { converted: !isTelephoneWav(format), from };
}
