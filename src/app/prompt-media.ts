// Turns what a flow wants to say (PromptRef) into Asterisk media URIs, in the call's language.
// The language is chosen once per call: the number's callback language → system default → English,
// limited to languages whose prompts are actually installed.
import fs from 'node:fs';
import path from 'node:path';
import type { NumberConfig } from '../domain/model';
import { resolveLanguage } from '../domain/language';
import type { PromptId, PromptRef } from '../domain/prompts';
import type { GreetingsRepo } from './ports';

/** Languages that have shipped prompts: sounds/<lang>/ folders holding at least the welcome prompt. */
export function installedLanguages(soundsDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(soundsDir);
  } catch {
    return [];
  }
  return names.filter((n) => fs.existsSync(path.join(soundsDir, n, 'welcome.wav'))).sort();
}

export class PromptMedia {
  constructor(
    private readonly opts: { prefix: string; installed: readonly string[]; defaultLanguage: () => string },
    private readonly greetings: GreetingsRepo,
  ) {}

  /** The language a call on this number hears. */
  languageFor(number: NumberConfig | undefined): string {
    return resolveLanguage([number?.callbackLanguage, this.opts.defaultLanguage()], this.opts.installed, 'en');
  }

  shipped(id: PromptId, language: string): string {
    return `sound:${this.opts.prefix}/${language}/${id}`;
  }

  media(ref: PromptRef, language: string, number?: NumberConfig): string {
    if (ref.kind === 'prompt') return this.shipped(ref.id, language);
    const name = ref.which === 'offer' ? number?.callbackGreeting : number?.confirmationGreeting;
    if (name) {
      const available = this.greetings.languages(name);
      if (available.length > 0) {
        const lang = resolveLanguage([language, this.opts.defaultLanguage()], available, 'en');
        const greeting = this.greetings.get(name, lang) ?? this.greetings.get(name, available[0]);
        if (greeting) return `sound:${greeting.sound}`;
      }
    }
    return this.shipped(ref.which === 'offer' ? 'offer' : 'confirmation', language);
  }

  mediaList(refs: PromptRef[], language: string, number?: NumberConfig): string[] {
    return refs.map((r) => this.media(r, language, number));
  }
}
