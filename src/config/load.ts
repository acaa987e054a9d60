// defaults ← file (JSON) ← environment, validated once at start-up.
import fs from 'node:fs';
import path from 'node:path';
import { CallbackdError } from '../errors';
import { packageRoot } from './package';
import {
  checkCombinations,
  checkValue,
  type Config,
  type ConfigOf,
  envName,
  expectation,
  hideUrlCredentials,
  SCHEMA,
  shownDbUrl,
  type PathSetting,
  type Schema,
  type Setting,
} from './schema';
import { isServiceLink } from './service-links';

/** Every configuration problem: the CLI exits 78 (EX_CONFIG) on it, so systemd stops restarting. */
export class ConfigError extends CallbackdError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export interface LoadOptions {
  /** JSON config file; default: $CALLBACKD_CONFIG; none = defaults and environment only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Folder that relative paths from the environment (and the file name itself) are relative to. */
  cwd?: string;
}

export interface Loaded<C> {
  config: C;
  /** CALLBACKD_* variables that were ignored on purpose (Kubernetes service links), for a debug log. */
  ignoredEnv: string[];
}

/** CALLBACKD_ variables that belong to the scripts and tests, not to the daemon's settings. */
const NOT_SETTINGS = /^CALLBACKD_(CONFIG|SANDBOX_DIR|DEBIAN_MIRROR|TEST_.*)$/;

/** Flattens {"ari": {"url": …}} into {"ari.url": …}. */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}

/** {"tickets.zendesk.email": v} → {tickets: {zendesk: {email: v}}}, at any depth. */
function nest(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = (node[part] ??= {});
      if (typeof next !== 'object' || next === null) throw new Error(`schema key ${key} is nested under the setting ${part}`);
      node = next as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Node's message quotes the file around the error, which may be the ARI password: give the position only.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError(`config file ${file} is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  return flatten(parsed as Record<string, unknown>);
}

/** A path setting as an absolute path; SQLite's ':memory:' stays as it is. */
function resolvePath(spec: PathSetting, value: string, base: string): string {
  if (value === '' && spec.emptyInPackage !== undefined) return path.join(packageRoot(), spec.emptyInPackage);
  return value === ':memory:' ? value : path.resolve(base, value);
}

interface Layer {
  /** For messages: "config file /etc/callbackd.json" or "environment". */
  source: string;
  values: Record<string, unknown>;
  /** What relative paths in this layer are relative to. */
  base: string;
}

/** Reads the CALLBACKD_* variables: settings by name, service links set aside, anything else refused. */
function readEnv(schema: Schema, env: NodeJS.ProcessEnv): { values: Record<string, unknown>; ignored: string[] } {
  const byName = new Map(Object.keys(schema).map((key) => [envName(key), key]));
  const values: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('CALLBACKD_') || value === undefined) continue;
    const key = byName.get(name);
    if (key !== undefined) values[key] = value;
    else if (isServiceLink(name)) ignored.push(name);
    else if (!NOT_SETTINGS.test(name)) throw new ConfigError(`unknown config environment variable ${name}`);
  }
  return { values, ignored: ignored.sort() };
}

/** Loads any schema; the daemon's is loadConfig/readConfig below (tests use their own schemas). */
export function readConfigOf<S extends Schema>(schema: S, opts: LoadOptions = {}): Loaded<ConfigOf<S>> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const fileName = opts.file ?? env.CALLBACKD_CONFIG;
  const specs: Record<string, Setting> = schema;

  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) values[key] = spec.kind === 'path' ? resolvePath(spec, spec.default, cwd) : spec.default;

  const layers: Layer[] = [];
  if (fileName) {
    const file = path.resolve(cwd, fileName);
    layers.push({ source: `config file ${fileName}`, values: readFile(file), base: path.dirname(file) });
  }
  const fromEnv = readEnv(schema, env);
  layers.push({ source: 'environment', values: fromEnv.values, base: cwd });

  for (const { source, values: layer, base } of layers) {
    for (const [key, raw] of Object.entries(layer)) {
      const spec = specs[key];
      if (spec === undefined) throw new ConfigError(`unknown config key '${key}' in ${source}`);
      const value = checkValue(spec, raw);
      if (value === null) {
        const where = source === 'environment' ? `environment variable ${envName(key)}` : source;
        const shown =
          spec.kind === 'secret' || spec.kind === 'optional-secret'
            ? '(hidden)'
            : spec.kind === 'optional-db-url' && typeof raw === 'string'
              ? JSON.stringify(shownDbUrl(raw))
              : typeof raw === 'string' && (spec.kind === 'url' || spec.kind === 'optional-url')
                ? JSON.stringify(hideUrlCredentials(raw))
                : JSON.stringify(raw);
        throw new ConfigError(`config key '${key}' must be ${expectation(spec)}, got ${shown} from ${where}`);
      }
      values[key] = spec.kind === 'path' ? resolvePath(spec, value as string, base) : value;
    }
  }
  return { config: nest(values) as ConfigOf<S>, ignoredEnv: fromEnv.ignored };
}

/** The daemon's configuration, with the variables it ignored on purpose (for a debug log line). */
export function readConfig(opts: LoadOptions = {}): Loaded<Config> {
  const loaded = readConfigOf(SCHEMA, opts);
  const problem = checkCombinations(loaded.config);
  if (problem) throw new ConfigError(problem);
  return loaded;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  return readConfig(opts).config;
}
