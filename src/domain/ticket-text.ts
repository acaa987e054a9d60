// Texts of the tickets callbackd creates, in the language of the number the customer called: English
// and German, anything else falls back to English (a help desk reads English better than nothing).
// Pure: the store writes subjects and comments with them, the Zendesk sink renders the description.
import type { TicketReason } from './model';

export type TicketTextLanguage = 'en' | 'de';

/** Languages these texts exist in; resolveLanguage(…, TICKET_TEXT_LANGUAGES) picks one of them. */
export const TICKET_TEXT_LANGUAGES: readonly TicketTextLanguage[] = ['en', 'de'];

/** 'de', 'DE', 'de-AT', 'de_ch' → 'de'; anything without texts → 'en'. */
export function ticketTextLanguage(language: string): TicketTextLanguage {
  const base = language.trim().toLowerCase().split(/[-_]/)[0];
  return (TICKET_TEXT_LANGUAGES as readonly string[]).includes(base) ? (base as TicketTextLanguage) : 'en';
}

const SUBJECT: Record<TicketTextLanguage, string> = { en: 'Callback', de: 'Rückruf' };

/** Placeholders of tickets.subjectTemplate. */
export const SUBJECT_PLACEHOLDERS = ['subject', 'number', 'queue', 'did'] as const;
export type SubjectPlaceholder = (typeof SUBJECT_PLACEHOLDERS)[number];

export interface SubjectFields {
  /** The callback number (E.164). */
  number?: string | null;
  queue?: string | null;
  /** The number the customer called. */
  did?: string | null;
}

/**
 * The ticket subject. Without a template (or with '{subject}') it is the word for "Callback" in the
 * language; a template such as '{subject} {number} ({queue})' adds fields. One template serves every
 * language, so only {subject} is translated. A field that is not known is left out.
 */
export function ticketSubject(language: string, template?: string, fields: SubjectFields = {}): string {
  const word = SUBJECT[ticketTextLanguage(language)];
  if (template === undefined || template.trim() === '') return word;
  const values: Record<SubjectPlaceholder, string> = {
    subject: word,
    number: fields.number ?? '',
    queue: fields.queue ?? '',
    did: fields.did ?? '',
  };
  const text = template
    .replace(/\{(\w+)\}/g, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole))
    .replace(/\s+/g, ' ')
    .trim();
  // A template of only empty fields must not leave the help desk a ticket without subject.
  return text === '' ? word : text;
}

function isPlaceholder(name: string): name is SubjectPlaceholder {
  return (SUBJECT_PLACEHOLDERS as readonly string[]).includes(name);
}

/** Why a subject template cannot be used, or undefined when it can (for config validation). */
export function subjectTemplateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'it is empty';
  const unknown = [...template.matchAll(/\{(\w*)\}/g)].map((m) => m[1]).filter((name) => !isPlaceholder(name));
  if (unknown.length > 0) {
    return `it has the unknown placeholder {${unknown[0]}}; known are ${SUBJECT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`;
  }
  return undefined;
}

/** What the description of a ticket is made of (a Ticket has all of it). */
export interface TicketFacts {
  requester: string;
  reason: TicketReason;
  queue: string | null;
  did: string | null;
  agentId: string | null;
  waitedSeconds: number | null;
}

interface DescriptionWords {
  accepted: (number: string) => string;
  expired: (number: string) => string;
  number: string;
  queue: string;
  did: string;
  waited: string;
  agent: string;
  duration: (h: number, m: number, s: number) => string;
}

const DESCRIPTION: Record<TicketTextLanguage, DescriptionWords> = {
  en: {
    accepted: (n) => `${n} asked for a callback while waiting in the queue; an agent accepted it and is calling back.`,
    expired: (n) => `${n} asked for a callback while waiting in the queue; it was not made in time and has expired. Please follow up.`,
    number: 'Callback number',
    queue: 'Queue',
    did: 'Number called',
    waited: 'Waited',
    agent: 'Agent',
    duration: (h, m, s) => joinUnits([h, 'h'], [m, 'min'], [s, 's']),
  },
  de: {
    accepted: (n) => `${n} hat in der Warteschlange um einen Rückruf gebeten; ein Agent hat ihn angenommen und ruft zurück.`,
    expired: (n) =>
      `${n} hat in der Warteschlange um einen Rückruf gebeten; er wurde nicht rechtzeitig ausgeführt und ist abgelaufen. Bitte nachfassen.`,
    number: 'Rückrufnummer',
    queue: 'Warteschlange',
    did: 'Angerufene Nummer',
    waited: 'Wartezeit',
    agent: 'Agent',
    duration: (h, m, s) => joinUnits([h, 'Std.'], [m, 'Min.'], [s, 'Sek.']),
  },
};

/** [[1,'h'],[2,'min'],[0,'s']] → '1 h 2 min'; all zero → '0' with the last unit. */
function joinUnits(...parts: Array<[number, string]>): string {
  const shown = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`);
  return shown.length > 0 ? shown.join(' ') : `0 ${parts[parts.length - 1][1]}`;
}

/** 3725 → '1 h 2 min 5 s' (en), '1 Std. 2 Min. 5 Sek.' (de). */
export function waitedText(language: string, seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const words = DESCRIPTION[ticketTextLanguage(language)];
  return words.duration(Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60);
}

/** The first comment of the ticket in the help desk: what happened, then one fact per line. */
export function ticketDescription(language: string, t: TicketFacts): string {
  const words = DESCRIPTION[ticketTextLanguage(language)];
  const lines = [t.reason === 'callback-expired' ? words.expired(t.requester) : words.accepted(t.requester), ''];
  lines.push(`${words.number}: ${t.requester}`);
  if (t.queue !== null) lines.push(`${words.queue}: ${t.queue}`);
  if (t.did !== null) lines.push(`${words.did}: ${t.did}`);
  if (t.waitedSeconds !== null) lines.push(`${words.waited}: ${waitedText(language, t.waitedSeconds)}`);
  if (t.agentId !== null) lines.push(`${words.agent}: ${t.agentId}`);
  return lines.join('\n');
}

/** The internal note when the customer did not answer the callback (cause as Asterisk reports it). */
export function unansweredComment(language: string, outcome: { cause: string; attempts: number }): string {
  const n = outcome.attempts;
  return ticketTextLanguage(language) === 'de'
    ? `Rückruf versucht, nicht angenommen (${outcome.cause}, ${n} ${n === 1 ? 'Versuch' : 'Versuche'})`
    : `callback attempted, not answered (${outcome.cause}, ${n} attempt${n === 1 ? '' : 's'})`;
}

/** Name of a help-desk user created for a caller we only know by number (the agent renames them). */
export function callerName(language: string, number: string): string {
  return `${ticketTextLanguage(language) === 'de' ? 'Anrufer' : 'Caller'} ${number}`;
}
