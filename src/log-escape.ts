// Caller-controlled text (a caller-ID name or number, a SIP header, a DTMF string) reaches log lines.
// Raw control characters in it would let a caller forge a whole line (a newline) or drive the admin's
// terminal (ESC sequences, or the one-byte C1 CSI). Every log format passes text through here.

/** C0 controls, DEL and the C1 range — everything a terminal or a line-based log reader acts on. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** What JSON.stringify leaves raw: DEL, C1 and the Unicode line separators (it escapes C0 itself). */
const NOT_ESCAPED_BY_JSON = /[\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For a plain-text line: every control character as a visible escape (`\n`, `\x1b`, `\x9b`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, visible);
}

/** For a JSON line: what JSON itself leaves raw, escaped the same way; the rest stays JSON's job. */
export function escapeForJson(text: string): string {
  return text.replace(NOT_ESCAPED_BY_JSON, visible);
}

/** Applies `escape` to every string inside a log field value (objects and arrays included). */
export function escapeDeep(value: unknown, escape: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return escape(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return escape(value.stack ?? value.message);
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, escape, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escape(k)] = escapeDeep(v, escape, depth + 1);
  return out;
}
