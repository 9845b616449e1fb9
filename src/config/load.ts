/**
 * Loads configuration with the precedence every command shares: command-line flags, then
 * BLINDBROKER_* environment variables, then the config file, then schema defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { BrokerError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'config/default.json';

/** Flags a command may pass; undefined means "not given". */
export interface ConfigFlags {
  config?: string;
  keys?: string;
  redis?: string;
  prefix?: string;
  port?: string | number;
  host?: string;
  broker?: string;
  logLevel?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required)
      throw new BrokerError('CONFIG_MISSING', `config file ${path} does not exist`, {
        hint: 'pass an existing file with --config',
      });
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new BrokerError('CONFIG_INVALID', `config file ${path} is not a JSON object`, {
      cause,
      hint: 'fix the JSON syntax',
    });
  }
}

function pick(...values: (string | number | undefined)[]): string | number | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

function toPort(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port))
    throw new BrokerError('CONFIG_INVALID', `port "${String(value)}" is not an integer`, { field: 'port' });
  return port;
}

/**
 * Merges flags > env > file > defaults and validates the result.
 * @throws BrokerError CONFIG_MISSING, CONFIG_INVALID (with every violated path in `details`)
 */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const filePath = flags.config ?? env.BLINDBROKER_CONFIG ?? DEFAULT_CONFIG_FILE;
  const file = readConfigFile(filePath, flags.config !== undefined || env.BLINDBROKER_CONFIG !== undefined);
  const fileRedis = (file.redis ?? {}) as Record<string, unknown>;
  const fileBroker = (file.broker ?? {}) as Record<string, unknown>;
  const merged = {
    ...file,
    keysDir: pick(flags.keys, env.BLINDBROKER_KEYS, file.keysDir as string | undefined),
    logLevel: pick(flags.logLevel, env.BLINDBROKER_LOG_LEVEL, file.logLevel as string | undefined),
    redis: {
      ...fileRedis,
      url: pick(flags.redis, env.BLINDBROKER_REDIS_URL, env.REDIS_URL, fileRedis.url as string | undefined),
      prefix: pick(flags.prefix, env.BLINDBROKER_PREFIX, fileRedis.prefix as string | undefined),
    },
    broker: {
      ...fileBroker,
      url: pick(flags.broker, env.BLINDBROKER_BROKER_URL, fileBroker.url as string | undefined),
      host: pick(flags.host, env.BLINDBROKER_HOST, fileBroker.host as string | undefined),
      port: toPort(pick(flags.port, env.BLINDBROKER_PORT, fileBroker.port as number | undefined)),
    },
  };
  const result = configSchema.safeParse(JSON.parse(JSON.stringify(merged)));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BrokerError('CONFIG_INVALID', `invalid configuration: ${issues.join('; ')}`, {
      details: { issues },
      hint: `fix ${filePath}, the BLINDBROKER_* variables or the flags`,
    });
  }
  return result.data;
}
