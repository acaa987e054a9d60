// `callbackd numbers`: argument checks as pure functions, then the commands against a temp database.
import { expect } from 'chai';
import { checkNumberRefs, parseNumberAdd, parseNumberSet, type NumberRefs } from '../../../src/cli/numbers';
import type { NumberConfig } from '../../../src/domain/model';
import { makeCliEnv, type CliEnv } from './cli-env';

const refs: NumberRefs = {
  queueExists: (q) => q === 'support',
  languages: ['de', 'en'],
  greetingKind: (name) => (name === 'spring' ? 'callback-offer' : name === 'thanks' ? 'callback-confirmation' : undefined),
};

const base: NumberConfig = {
  did: '+4930123456',
  kind: 'voice',
  queue: 'support',
  callbackEnabled: true,
  callbackLanguage: 'de',
  callbackGreeting: null,
  confirmationGreeting: null,
  outboundTrunk: 'loop',
  allowedCountries: null,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('cli/numbers argument checks', () => {
  it('builds a voice number with callback off by default, storing the DID as E.164', () => {
    expect(parseNumberAdd('004930123456', { queue: 'support' })).to.deep.equal({
      did: '+4930123456',
      kind: 'voice',
      queue: 'support',
      callbackEnabled: false,
      callbackLanguage: null,
      callbackGreeting: null,
      confirmationGreeting: null,
      outboundTrunk: null,
      allowedCountries: null,
      outboundCallerId: null,
    });
  });

  it('--allowed-countries takes ISO codes (normalised) or *, and refuses anything else', () => {
    expect(parseNumberAdd('+4930123456', { queue: 'support', allowedCountries: 'de, at' }).allowedCountries).to.equal('AT,DE');
    expect(parseNumberAdd('+4930123456', { queue: 'support', allowedCountries: '*' }).allowedCountries).to.equal('*');
    expect(codeOf(() => parseNumberAdd('+4930123456', { queue: 'support', allowedCountries: 'Germany' }))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => parseNumberAdd('+4930123456', { queue: 'support', allowedCountries: ',' }))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('needs --queue for add', () => {
    expect(codeOf(() => parseNumberAdd('+4930123456', {}))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('refuses callback on a digital number, on add and on set', () => {
    expect(codeOf(() => parseNumberAdd('+4930123456', { queue: 'support', kind: 'digital', callback: 'on' }))).to.equal(
      'CLI_CALLBACK_ON_DIGITAL',
    );
    expect(codeOf(() => parseNumberSet(base, { kind: 'digital' }))).to.equal('CLI_CALLBACK_ON_DIGITAL');
    expect(parseNumberSet(base, { kind: 'digital', callback: 'off' })).to.include({ kind: 'digital', callbackEnabled: false });
  });

  it('stores a DID given in any international notation as E.164', () => {
    for (const did of ['+49 30 123456', '0049-30-123456', '+49 (0)30 123456']) {
      expect(parseNumberAdd(did, { queue: 'support' }).did, did).to.equal('+4930123456');
    }
  });

  it('refuses a national-only DID with a message asking for the country code', () => {
    let message = '';
    try {
      parseNumberAdd('030 123456', { queue: 'support' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.equal(
      "DID '030 123456' is not an E.164 number: it must start with + (or 00) and the country code, e.g. +49 30 123456 instead of 030 123456",
    );
  });

  it('adds a digital entry point under a plain name, with callback off', () => {
    expect(parseNumberAdd('web-widget', { queue: 'support', kind: 'digital' })).to.include({
      did: 'web-widget',
      kind: 'digital',
      callbackEnabled: false,
    });
  });

  it('still adds a digital number that has a phone number, as E.164', () => {
    expect(parseNumberAdd('+49 30 123456', { queue: 'support', kind: 'digital' })).to.include({ did: '+4930123456', kind: 'digital' });
  });

  it('refuses callback on a digital entry point named by a name', () => {
    expect(codeOf(() => parseNumberAdd('web-widget', { queue: 'support', kind: 'digital', callback: 'on' }))).to.equal(
      'CLI_CALLBACK_ON_DIGITAL',
    );
  });

  it('refuses a digital entry point name that is no plain identifier', () => {
    expect(() => parseNumberAdd('web widget', { queue: 'support', kind: 'digital' })).to.throw(/at least one letter/);
  });

  it('refuses a name for a voice number, pointing to --kind digital', () => {
    expect(() => parseNumberAdd('web-widget', { queue: 'support' })).to.throw(/voice number needs its phone number.*--kind digital/);
    expect(codeOf(() => parseNumberAdd('web-widget', { queue: 'support', kind: 'voice' }))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('refuses to turn a named digital entry point into a voice number', () => {
    const web: NumberConfig = { ...base, did: 'web-widget', kind: 'digital', callbackEnabled: false };
    expect(() => parseNumberSet(web, { kind: 'voice' })).to.throw(/voice number needs its phone number/);
    expect(parseNumberSet(web, { queue: 'sales' })).to.include({ did: 'web-widget', queue: 'sales' });
  });

  it('clears settings given as --no-<option> and keeps the rest', () => {
    const n = parseNumberSet({ ...base, callbackGreeting: 'spring' }, { language: false, offerGreeting: false, trunk: false });
    expect(n).to.deep.equal({ ...base, callbackLanguage: null, callbackGreeting: null, outboundTrunk: null });
  });

  it('refuses a set that changes nothing', () => {
    expect(codeOf(() => parseNumberSet(base, {}))).to.equal('CLI_INVALID_ARGUMENT');
  });

  it('requires the queue, an installed language and greetings of the right kind to exist', () => {
    expect(codeOf(() => checkNumberRefs({ ...base, queue: 'sales' }, refs))).to.equal('CLI_NOT_FOUND');
    expect(codeOf(() => checkNumberRefs({ ...base, callbackLanguage: 'fr' }, refs))).to.equal('CLI_INVALID_ARGUMENT');
    expect(codeOf(() => checkNumberRefs({ ...base, callbackGreeting: 'missing' }, refs))).to.equal('CLI_NOT_FOUND');
    expect(codeOf(() => checkNumberRefs({ ...base, callbackGreeting: 'thanks' }, refs))).to.equal('CLI_INVALID_ARGUMENT');
    expect(
      checkNumberRefs({ ...base, callbackLanguage: 'DE', callbackGreeting: 'spring', confirmationGreeting: 'thanks' }, refs),
    ).to.include({
      callbackLanguage: 'de',
    });
  });
});

describe('cli/numbers commands', () => {
  let env: CliEnv;
  beforeEach(async () => {
    env = makeCliEnv();
    await env.run(['queues', 'add', 'support']);
  });
  afterEach(() => env.cleanup());

  it('adds a number and lists it as a table and as JSON', async () => {
    expect(
      await env.run(['numbers', 'add', '+4930123456', '--queue', 'support', '--callback', 'on', '--language', 'de', '--trunk', 'loop']),
    ).to.match(/added number \+4930123456/);
    const table = await env.run(['numbers', 'list']);
    expect(table.split('\n')[0]).to.match(/^DID\s+KIND\s+QUEUE\s+CALLBACK/);
    expect(table).to.match(/\+4930123456\s+voice\s+support\s+on\s+de/);
    expect(JSON.parse(await env.run(['numbers', 'list', '--json']))).to.deep.equal([{ ...base, outboundCallerId: null }]);
  });

  it('refuses a second add of the same number and a set of an unknown one', async () => {
    await env.run(['numbers', 'add', '+4930123456', '--queue', 'support']);
    expect((await env.fail(['numbers', 'add', '004930123456', '--queue', 'support'])).code).to.equal('CLI_ALREADY_EXISTS');
    expect((await env.fail(['numbers', 'set', '+4930123457', '--callback', 'on'])).code).to.equal('CLI_NOT_FOUND');
  });

  it('refuses callback on a digital number with the reason, and stores nothing', async () => {
    const err = await env.fail(['numbers', 'add', '+4930123456', '--queue', 'support', '--kind', 'digital', '--callback', 'on']);
    expect(err.code).to.equal('CLI_CALLBACK_ON_DIGITAL');
    expect(err.message).to.match(/digital.*only possible on voice numbers/);
    expect(JSON.parse(await env.run(['numbers', 'list', '--json']))).to.deep.equal([]);
  });

  it('changes only the given settings on set, and removes', async () => {
    await env.run(['numbers', 'add', '+4930123456', '--queue', 'support', '--language', 'en', '--trunk', 'loop']);
    await env.run(['numbers', 'set', '+4930123456', '--callback', 'on', '--no-language']);
    expect(env.store().numbers.get('+4930123456')).to.deep.include({
      callbackEnabled: true,
      callbackLanguage: null,
      outboundTrunk: 'loop',
    });
    expect(await env.run(['numbers', 'remove', '+4930123456'])).to.match(/removed/);
    expect((await env.fail(['numbers', 'remove', '+4930123456'])).code).to.equal('CLI_NOT_FOUND');
  });

  it('refuses to remove a number that still has open callbacks', async () => {
    await env.run(['numbers', 'add', '+4930123456', '--queue', 'support', '--callback', 'on']);
    const store = env.store();
    store.entries.addLive({ id: 'e1', queue: 'support', did: '+4930123456', channelId: 'c1', callerId: null, enteredAt: 1000 });
    store.entries.requestCallback({ entryId: 'e1', number: '+491701234567', requestedAt: 2000, language: 'en' });
    expect((await env.fail(['numbers', 'remove', '+4930123456'])).code).to.equal('CLI_CONFLICT');
  });

  it('finds a number by any international notation of its DID on add, set and remove', async () => {
    await env.run(['numbers', 'add', '+49 (0)30 123456', '--queue', 'support']);
    expect(env.store().numbers.get('+4930123456')).to.include({ did: '+4930123456' });
    await env.run(['numbers', 'set', '0049 30 123456', '--callback', 'on']);
    expect(env.store().numbers.get('+4930123456')).to.include({ callbackEnabled: true });
    expect(await env.run(['numbers', 'remove', '+49-30-123456'])).to.match(/removed number \+4930123456/);
  });

  it('refuses a national DID on the command line with the reason and exit code', async () => {
    const err = await env.fail(['numbers', 'add', '030123456', '--queue', 'support']);
    expect(err.code).to.equal('CLI_INVALID_ARGUMENT');
    expect(err.message).to.match(/country code/);
  });

  it('adds, changes and removes a digital entry point by name, refusing callback on it', async () => {
    await env.run(['numbers', 'add', 'web-widget', '--kind', 'digital', '--queue', 'support']);
    expect(await env.run(['numbers', 'list'])).to.match(/web-widget\s+digital\s+support\s+off/);
    const err = await env.fail(['numbers', 'set', 'web-widget', '--callback', 'on']);
    expect(err.code).to.equal('CLI_CALLBACK_ON_DIGITAL');
    expect(env.store().numbers.get('web-widget')).to.include({ callbackEnabled: false });
    expect(await env.run(['numbers', 'remove', 'web-widget'])).to.match(/removed number web-widget/);
  });

  it('refuses to list from a database file that does not exist instead of creating it', async () => {
    const err = await env.fail(['--db', `${env.dir}/nope.db`, 'numbers', 'list']);
    expect(err.code).to.equal('CLI_NO_DATABASE');
  });
});
