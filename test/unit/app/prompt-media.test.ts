// Which sound a caller hears: the number's greeting in its language, the shipped prompt otherwise, and
// every shipped prompt exists in every shipped language.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { installedLanguages, PromptMedia } from '../../../src/app/prompt-media';
import type { Greeting, NumberConfig } from '../../../src/domain/model';
import { PROMPT_IDS } from '../../../src/domain/prompts';
import type { GreetingsRepo } from '../../../src/app/ports';

const soundsDir = path.resolve(__dirname, '../../../sounds');

function greetingsOf(list: Greeting[]): GreetingsRepo {
  return {
    get: (name, language) => list.find((g) => g.name === name && g.language === language),
    languages: (name) => list.filter((g) => g.name === name).map((g) => g.language),
    list: () => list,
    upsert: () => undefined,
    remove: () => 0,
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
    new PromptMedia({ prefix: 'callbackd', installed, defaultLanguage: () => systemDefault }, greetingsOf(greetings));

  it("a call hears the number's callback language when its prompts are installed", () => {
    expect(media([]).languageFor(number)).to.equal('de');
  });

  it('a number whose language has no prompts falls back to the system default, then English', () => {
    expect(media([], ['en', 'fr'], 'fr').languageFor({ ...number, callbackLanguage: 'it' })).to.equal('fr');
    expect(media([], ['en'], 'fr').languageFor({ ...number, callbackLanguage: 'it' })).to.equal('en');
  });

  it("the number's own offer greeting is played in the call's language", () => {
    const m = media([
      { name: 'spring-offer', kind: 'callback-offer', language: 'en', sound: 'callbackd/custom/spring-en' },
      { name: 'spring-offer', kind: 'callback-offer', language: 'de', sound: 'callbackd/custom/spring-de' },
    ]);
    expect(m.media({ kind: 'greeting', which: 'offer' }, 'de', number)).to.equal('sound:callbackd/custom/spring-de');
  });

  it('a greeting missing in the call language falls back to the system default language version', () => {
    const m = media([{ name: 'spring-offer', kind: 'callback-offer', language: 'en', sound: 'callbackd/custom/spring-en' }]);
    expect(m.media({ kind: 'greeting', which: 'offer' }, 'de', number)).to.equal('sound:callbackd/custom/spring-en');
  });

  it('without a configured greeting the shipped prompt of that kind plays', () => {
    expect(media([]).media({ kind: 'greeting', which: 'confirmation' }, 'de', number)).to.equal('sound:callbackd/de/confirmation');
    expect(media([]).media({ kind: 'prompt', id: 'digit-7' }, 'en', number)).to.equal('sound:callbackd/en/digit-7');
  });
});
