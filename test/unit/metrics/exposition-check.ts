// A strict reader of the Prometheus text exposition format 0.0.4, for tests: returns the problems it
// finds in a /metrics page (empty = valid), and the parsed samples for exact assertions. Checks what
// Prometheus' own parser rejects (syntax, names, label escapes, values, a family's TYPE before its
// samples, families not interleaved, duplicate series) plus the rules for histograms and summaries
// (cumulative buckets ending in le="+Inf" equal to _count, _sum and _count present) and the naming
// convention that counters end in _total.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedPage {
  problems: string[];
  types: Map<string, string>;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Parses `{a="x",b="y"}` starting at text[0] === '{'; returns the labels and the rest of the line. */
function parseLabels(text: string): { labels: Record<string, string>; rest: string } | string {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) return 'label without =';
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name) || name.startsWith('__')) return `bad label name '${name}'`;
    if (name in labels) return `duplicate label '${name}'`;
    if (text[eq + 1] !== '"') return `label ${name} value not quoted`;
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\n') return 'raw newline in label value';
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else return `bad escape \\${next} in label ${name}`;
      } else value += text[j];
    }
    if (j >= text.length) return `unterminated value of label ${name}`;
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return `expected , or } after label ${name}`;
  }
}

/** Which declared family a sample belongs to: its own name, or a histogram/summary part. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (!name.endsWith(suffix)) continue;
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

export function parseExposition(page: string): ParsedPage {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: ParsedSample[] = [];
  const series = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  if (!page.endsWith('\n')) problems.push('page does not end with a newline');
  const lines = page.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, n) => {
    const at = `line ${n + 1} (${line})`;
    const switchTo = (family: string): void => {
      if (current === family) return;
      if (current !== undefined) finished.add(current);
      if (finished.has(family)) problems.push(`${at}: family ${family} continues after another family`);
      current = family;
    };
    if (line === '') return void problems.push(`${at}: empty line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) problems.push(`${at}: bad metric name`);
      switchTo(name);
      if (kind === 'HELP') {
        if (helps.has(name)) problems.push(`${at}: second HELP for ${name}`);
        helps.add(name);
        if (/\\[^n\\]/.test(rest)) problems.push(`${at}: bad escape in HELP`);
      } else {
        if (types.has(name)) problems.push(`${at}: second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, new Map([[name, rest]])) === name)) problems.push(`${at}: TYPE after samples`);
        if (!TYPES.has(rest)) problems.push(`${at}: unknown type ${rest}`);
        types.set(name, rest);
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) return void problems.push(`${at}: bad sample name`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest);
      if (typeof parsed === 'string') return void problems.push(`${at}: ${parsed}`);
      ({ labels, rest } = parsed);
    }
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) return void problems.push(`${at}: expected 'name{labels} value'`);
    const value = parseValue(parts[1]);
    if (value === undefined) return void problems.push(`${at}: bad value ${parts[1]}`);
    const family = familyOf(name, types);
    if (family === undefined) problems.push(`${at}: sample without a TYPE for its family`);
    else switchTo(family);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) problems.push(`${at}: duplicate series`);
    series.add(key);
    samples.push({ name, labels, value });
  });
  for (const [name, type] of types) {
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`counter ${name} does not end in _total`);
    if (type === 'histogram') problems.push(...checkHistogram(name, samples));
    if (type === 'summary' || type === 'histogram') {
      for (const part of ['_sum', '_count']) {
        if (!samples.some((s) => s.name === name + part)) problems.push(`${type} ${name} has no ${part}`);
      }
    }
  }
  return { problems, types, samples };
}

function checkHistogram(name: string, samples: ParsedSample[]): string[] {
  const problems: string[] = [];
  const byLabels = new Map<string, ParsedSample[]>();
  for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
    if (!('le' in s.labels)) problems.push(`${name}_bucket without le`);
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    byLabels.set(key, [...(byLabels.get(key) ?? []), s]);
  }
  if (byLabels.size === 0) problems.push(`histogram ${name} has no buckets`);
  for (const [key, buckets] of byLabels) {
    const les = buckets.map((b) => parseValue(b.labels.le) ?? NaN);
    if (les.some((le, i) => Number.isNaN(le) || (i > 0 && le <= les[i - 1]))) problems.push(`${name}${key}: le not increasing`);
    if (buckets.some((b, i) => i > 0 && b.value < buckets[i - 1].value)) problems.push(`${name}${key}: buckets not cumulative`);
    const last = buckets[buckets.length - 1];
    if (last.labels.le !== '+Inf') problems.push(`${name}${key}: last bucket is not le="+Inf"`);
    const count = samples.find((s) => s.name === `${name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
    if (!count || count.value !== last.value) problems.push(`${name}${key}: _count differs from the +Inf bucket`);
  }
  return problems;
}
