/**
 * Consent entries of the transparency log (DESIGN §5): `consent.granted`, `consent.paused`,
 * `consent.resumed`, `consent.revoked`. An entry holds ids, commitments and digests, never an
 * identifier, a token or a ciphertext: a log entry can never be deleted.
 *
 * A `consent.granted` entry carries the requester's whole signed artefact, so an auditor verifies
 * the signature itself instead of trusting the broker's summary. That is possible because the
 * artefact names its subject only by the salted commitment (subject.ts); the tokens and salt went
 * to the broker beside the signed object and stay off the log. The summary fields (purpose,
 * groups, dates, …) repeat the artefact's body so that the log can be read without parsing the
 * artefact; parseConsentEntry rebuilds every entry from its signed object and refuses any entry
 * whose summary, digest or encoding differs.
 *
 * The canonical encoding is the RFC 8785 JCS bytes of the entry; those bytes are the Merkle leaf
 * data (leaf hash = SHA-256(0x00 ‖ bytes), RFC 9162 §2.1.1).
 */
import { z } from 'zod';
import { BrokerError, isBrokerError } from '../errors.js';
import { canonicalBytes, canonicalJson } from '../signing/jcs.js';
import { signedObjectDigest } from '../signing/signed-object.js';
import type { SignedObject } from '../signing/signed-object.js';
import { fromUtf8 } from '../util/bytes.js';
import { CONSENT_GRANT_TYPE, parseConsentBody } from './artefact.js';
import type { ConsentBody } from './artefact.js';
import { instantSchema } from './instant.js';
import { parseLifecycleRequest } from './lifecycle.js';
import type { ConsentReason, LifecycleAction, LifecycleRequestBody } from './lifecycle.js';
import type { Frequency } from './purposes.js';

export const CONSENT_ENTRY_KINDS = [
  'consent.granted',
  'consent.paused',
  'consent.resumed',
  'consent.revoked',
] as const;
export type ConsentEntryKind = (typeof CONSENT_ENTRY_KINDS)[number];

const CHANGE_KIND: Readonly<Record<LifecycleAction, Exclude<ConsentEntryKind, 'consent.granted'>>> = {
  pause: 'consent.paused',
  resume: 'consent.resumed',
  revoke: 'consent.revoked',
};

export interface ConsentGrantedEntry {
  kind: 'consent.granted';
  consentId: string;
  requester: string;
  purpose: string;
  dataGroups: string[];
  sources: '*' | string[];
  consentStart: string;
  consentExpiry: string;
  frequency: Frequency;
  dataLifeDays: number;
  subjectCommitment: string;
  /** signedObjectDigest(artefact): what a disclosure entry cites. */
  artefactDigest: string;
  artefact: SignedObject<ConsentBody>;
  /** The broker's clock when it accepted the grant. */
  acceptedAt: string;
}

export interface ConsentChangedEntry {
  kind: Exclude<ConsentEntryKind, 'consent.granted'>;
  consentId: string;
  requester: string;
  requestId: string;
  reason?: ConsentReason;
  requestDigest: string;
  request: SignedObject<LifecycleRequestBody>;
  acceptedAt: string;
}

export type ConsentEntry = ConsentGrantedEntry | ConsentChangedEntry;

/** Builds the entry of an accepted grant (its signature and bounds checked by the caller). Throws CONSENT_MALFORMED. */
export function consentGrantedEntry(
  artefact: SignedObject<ConsentBody>,
  acceptedAt: Date,
): ConsentGrantedEntry {
  if (artefact.type !== CONSENT_GRANT_TYPE) {
    throw new BrokerError('CONSENT_MALFORMED', `expected a signed ${CONSENT_GRANT_TYPE}`, { field: 'type' });
  }
  const body = parseConsentBody(artefact.body);
  return {
    kind: 'consent.granted',
    consentId: body.consentId,
    requester: body.requester,
    purpose: body.purpose,
    dataGroups: body.dataGroups,
    sources: body.sources,
    consentStart: body.consentStart,
    consentExpiry: body.consentExpiry,
    frequency: body.frequency,
    dataLifeDays: body.dataLifeDays,
    subjectCommitment: body.subject.commitment,
    artefactDigest: signedObjectDigest(artefact),
    artefact,
    acceptedAt: acceptedAt.toISOString(),
  };
}

