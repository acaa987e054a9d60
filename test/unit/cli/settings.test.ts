import { expect } from 'chai';
import { parseSetting } from '../../../src/cli/settings';
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
  });
});
