// Picking the language to play a prompt in. Callers pass their preferences in order, typically
// [number.callbackLanguage, systemDefault], and the languages that actually have the prompt.

/**
 * Lower-cases and unifies the region separator: BCP 47 writes 'de-DE', Asterisk sound folders are
 * often 'de_DE'; both must find each other.
 */
function normalise(language: string): string {
  return language.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * Returns the first preferred language a prompt exists in, trying each preference exactly and then
 * by its base language ('de-at' -> 'de') before moving to the next preference: a caller who asked
 * for Austrian German is better served by German than by the system default.
 * The result is the available entry in lower case; if nothing matches, the lower-cased fallback,
 * unchecked: the caller decides what the last resort is.
 */
export function resolveLanguage(
  preferred: (string | null | undefined)[],
  available: ReadonlySet<string> | readonly string[],
  fallback = 'en',
): string {
  // Map normalised form -> lower-cased original, so 'pt_BR' in the list is returned as 'pt_br'.
  const byKey = new Map<string, string>();
  for (const language of available) {
    const key = normalise(language);
    if (key !== '' && !byKey.has(key)) byKey.set(key, language.trim().toLowerCase());
  }
  for (const wanted of preferred) {
    if (wanted == null) continue;
    const key = normalise(wanted);
    if (key === '') continue;
    const exact = byKey.get(key);
    if (exact !== undefined) return exact;
    const base = byKey.get(key.split('-')[0]);
    if (base !== undefined) return base;
  }
  return fallback.toLowerCase();
}

/**
 * The language a call on a number hears (DESIGN.md §1 step 10): the number's callback language, then
 * the system default, then English — limited to languages whose prompts are installed. One rule for the
 * daemon and for `callbackd doctor`.
 */
export function languageForNumber(numberLanguage: string | null | undefined, systemDefault: string, installed: readonly string[]): string {
  return resolveLanguage([numberLanguage, systemDefault], installed, 'en');
}
