// defaults ← file (JSON) ← environment, validated once at start-up.
import fs from 'node:fs';
import { CallbackdError } from '../errors';
import { checkCombinations, checkValue, type Config, envName, expectation, SCHEMA } from './schema';

export class ConfigError extends CallbackdError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
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

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Node's message quotes the file around the error, which may be the ARI password: give the position only.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError(`config file ${path} is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  return flatten(parsed as Record<string, unknown>);
}

export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.CALLBACKD_CONFIG;
  const values: Record<string, string | number> = {};
  for (const [key, spec] of Object.entries(SCHEMA)) values[key] = spec.default;

  const layers: Array<[string, Record<string, unknown>]> = [];
  if (file) layers.push([`config file ${file}`, readFile(file)]);
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(SCHEMA)) if (env[envName(key)] !== undefined) fromEnv[key] = env[envName(key)];
  const known = new Set(Object.keys(SCHEMA).map(envName));
  for (const name of Object.keys(env)) {
    if (name.startsWith('CALLBACKD_') && !known.has(name) && !NOT_SETTINGS.test(name)) {
      throw new ConfigError(`unknown config environment variable ${name}`);
    }
  }
  layers.push(['environment', fromEnv]);

  for (const [source, layer] of layers) {
    for (const [key, raw] of Object.entries(layer)) {
      if (!(key in SCHEMA)) throw new ConfigError(`unknown config key '${key}' in ${source}`);
      const value = checkValue(key, raw);
      const where = source === 'environment' ? `environment variable ${envName(key)}` : source;
      if (value === null) {
        const kind = SCHEMA[key].kind;
        const shown = kind === 'secret' || kind === 'optional-secret' ? '(hidden)' : JSON.stringify(raw);
        throw new ConfigError(`config key '${key}' must be ${expectation(key)}, got ${shown} from ${where}`);
      }
      values[key] = value;
    }
  }

  // 'a.b.c' → { a: { b: { c } } }, for keys of any depth (tickets.zendesk.subdomain).
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const path = key.split('.');
    const leaf = path.pop()!;
    let node = nested;
    for (const part of path) node = (node[part] ??= {}) as Record<string, unknown>;
    node[leaf] = value;
  }
  const config = nested as unknown as Config;
  const problem = checkCombinations(config);
  if (problem) throw new ConfigError(problem);
  return config;
}
