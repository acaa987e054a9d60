// `callbackd greetings`: argument checks, WAV format detection, and installing recordings under
// <sounds.dir>/custom/<lang>/<name>.wav (copied when already 8 kHz mono, converted by sox otherwise)
// with .sln16/.ulaw/.alaw beside it; and the shipped prompts, which come in the same set of formats.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkGreetingAdd, greetingUsers, parseGreetingAdd } from '../../../src/cli/greetings';
import { customSound, findSoundFile, installSound, isTelephoneWav, readWavFormat, soundFiles } from '../../../src/cli/sounds';
import type { Greeting, NumberConfig } from '../../../src/domain/model';
import { makeCliEnv, wavBytes, type CliEnv } from './cli-env';

const hasSox = spawnSync('sox', ['--version']).status === 0;

/** Samples in a mono 16-bit WAV's data chunk. */
function wavSamples(bytes: Buffer): number {
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32LE(at + 4);
    if (bytes.toString('ascii', at, at + 4) === 'data') return size / 2;
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Length in samples of each format of one sound: wav and ulaw/alaw at 8 kHz, sln16 at 16 kHz. */
function lengths(wavFile: string): { wav: number; sln16: number; ulaw: number; alaw: number } {
  const [wav, sln16, ulaw, alaw] = soundFiles(wavFile);
  return {
    wav: wavSamples(fs.readFileSync(wav)),
    sln16: fs.statSync(sln16).size / 2,
    ulaw: fs.statSync(ulaw).size,
    alaw: fs.statSync(alaw).size,
  };
}
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

describe('cli/greetings argument checks', () => {
  const spring: Greeting = { name: 'spring', kind: 'callback-offer', language: 'de', sound: 'callbackd/custom/de/spring' };

  it('needs kind, language and file, and an installed language', () => {
    expect(codeOf(() => parseGreetingAdd('spring', { language: 'de', file: 'x.wav' }, ['de']))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseGreetingAdd('spring', { kind: 'offer', file: 'x.wav' }, ['de']))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseGreetingAdd('spring', { kind: 'offer', language: 'de' }, ['de']))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseGreetingAdd('spring', { kind: 'offer', language: 'fr', file: 'x.wav' }, ['de']))).to.equal(
      'CLI_INVALID_ARGUMENT',
    );
    expect(codeOf(() => parseGreetingAdd('../x', { kind: 'offer', language: 'de', file: 'x.wav' }, ['de']))).to.equal(
      'CLI_INVALID_ARGUMENT',
    );
    expect(parseGreetingAdd('spring', { kind: 'offer', language: 'DE', file: 'x.wav' }, ['de'])).to.deep.equal({
      name: 'spring',
      kind: 'callback-offer',
      language: 'de',
      file: 'x.wav',
      replace: false,
    });
  });

  it('keeps one kind per greeting name and needs --replace to re-record a language', () => {
    const add = { name: 'spring', kind: 'callback-offer' as const, language: 'de', file: 'x', replace: false };
    expect(codeOf(() => checkGreetingAdd({ ...add, kind: 'callback-confirmation', language: 'en' }, [spring]))).to.equal('CLI_CONFLICT');
    expect(codeOf(() => checkGreetingAdd(add, [spring]))).to.equal('CLI_ALREADY_EXISTS');
    expect(codeOf(() => checkGreetingAdd({ ...add, replace: true }, [spring]))).to.equal('no error');
    expect(codeOf(() => checkGreetingAdd({ ...add, language: 'en' }, [spring]))).to.equal('no error');
  });

  it('reports the numbers that would lose a greeting only when its last language goes', () => {
    const n = { did: '+4930123456', callbackGreeting: 'spring', confirmationGreeting: null } as NumberConfig;
    expect(greetingUsers('spring', ['en'], [n])).to.deep.equal([]);
    expect(greetingUsers('spring', [], [n])).to.deep.equal(['+4930123456']);
    expect(greetingUsers('other', [], [n])).to.deep.equal([]);
  });

  it('reads the WAV format and accepts only 8 kHz mono 16-bit PCM as is', () => {
    expect(readWavFormat(wavBytes(8000, 1))).to.deep.equal({ audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    expect(isTelephoneWav(readWavFormat(wavBytes(8000, 1)))).to.equal(true);
    expect(isTelephoneWav(readWavFormat(wavBytes(44100, 2)))).to.equal(false);
    expect(isTelephoneWav(readWavFormat(wavBytes(8000, 1, 8)))).to.equal(false);
    expect(readWavFormat(Buffer.from('ID3 not a wav file at all'))).to.equal(undefined);
  });

  it('maps sound names under sounds.prefix to files and leaves others unchecked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-snd-'));
    try {
      const own = customSound('callbackd', dir, 'de', 'spring');
      expect(own.sound).to.equal('callbackd/custom/de/spring');
      expect(findSoundFile('callbackd', dir, own.sound)).to.equal('missing');
      fs.mkdirSync(path.dirname(own.file), { recursive: true });
      fs.writeFileSync(own.file, '');
      expect(findSoundFile('callbackd', dir, own.sound)).to.deep.equal({ file: own.file });
      expect(findSoundFile('callbackd', dir, 'custom/beep')).to.equal('outside');
      expect(findSoundFile('callbackd', dir, 'callbackd/../../etc/passwd')).to.equal('outside');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cli/greetings commands', () => {
  let env: CliEnv;
  beforeEach(() => {
    env = makeCliEnv();
  });
  afterEach(() => env.cleanup());

  it('copies an 8 kHz mono WAV unchanged and records the sound name', async () => {
    const rec = path.join(env.dir, 'thanks.wav');
    fs.writeFileSync(rec, wavBytes(8000, 1));
    const out = await env.run(['greetings', 'add', 'thanks', '--kind', 'confirmation', '--language', 'en', '--file', rec]);
    expect(out).to.match(/copied/);
    const target = path.join(env.soundsDir, 'custom', 'en', 'thanks.wav');
    expect(fs.readFileSync(target).equals(fs.readFileSync(rec))).to.equal(true);
    expect(JSON.parse(await env.run(['greetings', 'list', '--json']))).to.deep.equal([
      { name: 'thanks', kind: 'callback-confirmation', language: 'en', sound: 'callbackd/custom/en/thanks', file: 'ok' },
    ]);
  });

  it('converts a 44.1 kHz stereo WAV to 8 kHz mono with sox', async function () {
    if (!hasSox) this.skip();
    const rec = path.join(env.dir, 'spring.wav');
    fs.writeFileSync(rec, wavBytes(44100, 2));
    expect(await env.run(['greetings', 'add', 'spring', '--kind', 'offer', '--language', 'de', '--file', rec])).to.match(
      /converted from 44100 Hz, 2 channel/,
    );
    const installed = fs.readFileSync(path.join(env.soundsDir, 'custom', 'de', 'spring.wav'));
    expect(isTelephoneWav(readWavFormat(installed))).to.equal(true);
  });

  it('installs the recording also as .sln16 (16 kHz), .ulaw and .alaw, all as long as the .wav', async () => {
    const rec = path.join(env.dir, 'spring.wav');
    fs.writeFileSync(rec, wavBytes(44100, 2, 16, 1));
    const out = await env.run(['greetings', 'add', 'spring', '--kind', 'offer', '--language', 'de', '--file', rec]);
    expect(out).to.match(/also \.sln16 \.ulaw \.alaw/);
    expect(lengths(path.join(env.soundsDir, 'custom', 'de', 'spring.wav'))).to.deep.equal({
      wav: 8000,
      sln16: 16000,
      ulaw: 8000,
      alaw: 8000,
    });
  });

  it('without sox an 8 kHz WAV is installed alone, and older .sln16/.ulaw/.alaw of it are removed so they cannot play instead', () => {
    const target = path.join(env.soundsDir, 'custom', 'en', 'thanks.wav');
    const first = path.join(env.dir, 'first.wav');
    fs.writeFileSync(first, wavBytes(8000, 1, 16, 1));
    expect(installSound(first, target).files).to.deep.equal(soundFiles(target));

    const second = path.join(env.dir, 'second.wav');
    fs.writeFileSync(second, wavBytes(8000, 1, 16, 0.5));
    const installed = installSound(second, target, 'sox-that-is-not-installed');
    expect(installed).to.deep.include({ converted: false, files: [target] });
    expect(fs.readFileSync(target).equals(fs.readFileSync(second))).to.equal(true);
    expect(
      soundFiles(target)
        .slice(1)
        .filter((f) => fs.existsSync(f)),
    ).to.deep.equal([]);
  });

  it('without sox a recording that needs converting is refused with the reason', () => {
    const rec = path.join(env.dir, 'stereo.wav');
    fs.writeFileSync(rec, wavBytes(44100, 2));
    const target = path.join(env.soundsDir, 'custom', 'en', 'stereo.wav');
    expect(() => installSound(rec, target, 'sox-that-is-not-installed'))
      .to.throw(/needs converting to 8 kHz mono, but sox is not installed/)
      .with.property('code', 'CLI_SOUND_FAILED');
    expect(fs.readdirSync(path.dirname(target))).to.deep.equal([]);
  });

  it('refuses a missing recording and leaves no greeting behind', async () => {
    const err = await env.fail([
      'greetings',
      'add',
      'spring',
      '--kind',
      'offer',
      '--language',
      'de',
      '--file',
      path.join(env.dir, 'nope.wav'),
    ]);
    expect(err.code).to.equal('CLI_NOT_FOUND');
    expect(JSON.parse(await env.run(['greetings', 'list', '--json']))).to.deep.equal([]);
  });

  it('refuses to remove a greeting a number uses, removes it (and its file) once unused', async () => {
    const rec = path.join(env.dir, 'spring.wav');
    fs.writeFileSync(rec, wavBytes(8000, 1));
    await env.run(['greetings', 'add', 'spring', '--kind', 'offer', '--language', 'de', '--file', rec]);
    await env.run(['queues', 'add', 'support']);
    await env.run(['numbers', 'add', '+4930123456', '--queue', 'support', '--callback', 'on', '--offer-greeting', 'spring']);
    expect((await env.fail(['greetings', 'remove', 'spring'])).code).to.equal('CLI_CONFLICT');
    await env.run(['numbers', 'set', '+4930123456', '--no-offer-greeting']);
    expect(await env.run(['greetings', 'remove', 'spring'])).to.match(/removed greeting spring \(de\)/);
    expect(fs.existsSync(path.join(env.soundsDir, 'custom', 'de', 'spring.wav'))).to.equal(false);
    expect(soundFiles(path.join(env.soundsDir, 'custom', 'de', 'spring.wav')).filter((f) => fs.existsSync(f))).to.deep.equal([]);
    expect((await env.fail(['greetings', 'remove', 'spring'])).code).to.equal('CLI_NOT_FOUND');
  });
});

