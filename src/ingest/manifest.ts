/**
 * The signed batch manifest (line 1 of a batch file, type "batch.manifest"): its body's shape,
 * checked as hostile input. The signature itself is checked by the injected ManifestVerifier, so
 * this module stays pure.
 */
import { BrokerError } from '../errors.js';
import { SCHEMA } from '../normalize/schema.js';

export const MANIFEST_TYPE = 'batch.manifest';
export const MAX_BATCH_RECORDS = 10_000_000;

export interface BatchManifest {
  batchId: string;
  member: string;
  schema: typeof SCHEMA;
  tokenizer: 'hmac' | 'oprf';
  epoch: number;
  createdAt: string;
  records: number;
  recordsDigest: string;
  dataLifeDays?: number;
}

/** The caller of a request or the signer of an object: a consortium role and id. */
export interface Party {
  role: string;
  id: string;
}

/** Verifies a signed object's signature and chain; returns its signer and body. Throws SIG_* codes. */
export type ManifestVerifier = (signed: unknown) => { signer: Party; body: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const KEYS = ['batchId', 'member', 'schema', 'tokenizer', 'epoch', 'createdAt', 'records', 'recordsDigest'];
const OPTIONAL = ['dataLifeDays'];

function invalid(field: string, message: string): never {
  throw new BrokerError('MANIFEST_INVALID', `manifest ${field}: ${message}`, {
    field,
    hint: 'produce the batch with `blindbroker member prepare`',
  });
}

function isNatural(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** Validates a manifest body. Throws BrokerError MANIFEST_INVALID naming the first bad field. */
export function parseManifestBody(body: unknown): BatchManifest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    invalid('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KEYS.includes(key) && !OPTIONAL.includes(key)) invalid(key.slice(0, 40), 'unexpected property');
  }
  if (typeof b.batchId !== 'string' || !UUID.test(b.batchId)) invalid('batchId', 'must be a lowercase UUID');
  if (typeof b.member !== 'string' || b.member.length === 0) invalid('member', 'must be a member id');
  if (b.schema !== SCHEMA) invalid('schema', `must be "${SCHEMA}"`);
  if (b.tokenizer !== 'hmac' && b.tokenizer !== 'oprf') invalid('tokenizer', 'must be "hmac" or "oprf"');
  if (!isNatural(b.epoch, 2 ** 32)) invalid('epoch', 'must be a natural number');
  if (
    typeof b.createdAt !== 'string' ||
    !ISO_INSTANT.test(b.createdAt) ||
    Number.isNaN(Date.parse(b.createdAt))
  ) {
    invalid('createdAt', 'must be an ISO 8601 UTC instant');
  }
  if (!isNatural(b.records, MAX_BATCH_RECORDS)) invalid('records', `must be 0..${MAX_BATCH_RECORDS}`);
  if (typeof b.recordsDigest !== 'string' || !HEX64.test(b.recordsDigest)) {
    invalid('recordsDigest', 'must be 64 lowercase hex digits (SHA-256)');
  }
  if (b.dataLifeDays !== undefined && (!isNatural(b.dataLifeDays, 36500) || b.dataLifeDays < 1)) {
    invalid('dataLifeDays', 'must be 1..36500');
  }
  return b as unknown as BatchManifest;
}

/**
 * Verifies the manifest line: JSON, signature (through `verify`), signer = caller = member, body.
 * Throws BAD_JSON, SIG_* (from verify), SIGNER_MISMATCH, MANIFEST_INVALID.
 */
export function checkManifest(line: string, caller: Party, verify: ManifestVerifier): BatchManifest {
  let signed: unknown;
  try {
    signed = JSON.parse(line);
  } catch {
    throw new BrokerError('BAD_JSON', 'line 1 (the manifest) is not JSON', { details: { line: 1 } });
  }
  const { signer, body } = verify(signed);
  if (signer.role !== 'member' || signer.id !== caller.id || caller.role !== 'member') {
    throw new BrokerError('SIGNER_MISMATCH', 'the manifest must be signed by the member that submits it', {
      details: { signer: `${signer.role}:${signer.id}`, caller: `${caller.role}:${caller.id}` },
      hint: 'submit with the TLS certificate of the member that signed the batch',
    });
  }
  const manifest = parseManifestBody(body);
  if (manifest.member !== caller.id) {
    throw new BrokerError('SIGNER_MISMATCH', 'manifest member is not the submitting member', {
      field: 'member',
    });
  }
  return manifest;
}
