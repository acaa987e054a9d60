// Printing for the admin CLI: an aligned table for people, or JSON (--json) for scripts. Everything
// goes through `sink` so in-process tests can capture it without touching process.stdout.

export const sink = {
  out: (text: string): void => void process.stdout.write(text),
  err: (text: string): void => void process.stderr.write(text),
};

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.join(',') : '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const grid = [columns.map((c) => c.header.toUpperCase()), ...rows.map((r) => columns.map((c) => cell(c.value(r))))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i].length)));
  return grid.map((line) => line.map((v, i) => (i === line.length - 1 ? v : v.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** Local time to the second, the way an operator reads a log. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** 3725 → '1h 02m', 125 → '2m 05s', 7 → '7s'. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const p = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${p(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${p(Math.floor((s % 3600) / 60))}m`;
}

/**
 * For --json: timestamps (keys ending in At or Since, epoch ms in the model) become ISO 8601 UTC
 * strings, which jq users and log tools read without guessing the unit.
 */
export function jsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = /(At|Since|^since|^now)$/.test(k) && typeof v === 'number' ? new Date(v).toISOString() : jsonValue(v);
  }
  return out;
}

export function printJson(value: unknown): void {
  sink.out(JSON.stringify(jsonValue(value), null, 2) + '\n');
}

/** A list: JSON array, or a table (with a hint instead of an empty table). */
export function printList<T>(json: boolean, rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
  if (json) printJson(rows);
  else sink.out(rows.length ? table(rows, columns) : `${empty}\n`);
}

/** Confirmation of a change, for people; scripts check the exit code. */
export function done(message: string): void {
  sink.out(`${message}\n`);
}