/** Builds the entry of an applied pause, resume or revoke. Throws CONSENT_MALFORMED. */
export function consentChangedEntry(request: SignedObject<unknown>, acceptedAt: Date): ConsentChangedEntry {
  const { action, body } = parseLifecycleRequest(request);
  return {
    kind: CHANGE_KIND[action],
    consentId: body.consentId,
    requester: request.signer.id,
    requestId: body.requestId,
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    requestDigest: signedObjectDigest(request),
    request: request as SignedObject<LifecycleRequestBody>,
    acceptedAt: acceptedAt.toISOString(),
  };
}

/** The canonical bytes of an entry: the Merkle leaf data. Throws CONSENT_ENTRY_INVALID. */
export function encodeConsentEntry(entry: ConsentEntry): Uint8Array {
  return canonicalBytes(parseConsentEntry(entry));
}

const signedObjectSchema = z
  .object({
    type: z.string().max(64),
    body: z.unknown(),
    signer: z.object({ role: z.string().max(32), id: z.string().max(32) }).strict(),
    keyId: z.string().regex(/^[0-9a-f]{64}$/),
    alg: z.literal('PS256'),
    sig: z.string().min(1).max(1024),
  })
  .strict();

const entryShape = z.union([
  z
    .object({ kind: z.literal('consent.granted'), acceptedAt: instantSchema, artefact: signedObjectSchema })
    .passthrough(),
  z
    .object({
      kind: z.enum(['consent.paused', 'consent.resumed', 'consent.revoked']),
      acceptedAt: instantSchema,
      request: signedObjectSchema,
    })
    .passthrough(),
]);

function invalid(message: string, cause?: unknown): BrokerError {
  return new BrokerError('CONSENT_ENTRY_INVALID', `invalid consent log entry: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'the log holds an entry the broker did not build from a signed request',
  });
}

/**
 * Checks an entry read back from the log: its kind, its signed object's shape, and that it is
 * exactly the entry built from that signed object (summary, digests, no extra fields). Does not
 * verify signatures (verifyConsentGrant / verifySignedObject) or bounds (validateConsent).
 * @throws BrokerError CONSENT_ENTRY_INVALID
 */
export function parseConsentEntry(value: unknown): ConsentEntry {
  const shape = entryShape.safeParse(value);
  if (!shape.success) throw invalid(shape.error.issues[0]?.message ?? 'bad shape');
  const entry = value as ConsentEntry;
  let rebuilt: ConsentEntry;
  try {
    const acceptedAt = new Date(entry.acceptedAt);
    rebuilt =
      entry.kind === 'consent.granted'
        ? consentGrantedEntry(entry.artefact, acceptedAt)
        : consentChangedEntry(entry.request, acceptedAt);
  } catch (cause) {
    if (!isBrokerError(cause)) throw cause;
    throw invalid(cause.message, cause);
  }
  if (rebuilt.kind !== entry.kind) throw invalid(`kind ${entry.kind} does not match its request`);
  const signer = rebuilt.kind === 'consent.granted' ? rebuilt.artefact.signer : rebuilt.request.signer;
  if (signer.role !== 'member' || signer.id !== rebuilt.requester) {
    throw invalid('the signed object is not signed by the member that holds the consent');
  }
  let same: boolean;
  try {
    same = canonicalJson(rebuilt) === canonicalJson(value);
  } catch (cause) {
    throw invalid('the entry is not plain JSON', cause);
  }
  if (!same) throw invalid('summary or digest does not match the signed object');
  return rebuilt;
}

/**
 * Decodes leaf data: UTF-8 JSON in canonical (JCS) form, then parseConsentEntry.
 * @throws BrokerError CONSENT_ENTRY_INVALID
 */
export function decodeConsentEntry(bytes: Uint8Array): ConsentEntry {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw invalid('not UTF-8 JSON', cause);
  }
  const entry = parseConsentEntry(value);
  if (canonicalJson(entry) !== fromUtf8(bytes)) throw invalid('not in canonical (RFC 8785) form');
  return entry;
}
