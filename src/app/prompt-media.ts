// Turns what a flow wants to say (PromptRef) into Asterisk media URIs, in the call's language.
// The language is chosen once per call (domain/language.ts languageForNumber); a number's own greeting
// is looked up in the store, in the call's language, falling back to the system default's version.
import { languageForNumber, resolveLanguage } from '../domain/language';
import type { NumberConfig } from '../domain/model';
import type { PromptId, PromptRef } from '../domain/prompts';
import type { DirectoryStore } from './ports';

/** The system default language: the `default_language` setting wins over the configured one. */
export async function systemLanguage(directory: Pick<DirectoryStore, 'setting'>, configured: string): Promise<string> {
  return (await directory.setting('default_language')) ?? configured;
}

export class PromptMedia {
  constructor(
    private readonly opts: { prefix: string; installed: readonly string[]; defaultLanguage: () => Promise<string> },
    private readonly directory: Pick<DirectoryStore, 'greeting' | 'greetingLanguages'>,
  ) {}

  /** The language a call on this number hears (undefined number: the system's, e.g. for agents). */
  async languageFor(number: NumberConfig | undefined): Promise<string> {
    return languageForNumber(number?.callbackLanguage, await this.opts.defaultLanguage(), this.opts.installed);
  }

  shipped(id: PromptId, language: string): string {
    return `sound:${this.opts.prefix}/${language}/${id}`;
  }

  async media(ref: PromptRef, language: string, number?: NumberConfig): Promise<string> {
    if (ref.kind === 'prompt') return this.shipped(ref.id, language);
    const name = ref.which === 'offer' ? number?.callbackGreeting : number?.confirmationGreeting;
    if (name) {
      const available = await this.directory.greetingLanguages(name);
      if (available.length > 0) {
        const lang = resolveLanguage([language, await this.opts.defaultLanguage()], available, 'en');
        const greeting = (await this.directory.greeting(name, lang)) ?? (await this.directory.greeting(name, available[0]));
        if (greeting) return `sound:${greeting.sound}`;
      }
    }
    return this.shipped(ref.which === 'offer' ? 'offer' : 'confirmation', language);
  }

  mediaList(refs: PromptRef[], language: string, number?: NumberConfig): Promise<string[]> {
    return Promise.all(refs.map((r) => this.media(r, language, number)));
  }
}
