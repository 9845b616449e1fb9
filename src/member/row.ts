/**
 * One CSV row → one prepared record line, or the list of reasons it is rejected (DESIGN §2, §3).
 * A row is all-or-nothing: every field is checked before anything is tokenized or sealed, so a
 * rejected row never leaves a half-made token behind.
 */
import { isBrokerError } from '../errors.js';
import { birthDateOfResidentId, normalizeIdentifier, type IdentifierType } from '../normalize/index.js';
import type { TokenPair } from '../tokenize/tokenizer.js';
import { sealRecord } from '../envelope/seal.js';
import type { Mapping } from './mapping.js';
import { parseValue, type FieldValue } from './values.js';

export interface RowIssue {
  field: string;
  code: string;
  message: string;
}

export type RowResult =
  | { ok: true; recordId: string; line: string; tokens: number }
  | { ok: false; recordId: string | undefined; issues: RowIssue[] };

export interface RowContext {
  mapping: Mapping;
  /** Column name → position in the row. */
  columns: Map<string, number>;
  owner: string;
  tokenize: (type: IdentifierType, normalized: string) => TokenPair;
}

const RECORD_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function cell(values: readonly string[], ctx: RowContext, column: string): string | undefined {
  const at = ctx.columns.get(column);
  return at === undefined ? undefined : values[at];
}

/** Runs `step`, turning a BrokerError into an issue; other errors are bugs and propagate. */
function attempt<T>(issues: RowIssue[], field: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (err) {
    if (!isBrokerError(err)) throw err;
    issues.push({ field: err.field ?? field, code: err.code, message: err.message });
    return undefined;
  }
}

function readIdentifiers(
  values: readonly string[],
  ctx: RowContext,
  issues: RowIssue[],
): Map<IdentifierType, string> {
  const found = new Map<IdentifierType, string>();
  for (const spec of ctx.mapping.identifiers) {
    const normalized = attempt(issues, spec.column, () =>
      normalizeIdentifier(spec.type, cell(values, ctx, spec.column)),
    );
    if (normalized === null && spec.required) {
      issues.push({ field: spec.column, code: 'FIELD_MISSING', message: `${spec.column} is required` });
    }
    if (typeof normalized === 'string') found.set(spec.type, normalized);
  }
  if (found.size === 0 && issues.length === 0) {
    issues.push({
      field: '(identifiers)',
      code: 'NO_IDENTIFIER',
      message: 'the row has no identifier to match on',
    });
  }
  return found;
}

function runChecks(
  values: readonly string[],
  ctx: RowContext,
  ids: Map<IdentifierType, string>,
  issues: RowIssue[],
): void {
  for (const check of ctx.mapping.checks) {
    const dob = attempt(issues, check.column, () =>
      normalizeIdentifier('dob', cell(values, ctx, check.column)),
    );
    const rid = ids.get('cn_rid');
    if (typeof dob === 'string' && rid !== undefined && birthDateOfResidentId(rid) !== dob) {
      issues.push({
        field: check.column,
        code: 'DOB_MISMATCH',
        message: `${check.column} differs from the birth date in the resident ID`,
      });
    }
  }
}

function readMetadata(
  values: readonly string[],
  ctx: RowContext,
  issues: RowIssue[],
): Record<string, FieldValue> {
  const meta: Record<string, FieldValue> = {};
  for (const [field, spec] of Object.entries(ctx.mapping.metadata)) {
    const value = attempt(issues, spec.column, () =>
      parseValue(spec.column, spec, cell(values, ctx, spec.column)),
    );
    if (value !== undefined && value !== null) meta[field] = value;
  }
  return meta;
}

function readGroups(
  values: readonly string[],
  ctx: RowContext,
  issues: RowIssue[],
): Record<string, Record<string, FieldValue>> {
  const groups: Record<string, Record<string, FieldValue>> = {};
  for (const [group, fields] of Object.entries(ctx.mapping.groups)) {
    const content: Record<string, FieldValue> = {};
    for (const spec of fields) {
      const value = attempt(issues, spec.column, () =>
        parseValue(spec.column, spec, cell(values, ctx, spec.column)),
      );
      if (value !== undefined) content[spec.field] = value;
    }
    groups[group] = content;
  }
  return groups;
}

/** Validates, tokenizes and seals one row. Never throws for bad data; only for programming errors. */
export function prepareRow(values: readonly string[], ctx: RowContext): RowResult {
  const issues: RowIssue[] = [];
  const rawId = (cell(values, ctx, ctx.mapping.recordId) ?? '').trim();
  const recordId = RECORD_ID.test(rawId) ? rawId : undefined;
  if (recordId === undefined) {
    issues.push(
      rawId === ''
        ? {
            field: ctx.mapping.recordId,
            code: 'FIELD_MISSING',
            message: `${ctx.mapping.recordId} is required`,
          }
        : {
            field: ctx.mapping.recordId,
            code: 'RECORD_ID_INVALID',
            message: 'record ids are 1-64 of A-Z a-z 0-9 . _ : -',
          },
    );
  }
  const ids = readIdentifiers(values, ctx, issues);
  runChecks(values, ctx, ids, issues);
  const meta = readMetadata(values, ctx, issues);
  const groups = readGroups(values, ctx, issues);
  if (issues.length > 0 || recordId === undefined) return { ok: false, recordId, issues };

  const tokens: Partial<Record<IdentifierType, string>> = {};
  const subjects = [];
  for (const [type, normalized] of ids) {
    const pair = ctx.tokenize(type, normalized);
    tokens[type] = pair.token;
    subjects.push({ type, sealKey: pair.sealKey });
  }
  const envelope = sealRecord({ owner: ctx.owner, recordId, schema: ctx.mapping.schema, groups, subjects });
  return {
    ok: true,
    recordId,
    line: JSON.stringify({ recordId, tokens, meta, envelope }),
    tokens: subjects.length,
  };
}
