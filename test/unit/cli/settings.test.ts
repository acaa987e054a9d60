import { expect } from 'chai';
import { parseSetting, viewSetting } from '../../../src/cli/settings';
import { DEFAULT_BLOCKED_PREFIXES } from '../../../src/domain/toll-guard';
import { type CallbackdError } from '../../../src/errors';
import { makeCliEnv, type CliEnv } from './cli-env';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as CallbackdError).code;
  }
  return 'no error';
}

describe('cli/settings', () => {
  it('blocked_prefixes are normalised to +prefixes', () => {
    expect(parseSetting('blocked_prefixes', '49900, +881', ['en'])).to.deep.equal({ key: 'blocked_prefixes', value: '+49900,+881' });
  });

  it('a prefix that is not digits is refused', () => {
    expect(codeOf(() => parseSetting('blocked_prefixes', '+49-900', ['en']))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('blocked_prefixes may be set empty: no prefixes at all, replacing the defaults', () => {
    expect(parseSetting('blocked_prefixes', '', ['en'])).to.deep.equal({ key: 'blocked_prefixes', value: '' });
    expect(parseSetting('blocked_prefixes', ' , ', ['en'])).to.deep.equal({ key: 'blocked_prefixes', value: '' });
  });

  it("blocked_prefixes may name the shipped list as 'default', to extend it or return to it", () => {
    expect(parseSetting('blocked_prefixes', 'Default, 4989', ['en'])).to.deep.equal({ key: 'blocked_prefixes', value: 'default,+4989' });
    expect(parseSetting('blocked_prefixes', 'default', ['en'])).to.deep.equal({ key: 'blocked_prefixes', value: 'default' });
  });

  it('blocked_prefixes lists each prefix once', () => {
    expect(parseSetting('blocked_prefixes', '+881,881, +881', ['en']).value).to.equal('+881');
  });

  const badPrefixes: Array<[string, string]> = [
    ['a dash inside', '+49-900'],
    ['a leading zero (national form)', '0900'],
    ['a + alone', '+'],
    ['letters', '+49abc'],
    ['more than 15 digits', '+1234567890123456'],
    ['a space inside', '+49 900'],
  ];
  for (const [name, value] of badPrefixes) {
    it(`a blocked prefix with ${name} is refused with the rule ('${value}')`, () => {
      expect(() => parseSetting('blocked_prefixes', value, ['en'])).to.throw(/is not an E\.164 prefix such as \+49900 \('\+' and digits\)/);
    });
  }

  it('an unset blocked_prefixes shows the shipped defaults as in effect', () => {
    expect(viewSetting('blocked_prefixes', undefined, 'en')).to.deep.include({
      value: DEFAULT_BLOCKED_PREFIXES.join(','),
      source: 'default',
      stored: null,
    });
  });

  it("a set blocked_prefixes shows what applies, with 'default' expanded", () => {
    expect(viewSetting('blocked_prefixes', 'default,+4989', 'en')).to.deep.include({
      value: [...DEFAULT_BLOCKED_PREFIXES, '+4989'].join(','),
      source: 'set',
      stored: 'default,+4989',
    });
    expect(viewSetting('blocked_prefixes', '', 'en')).to.deep.include({ value: '', source: 'set', stored: '' });
  });

  it('an unset default_language shows the configured language', () => {
    expect(viewSetting('default_language', undefined, 'de')).to.deep.include({ value: 'de', source: 'default' });
    expect(viewSetting('default_language', 'en', 'de')).to.deep.include({ value: 'en', source: 'set' });
  });

  it('default_language must have prompts installed', () => {
    expect(parseSetting('default_language', 'DE', ['de', 'en'])).to.deep.equal({ key: 'default_language', value: 'de' });
    expect(codeOf(() => parseSetting('default_language', 'fr', ['de', 'en']))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('an unknown key names the known ones', () => {
    let message = '';
    try {
      parseSetting('blocked_prefix', '+49900', []);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include("unknown setting 'blocked_prefix'").and.include('blocked_prefixes');
  });

  describe('commands', () => {
    let env: CliEnv;
    beforeEach(() => (env = makeCliEnv()));
    afterEach(() => env.cleanup());

    it('settings set stores the value the daemon reads', async () => {
      await env.run(['settings', 'set', 'blocked_prefixes', '+49900,+4919']);
      expect(env.store().settings.get('blocked_prefixes')).to.equal('+49900,+4919');
      const listed = JSON.parse(await env.run(['settings', 'list', '--json'])) as Array<{ key: string; value: string }>;
      expect(listed.find((r) => r.key === 'blocked_prefixes')?.value).to.equal('+49900,+4919');
    });

    it('settings get shows the defaults in effect while blocked_prefixes is unset', async () => {
      expect(await env.run(['settings', 'get', 'blocked_prefixes'])).to.equal(
        `blocked_prefixes = ${DEFAULT_BLOCKED_PREFIXES.join(',')} (default; unset)\n`,
      );
      expect(JSON.parse(await env.run(['settings', 'get', 'blocked_prefixes', '--json']))).to.deep.include({
        key: 'blocked_prefixes',
        source: 'default',
        stored: null,
      });
    });

    it('settings get shows a set list, an empty list and an extended default list', async () => {
      await env.run(['settings', 'set', 'blocked_prefixes', '+4989']);
      expect(await env.run(['settings', 'get', 'blocked_prefixes'])).to.equal('blocked_prefixes = +4989\n');
      await env.run(['settings', 'set', 'blocked_prefixes', '']);
      expect(env.store().settings.get('blocked_prefixes')).to.equal('');
      expect(await env.run(['settings', 'get', 'blocked_prefixes'])).to.equal('blocked_prefixes = (none)\n');
      await env.run(['settings', 'set', 'blocked_prefixes', 'default,+4989']);
      expect(await env.run(['settings', 'get', 'blocked_prefixes'])).to.equal(
        `blocked_prefixes = ${[...DEFAULT_BLOCKED_PREFIXES, '+4989'].join(',')} (set to 'default,+4989')\n`,
      );
    });

    it('settings set refuses a bad prefix and keeps the stored value', async () => {
      await env.run(['settings', 'set', 'blocked_prefixes', '+4989']);
      const err = await env.fail(['settings', 'set', 'blocked_prefixes', '+4989,0900']);
      expect(err.code).to.equal('CLI_INVALID_ARGUMENT');
      expect(err.message).to.include("'0900' is not an E.164 prefix");
      expect(env.store().settings.get('blocked_prefixes')).to.equal('+4989');
    });

    it('settings get of an unknown key names the known ones', async () => {
      expect((await env.fail(['settings', 'get', 'blocked_prefix'])).message).to.include('known: default_language, blocked_prefixes');
    });

    it('settings list shows each value in effect and where it comes from', async () => {
      const listed = JSON.parse(await env.run(['settings', 'list', '--json'])) as Array<{ key: string; value: string; source: string }>;
      expect(listed.find((r) => r.key === 'blocked_prefixes')).to.deep.include({
        value: DEFAULT_BLOCKED_PREFIXES.join(','),
        source: 'default',
      });
      expect(await env.run(['settings', 'list'])).to.match(/blocked_prefixes\s+\+870,.*\+1900\s+default/);
    });
  });
});
