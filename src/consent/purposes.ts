/**
 * The purpose registry (DESIGN §4): every purpose a consent may name, with its fair-use bounds.
 * Read from `config/purposes.json` (config key `purposesFile`) once at start, validated with zod,
 * and frozen, so every check in a process judges consents against one immutable registry.
 *
 * Bounds per purpose: maxExpiryDays (consentExpiry − consentStart), maxStartDelayDays (how far in
 * the future a consent may start), maxFrequency (calendar intervals, see usage.ts), allowedGroups,
 * maxDataLifeDays, output ("records" releases sealed records, "aggregate" only counts),
 * minimumMatch (the identifier combinations a subject must carry) and, for aggregate outputs,
 * smallCountThreshold k: counts below k are reported as "<k".
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES } from '../normalize/schema.js';

export const FREQUENCY_UNITS = ['DAY', 'MONTH', 'YEAR'] as const;
export type FrequencyUnit = (typeof FREQUENCY_UNITS)[number];

/** At most `value` uses per calendar interval of `unit` (usage.ts). */
export interface Frequency {
  unit: FrequencyUnit;
  value: number;
}

export const PURPOSE_CODE = /^[a-z][a-z0-9_]{1,63}$/;
/** Field group names, as in member mappings (src/member/mapping.ts). */
export const GROUP_NAME = /^[a-z][a-zA-Z0-9_]{0,31}$/;
export const MAX_FREQUENCY_VALUE = 10_000;
/** Ten years: no bound in any registry and no consent field may exceed it. */
export const MAX_DAYS = 3660;

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'entries must be unique');

export const frequencySchema = z
  .object({
    unit: z.enum(FREQUENCY_UNITS),
    value: z.number().int().min(1).max(MAX_FREQUENCY_VALUE),
  })
  .strict();

const days = z.number().int().min(1).max(MAX_DAYS);

const purposeSchema = z
  .object({
    description: z.string().min(1).max(2000),
    output: z.enum(['records', 'aggregate']),
    maxExpiryDays: days,
    maxStartDelayDays: z.number().int().min(0).max(MAX_DAYS),
    maxFrequency: frequencySchema,
    allowedGroups: uniqueList(z.string().regex(GROUP_NAME), 16),
    maxDataLifeDays: days,
    minimumMatch: z
      .array(uniqueList(z.enum(IDENTIFIER_TYPES), IDENTIFIER_TYPES.length))
      .min(1)
      .max(16),
    smallCountThreshold: z.number().int().min(2).max(1000).optional(),
  })
  .strict()
  .refine((p) => (p.output === 'aggregate') === (p.smallCountThreshold !== undefined), {
    message: 'smallCountThreshold is required for aggregate outputs and not allowed for records',
    path: ['smallCountThreshold'],
  });

const registrySchema = z
  .object({
    version: z.string().min(1).max(64),
    description: z.string().max(2000).optional(),
    purposes: z.record(z.string().regex(PURPOSE_CODE), purposeSchema),
  })
  .strict();

export type PurposeSpec = z.infer<typeof purposeSchema>;

export interface PurposeRegistry {
  readonly version: string;
  readonly purposes: Readonly<Record<string, Readonly<PurposeSpec>>>;
}

function invalid(issues: string[], source: string): BrokerError {
  return new BrokerError('PURPOSES_INVALID', `invalid purpose registry: ${issues.join('; ')}`, {
    details: { issues },
    hint: `fix ${source} (compare with config/purposes.json)`,
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a parsed registry document and returns it deeply frozen.
 * @throws BrokerError PURPOSES_INVALID naming every violated path
 */
export function parsePurposeRegistry(doc: unknown, source = 'the purpose registry'): PurposeRegistry {
  const result = registrySchema.safeParse(doc);
  if (!result.success) {
    throw invalid(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      source,
    );
  }
  // z.record silently drops an own "__proto__" key; a registry must mean what it says.
  const raw = (doc as { purposes: object }).purposes;
  if (Object.keys(raw).length !== Object.keys(result.data.purposes).length) {
    throw invalid(['purposes: a purpose code is not a valid name'], source);
  }
  const purposes: Record<string, PurposeSpec> = Object.create(null) as Record<string, PurposeSpec>;
  for (const [code, spec] of Object.entries(result.data.purposes)) purposes[code] = spec;
  return deepFreeze({ version: result.data.version, purposes });
}

/**
 * Reads and validates the registry file (config key `purposesFile`). Call once at start.
 * @throws BrokerError PURPOSES_MISSING when the file cannot be read, PURPOSES_INVALID when it is
 * not JSON or not a valid registry
 */
export function loadPurposeRegistry(path: string): PurposeRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new BrokerError('PURPOSES_MISSING', `purpose registry ${path} cannot be read`, {
      cause,
      hint: 'set purposesFile in the config to an existing file',
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new BrokerError('PURPOSES_INVALID', `purpose registry ${path} is not JSON`, {
      cause,
      hint: 'fix the JSON syntax',
    });
  }
  return parsePurposeRegistry(doc, path);
}

/** The spec of a purpose code, or undefined (never an inherited property). */
export function purposeSpec(registry: PurposeRegistry, purpose: string): Readonly<PurposeSpec> | undefined {
  return Object.hasOwn(registry.purposes, purpose) ? registry.purposes[purpose] : undefined;
}
