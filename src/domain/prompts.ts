// Ids of the shipped prompts: sounds/<lang>/<id>.wav, texts in sounds/text/<lang>.tsv.
export const DIGIT_PROMPTS = [
  'digit-0',
  'digit-1',
  'digit-2',
  'digit-3',
  'digit-4',
  'digit-5',
  'digit-6',
  'digit-7',
  'digit-8',
  'digit-9',
] as const;

export const PROMPT_IDS = [
  'welcome',
  'offer',
  'enter-number',
  'caller-id-unavailable',
  'number-invalid',
  'number-not-allowed',
  'you-entered',
  'confirm-number',
  'too-many-attempts',
  'back-to-queue',
  'confirmation',
  'updated-existing',
  'request-failed',
  'technical-problem',
  'not-in-service',
  'overflow',
  'rate-limited',
  'agent-callback-request',
  'agent-waiting',
  'agent-minutes',
  'agent-one-minute',
  'agent-call-or-decline',
  'agent-connecting',
  'agent-customer-no-answer',
  'agent-dial-failed',
  'agent-logged-in',
  'agent-logged-out',
  'agent-unknown',
  'plus',
  'star',
  'hash',
  ...DIGIT_PROMPTS,
] as const;

export type PromptId = (typeof PROMPT_IDS)[number] | `n-${number}`;

/** What a call flow asks to hear: a shipped prompt, or the number's configurable greeting of a kind
 *  (which falls back to the shipped 'offer' / 'confirmation' prompt). */
export type PromptRef = { kind: 'prompt'; id: PromptId } | { kind: 'greeting'; which: 'offer' | 'confirmation' };

export const prompt = (id: PromptId): PromptRef => ({ kind: 'prompt', id });
