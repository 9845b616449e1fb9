/**
 * Column mappings: how a member's CSV export becomes one record (DESIGN §2, §3). A mapping names
 * the record id column, the identifier columns to tokenize, check-only columns, the cleartext
 * metadata the owner chooses to declare, and the sealed field groups. Every other column is
 * dropped at the member and never sent.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES, SCHEMA } from '../normalize/index.js';

const name = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]{0,31}$/, 'names are 1-32 letters, digits or _ starting lowercase');
const column = z.string().min(1).max(128);
const kind = z.enum(['string', 'integer', 'decimal', 'enum', 'month', 'date']);

const valueSpec = z
  .object({
    column,
    kind,
    values: z.array(z.string().min(1)).min(1).optional(),
    required: z.boolean().default(false),
  })
  .strict()
  .refine(
    (v) => (v.kind === 'enum') === (v.values !== undefined),
    'enum fields need "values"; other kinds take none',
  );

const mappingSchema = z
  .object({
    schema: z.literal(SCHEMA),
    description: z.string().optional(),
    recordId: column,
    identifiers: z
      .array(
        z.object({ type: z.enum(IDENTIFIER_TYPES), column, required: z.boolean().default(false) }).strict(),
      )
      .min(1),
    checks: z
      .array(z.object({ type: z.literal('dob'), column, mustMatch: z.literal('cn_rid') }).strict())
      .default([]),
    metadata: z.record(name, valueSpec).default({}),
    groups: z.record(name, z.array(valueSpec.and(z.object({ field: name }))).min(1)),
  })
  .strict();

export type Mapping = z.infer<typeof mappingSchema>;
export type ValueSpec = z.infer<typeof valueSpec>;

/**
 * Validates a parsed mapping document.
 * @throws BrokerError MAPPING_INVALID naming every violated path
 */
export function parseMapping(doc: unknown): Mapping {
  const result = mappingSchema.safeParse(doc);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BrokerError('MAPPING_INVALID', `invalid mapping: ${issues.join('; ')}`, {
      details: { issues },
      hint: 'compare with config/mappings/default.json',
    });
  }
  const mapping = result.data;
  const types = mapping.identifiers.map((i) => i.type);
  if (new Set(types).size !== types.length) {
    throw new BrokerError('MAPPING_INVALID', 'an identifier type is mapped twice', {
      hint: 'map each type once',
    });
  }
  if (mapping.checks.length > 0 && !types.includes('cn_rid')) {
    throw new BrokerError('MAPPING_INVALID', 'a dob check needs a cn_rid identifier to compare with');
  }
  if (Object.keys(mapping.groups).length === 0) {
    throw new BrokerError('MAPPING_INVALID', 'a mapping needs at least one sealed group');
  }
  return mapping;
}

/** @throws BrokerError MAPPING_MISSING, MAPPING_INVALID */
export function loadMapping(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new BrokerError('MAPPING_MISSING', `cannot read mapping file ${path}`, {
      cause,
      hint: 'pass --mapping FILE',
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new BrokerError('MAPPING_INVALID', `mapping file ${path} is not JSON`, { cause });
  }
  return parseMapping(doc);
}

/** Every column the mapping reads, each once. */
export function mappedColumns(mapping: Mapping): string[] {
  const columns = [
    mapping.recordId,
    ...mapping.identifiers.map((i) => i.column),
    ...mapping.checks.map((c) => c.column),
    ...Object.values(mapping.metadata).map((m) => m.column),
    ...Object.values(mapping.groups).flatMap((g) => g.map((f) => f.column)),
  ];
  return [...new Set(columns)];
}

/**
 * Checks a CSV header against the mapping and returns column positions.
 * @throws BrokerError CSV_MISSING_COLUMNS (all of them, named), CSV_DUPLICATE_COLUMN
 */
export function resolveColumns(
  mapping: Mapping,
  header: readonly string[],
): { index: Map<string, number>; ignored: string[] } {
  const index = new Map<string, number>();
  header.forEach((raw, i) => {
    const col = raw.trim();
    if (index.has(col))
      throw new BrokerError('CSV_DUPLICATE_COLUMN', `column "${col}" appears twice in the header`);
    index.set(col, i);
  });
  const wanted = mappedColumns(mapping);
  const missing = wanted.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new BrokerError('CSV_MISSING_COLUMNS', `the CSV header lacks column(s): ${missing.join(', ')}`, {
      details: { missing },
      hint: 'export those columns, or pass a --mapping that names your columns',
    });
  }
  return { index, ignored: [...index.keys()].filter((c) => !wanted.includes(c)) };
}
