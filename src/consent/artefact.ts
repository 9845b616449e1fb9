/**
 * The consent artefact (DESIGN §4): the body of a signed object of type `consent.grant`, canonical
 * JSON (RFC 8785 JCS) signed by the requesting member, immutable (any change is a new consent).
 *
 * The body names its subject only through a salted commitment (subject.ts): the tokens and the salt
 * travel beside the signed object, so the very same signed object can be written to the
 * transparency log (DESIGN §5: entries never hold tokens) and an auditor can still verify the
 * requester's signature over it.
 *
 * Every body is hostile input: parsed with strict zod schemas (unknown keys, `__proto__`, wrong
 * types, oversized arrays and non-existent dates are refused as CONSENT_MALFORMED), then judged
 * against the purpose registry by validateConsent (bounds.ts), each fair-use bound with its own code.
 */
import { z } from 'zod';
import { BrokerError } from '../errors.js';
import { normalizeIdentifier } from '../normalize/schema.js';
import { randomBytes, randomId } from '../crypto/random.js';
import { toBase64url } from '../util/bytes.js';
import { instantSchema } from './instant.js';
import { frequencySchema, GROUP_NAME, MAX_DAYS, PURPOSE_CODE } from './purposes.js';
import type { Frequency } from './purposes.js';
import {
  consentSubjectSchema,
  HEX_SHA256,
  SUBJECT_SALT_BYTES,
  subjectCommitment,
  subjectTypes,
  verifySubjectOpening,
} from './subject.js';
import type { ConsentSubject, SubjectOpening, SubjectTokens } from './subject.js';

export const CONSENT_GRANT_TYPE = 'consent.grant';
/** A member id, as in signed objects and certificates. */
export const MEMBER_ID = /^[a-z][a-z0-9-]{1,31}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MAX_DATA_GROUPS = 16;
export const MAX_SOURCES = 64;
const TXN_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/** The log is forever: a txnId that is itself a resident ID or a phone number would put PII in it. */
function looksLikeIdentifier(text: string): boolean {
  for (const type of ['cn_rid', 'phone'] as const) {
    try {
      if (normalizeIdentifier(type, text) !== null) return true;
    } catch {
      // Not an identifier of this type.
    }
  }
  return false;
}

const uniqueList = (item: z.ZodString, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'entries must be unique');

const consentBodySchema = z
  .object({
    consentId: z.string().regex(UUID, 'must be a lowercase UUID'),
    requester: z.string().regex(MEMBER_ID, 'must be a member id'),
    subject: consentSubjectSchema,
    purpose: z.string().regex(PURPOSE_CODE, 'must be a purpose code'),
    dataGroups: uniqueList(z.string().regex(GROUP_NAME), MAX_DATA_GROUPS),
    sources: z.union([z.literal('*'), uniqueList(z.string().regex(MEMBER_ID), MAX_SOURCES)]),
    consentStart: instantSchema,
    consentExpiry: instantSchema,
    frequency: frequencySchema,
    dataLifeDays: z.number().int().min(1).max(MAX_DAYS),
    evidenceDigest: z.string().regex(HEX_SHA256, 'must be 64 lowercase hex digits (SHA-256)'),
    txnId: z
      .string()
      .regex(TXN_ID, 'must be 1-64 letters, digits or ._:/-')
      .refine((t) => !looksLikeIdentifier(t), 'must not be a resident ID or phone number'),
  })
  .strict();

export interface ConsentBody {
  consentId: string;
  requester: string;
  subject: ConsentSubject;
  purpose: string;
  dataGroups: string[];
  sources: '*' | string[];
  consentStart: string;
  consentExpiry: string;
  frequency: Frequency;
  dataLifeDays: number;
  evidenceDigest: string;
  txnId: string;
}

/**
 * Parses a consent body received from anyone. Throws CONSENT_MALFORMED naming the bad paths (at
 * most 10), CONSENT_NO_SUBJECT when subject.types is empty.
 */
export function parseConsentBody(body: unknown): ConsentBody {
  const result = consentBodySchema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.').slice(0, 80) || '(root)'}: ${i.message}`);
    throw new BrokerError('CONSENT_MALFORMED', `malformed consent: ${issues.join('; ')}`, {
      details: { issues },
      hint: 'build the consent with buildConsent / `blindbroker member consent grant`',
    });
  }
  if (result.data.subject.types.length === 0) {
    throw new BrokerError('CONSENT_NO_SUBJECT', 'the consent names no identifier of its subject', {
      field: 'subject.types',
      hint: 'tokenize at least the resident ID number, or phone and name',
    });
  }
  return result.data;
}

export interface BuildConsentInput {
  requester: string;
  purpose: string;
  /** Tokenizer output for the borrower's normalized identifiers (tokenizeSubject). */
  subject: { epoch: number; tokens: SubjectTokens };
  dataGroups: string[];
  sources: '*' | string[];
  consentStart: Date;
  consentExpiry: Date;
  frequency: Frequency;
  dataLifeDays: number;
  evidenceDigest: string;
  txnId: string;
  /** Fixed only by tests and vectors; random otherwise. */
  consentId?: string;
  salt?: Uint8Array;
}

/**
 * Member side: builds the body to sign as `consent.grant` and the subject opening to send beside
 * it (and to keep). Throws CONSENT_NO_SUBJECT without tokens, CONSENT_MALFORMED for any bad field
 * or token,
 * RangeError for a salt that is not 32 bytes or an invalid Date.
 */
export function buildConsent(input: BuildConsentInput): { body: ConsentBody; opening: SubjectOpening } {
  const salt = input.salt ?? randomBytes(SUBJECT_SALT_BYTES);
  const { epoch, tokens } = input.subject;
  const types = subjectTypes(tokens);
  if (types.length === 0) {
    throw new BrokerError('CONSENT_NO_SUBJECT', 'a consent needs at least one subject token');
  }
  const body = parseConsentBody({
    consentId: input.consentId ?? randomId(),
    requester: input.requester,
    subject: { commitment: subjectCommitment(epoch, salt, tokens), epoch, types },
    purpose: input.purpose,
    dataGroups: input.dataGroups,
    sources: input.sources,
    consentStart: input.consentStart.toISOString(),
    consentExpiry: input.consentExpiry.toISOString(),
    frequency: input.frequency,
    dataLifeDays: input.dataLifeDays,
    evidenceDigest: input.evidenceDigest,
    txnId: input.txnId,
  });
  const opening: SubjectOpening = { salt: toBase64url(salt), tokens: {} };
  for (const type of types) opening.tokens[type] = tokens[type];
  // The broker will check the opening the same way: refuse a bad token here, not after signing.
  verifySubjectOpening(body.subject, opening);
  return { body, opening };
}
