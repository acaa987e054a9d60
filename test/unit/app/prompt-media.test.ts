// Which sound a caller hears: the number's greeting in its language, the shipped prompt otherwise, and
// every shipped prompt exists in every shipped language.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PromptMedia } from '../../../src/app/prompt-media';
import type { DirectoryStore } from '../../../src/app/ports';
import type { Greeting, NumberConfig } from '../../../src/domain/model';
import { PROMPT_IDS } from '../../../src/domain/prompts';
import { installedLanguages } from '../../../src/sounds';

const soundsDir = path.resolve(__dirname, '../../../sounds');

function greetingsOf(list: Greeting[]): Pick<DirectoryStore, 'greeting' | 'greetingLanguages'> {
  return {
    greeting: (name, language) => Promise.resolve(list.find((g) => g.name === name && g.language === language)),
    greetingLanguages: (name) => Promise.resolve(list.filter((g) => g.name === name).map((g) => g.language)),
  };
}

const number: NumberConfig = {
  did: '+4930123456',
  kind: 'voice',
  queue: 'support',
  callbackEnabled: true,
  callbackLanguage: 'de',
  callbackGreeting: 'spring-offer',
  confirmationGreeting: null,
  outboundTrunk: 'loop',
};

describe('prompt media', () => {
  it('English and German are installed', () => {
    expect(installedLanguages(soundsDir)).to.include.members(['en', 'de']);
  });

  for (const lang of ['en', 'de']) {
    it(`every prompt the flows use exists in ${lang}`, () => {
      const missing = PROMPT_IDS.filter((id) => !fs.existsSync(path.join(soundsDir, lang, `${id}.wav`)));
      expect(missing).to.deep.equal([]);
    });
  }

  const media = (greetings: Greeting[], installed = ['de', 'en'], systemDefault = 'en') =>
    new PromptMedia({ prefix: 'callbackd', installed, defaultLanguage: () => Promise.resolve(systemDefault) }, greetingsOf(greetings));

  it("a call hears the number's callback language when its prompts are installed", async () => {
    expect(await media([]).languageFor(number)).to.equal('de');
  });

  it('a number whose language has no prompts falls back to the system default, then English', async () => {
    expect(await media([], ['en', 'fr'], 'fr').languageFor({ ...number, callbackLanguage: 'it' })).to.equal('fr');
    expect(await media([], ['en'], 'fr').languageFor({ ...number, callbackLanguage: 'it' })).to.equal('en');
  });

  it("the number's own offer greeting is played in the call's language", async () => {
    const m = media([
      { name: 'spring-offer', kind: 'callback-offer', language: 'en', sound: 'callbackd/custom/spring-en' },
      { name: 'spring-offer', kind: 'callback-offer', language: 'de', sound: 'callbackd/custom/spring-de' },
    ]);
    expect(await m.media({ kind: 'greeting', which: 'offer' }, 'de', number)).to.equal('sound:callbackd/custom/spring-de');
  });

  it('a greeting missing in the call language falls back to the system default language version', async () => {
    const m = media([{ name: 'spring-offer', kind: 'callback-offer', language: 'en', sound: 'callbackd/custom/spring-en' }]);
    expect(await m.media({ kind: 'greeting', which: 'offer' }, 'de', number)).to.equal('sound:callbackd/custom/spring-en');
  });

  it('without a configured greeting the shipped prompt of that kind plays', async () => {
    expect(await media([]).media({ kind: 'greeting', which: 'confirmation' }, 'de', number)).to.equal('sound:callbackd/de/confirmation');
    expect(await media([]).media({ kind: 'prompt', id: 'digit-7' }, 'en', number)).to.equal('sound:callbackd/en/digit-7');
  });
});
