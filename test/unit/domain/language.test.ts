import { expect } from 'chai';
import { resolveLanguage } from '../../../src/domain/language';

describe('resolveLanguage', () => {
  const cases: [string, (string | null | undefined)[], readonly string[], string | undefined, string][] = [
    ["the number's language wins when the prompt exists in it", ['fr', 'de'], ['en', 'de', 'fr'], undefined, 'fr'],
    ['the system default is used when the number has no language', [null, 'de'], ['en', 'de'], undefined, 'de'],
    ["the system default is used when the number's language lacks the prompt", ['fr', 'de'], ['en', 'de'], undefined, 'de'],
    ['English is the last resort', ['fr', 'it'], ['de'], undefined, 'en'],
    ['English is used when there are no preferences at all', [null, undefined], ['de'], undefined, 'en'],
    ['a custom fallback is honoured', ['fr'], [], 'de', 'de'],
    ['the fallback is lower-cased', ['fr'], [], 'DE', 'de'],
    ['matching ignores case and answers in lower case', ['DE'], ['De'], undefined, 'de'],
    ['a region subtag falls back to its base language', ['de-DE'], ['en', 'de'], undefined, 'de'],
    ['an exact region match beats the base language', ['de-AT'], ['de', 'de-at'], undefined, 'de-at'],
    ['a region subtag with different case still matches exactly', ['pt-BR'], ['pt', 'pt-br'], undefined, 'pt-br'],
    ['hyphen and underscore region separators are equivalent', ['pt-BR'], ['pt', 'pt_BR'], undefined, 'pt_br'],
    ["the number's base language beats the system default", ['de-AT', 'fr'], ['de', 'fr'], undefined, 'de'],
    ['a base language does not match a regional prompt', ['de'], ['de-at'], undefined, 'en'],
    ['blank preferences are skipped', ['  ', 'de'], ['de'], undefined, 'de'],
  ];
  for (const [name, preferred, available, fallback, expected] of cases) {
    it(name, () => {
      expect(resolveLanguage(preferred, available, fallback)).to.equal(expected);
    });
  }

  it('accepts a Set of available languages', () => {
    expect(resolveLanguage(['fr', 'de'], new Set(['de']))).to.equal('de');
  });
});
