/**
 * Match and screen requests as hostile input (DESIGN §6): a consent id, the subject's tokens for one
 * or more identifier types (16-byte base64url, as the tokenizer made them) and, for a lookup, the
 * wanted field groups. Each refusal names the field to fix. Pure.
 */
import { isPlainObject } from '../envelope/format.js';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES, isIdentifierType } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';

const TOKEN = /^[A-Za-z0-9_-]{22}$/;
const CONSENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const GROUP = /^[a-z][a-zA-Z0-9_]{0,31}$/;
const PURPOSE = /^[a-z][a-z0-9_]{1,63}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const MAX_SCREEN_SUBJECTS = 1_000_000;

export type SubjectTokens = Partial<Record<IdentifierType, string>>;

export interface MatchRequest {
  consentId: string;
  tokens: SubjectTokens;
  groups: string[];
  /** The purpose the requester states; must be the consent's. */
  purpose?: string;
}

/** One NDJSON line of a screening portfolio: the requester's own row reference and tokens. */
export interface ScreenSubject {
  ref: string;
  tokens: SubjectTokens;
}

function invalid(code: string, message: string, field: string): never {
  throw new BrokerError(code, message, { field, hint: 'see /openapi.json for the request shape' });
}

/** Throws `code` unless `value` is a consent id. */
export function checkConsentId(value: unknown, code = 'MATCH_INVALID'): string {
  if (typeof value !== 'string' || !CONSENT_ID.test(value)) {
    invalid(code, 'consentId must be the id POST /v1/consents answered', 'consentId');
  }
  return value;
}

/** Throws `code` unless `value` is a non-empty object of identifier type → token. */
export function parseSubjectTokens(value: unknown, code: string, field = 'tokens'): SubjectTokens {
  if (!isPlainObject(value)) invalid(code, `${field} must be an object of identifier type → token`, field);
  const out: SubjectTokens = {};
  for (const [type, token] of Object.entries(value)) {
    if (!isIdentifierType(type)) {
      invalid(code, `${field} names an unknown identifier type; use ${IDENTIFIER_TYPES.join(', ')}`, field);
    }
    if (typeof token !== 'string' || !TOKEN.test(token)) {
      invalid(code, `${field}.${type} must be a 16-byte base64url token`, `${field}.${type}`);
    }
    out[type] = token;
  }
  if (Object.keys(out).length === 0) invalid(code, `${field} must hold at least one token`, field);
  return out;
}

/** Validates the body of POST /v1/matches. Throws MATCH_INVALID naming the field. */
export function parseMatchRequest(body: unknown): MatchRequest {
  if (!isPlainObject(body)) invalid('MATCH_INVALID', 'the body must be a JSON object', '');
  for (const key of Object.keys(body)) {
    if (!['consentId', 'tokens', 'groups', 'purpose'].includes(key)) {
      invalid('MATCH_INVALID', `unexpected property ${JSON.stringify(key.slice(0, 40))}`, key.slice(0, 40));
    }
  }
  const consentId = checkConsentId(body.consentId);
  const tokens = parseSubjectTokens(body.tokens, 'MATCH_INVALID');
  const groups = body.groups;
  if (
    !Array.isArray(groups) ||
    groups.length === 0 ||
    groups.length > 16 ||
    !groups.every((g): g is string => typeof g === 'string' && GROUP.test(g)) ||
    new Set(groups).size !== groups.length
  ) {
    invalid('MATCH_INVALID', 'groups must be 1-16 distinct field group names', 'groups');
  }
  const purpose = body.purpose;
  if (purpose !== undefined && (typeof purpose !== 'string' || !PURPOSE.test(purpose))) {
    invalid('MATCH_INVALID', 'purpose must be a purpose code', 'purpose');
  }
  return { consentId, tokens, groups: [...groups], ...(purpose === undefined ? {} : { purpose }) };
}

/** Parses one NDJSON line of POST /v1/screens (line numbers count from 1). Throws SCREEN_INVALID. */
export function parseScreenLine(text: string, line: number): ScreenSubject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    invalid('SCREEN_INVALID', `line ${line} is not JSON`, `line ${line}`);
  }
  if (!isPlainObject(value)) invalid('SCREEN_INVALID', `line ${line} must be {ref, tokens}`, `line ${line}`);
  if (typeof value.ref !== 'string' || !REF.test(value.ref)) {
    invalid('SCREEN_INVALID', `line ${line}: ref must be 1-64 letters, digits, _ . : -`, `line ${line}.ref`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'ref' && key !== 'tokens') {
      invalid(
        'SCREEN_INVALID',
        `line ${line}: unexpected property ${JSON.stringify(key.slice(0, 40))}`,
        `line ${line}`,
      );
    }
  }
  return {
    ref: value.ref,
    tokens: parseSubjectTokens(value.tokens, 'SCREEN_INVALID', `line ${line}.tokens`),
  };
}