describe('shipped prompts (sounds/, made by scripts/generate-sounds)', () => {
  const sounds = path.resolve(__dirname, '../../../sounds');
  const wavs = fs
    .readdirSync(sounds)
    .filter((d) => d !== 'text' && d !== 'custom')
    .flatMap((d) =>
      fs
        .readdirSync(path.join(sounds, d))
        .filter((f) => f.endsWith('.wav'))
        .map((f) => path.join(sounds, d, f)),
    );

  it('come as .wav, .sln16, .ulaw and .alaw of the same length, so Asterisk never has to transcode them', () => {
    expect(wavs.length).to.be.greaterThan(100);
    const wrong = wavs.filter((wav) => {
      if (!soundFiles(wav).every((f) => fs.existsSync(f))) return true;
      const n = lengths(wav);
      // sln16 is resampled from the voice's own 22 kHz, not from the 8 kHz wav: a sample either way.
      return n.ulaw !== n.wav || n.alaw !== n.wav || Math.abs(n.sln16 - 2 * n.wav) > 2;
    });
    expect(wrong.map((f) => path.relative(sounds, f))).to.deep.equal([]);
  });

  it('the .wav files are 8 kHz mono 16-bit PCM', () => {
    const wrong = wavs.filter((wav) => !isTelephoneWav(readWavFormat(fs.readFileSync(wav).subarray(0, 4096))));
    expect(wrong.map((f) => path.relative(sounds, f))).to.deep.equal([]);
  });
});
