/**
 * sealRecord: envelope bb1 (DESIGN §3; docs/formats.md "Envelope bb1"). Each field group gets a fresh
 * 256-bit data key and is sealed with AES-256-GCM (NIST SP 800-38D) under a random 96-bit nonce; the
 * data key is then wrapped once per subject identifier under that identifier's sealKey, so anyone
 * who can name the borrower by any one identifier can open the group, and nobody else can.
 */
import { aesGcmSealWithNonce, AES_KEY_BYTES, GCM_NONCE_BYTES } from '../crypto/aead.js';
import { randomBytes } from '../crypto/random.js';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES, isIdentifierType, SCHEMA } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { toBase64url } from '../util/bytes.js';
import {
  checkGroupFields,
  checkGroupName,
  checkIdPart,
  contentAad,
  DATA_KEY_BYTES,
  ENVELOPE_VERSION,
  isPlainObject,
  LIMITS,
  SEALED_PREFIX,
  slotAad,
} from './format.js';
import type { Envelope, GroupFields, SealedGroup } from './format.js';

const BAD_FIELD = 'ENVELOPE_BAD_FIELD';

export interface SealSubject {
  type: IdentifierType;
  /** The identifier's 32-byte sealKey from the tokenizer. */
  sealKey: Uint8Array;
}

export interface SealRecordInput {
  owner: string;
  recordId: string;
  schema: string;
  groups: Record<string, GroupFields>;
  /** At least one; at most one per identifier type. */
  subjects: readonly SealSubject[];
}

export interface SealOptions {
  /**
   * Source of data keys and nonces; defaults to the OS CSPRNG. Inject a fixed source only to
   * reproduce test vectors. Called per group, in order: data key (32), content nonce (12), then one
   * slot nonce (12) per subject. Must return a fresh array each call (data keys are zeroed after use).
   */
  random?: (length: number) => Uint8Array;
}

function checkSubjects(subjects: unknown): readonly SealSubject[] {
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw new BrokerError(BAD_FIELD, 'a record needs at least one subject identifier to seal to', {
      field: 'subjects',
      hint: 'pass the sealKey of every identifier on the record',
    });
  }
  const seen = new Set<string>();
  for (const subject of subjects as readonly SealSubject[]) {
    if (!isPlainObject(subject) || !isIdentifierType(subject.type)) {
      throw new BrokerError(BAD_FIELD, `unknown identifier type: ${String(subject?.type)}`, {
        field: 'subjects',
        hint: `use one of ${IDENTIFIER_TYPES.join(', ')}`,
      });
    }
    if (seen.has(subject.type)) {
      throw new BrokerError(BAD_FIELD, `two subjects of type ${subject.type}`, {
        field: 'subjects',
        hint: 'an envelope holds one slot per identifier type',
      });
    }
    seen.add(subject.type);
    if (!(subject.sealKey instanceof Uint8Array)) throw new TypeError('sealKey must be a Uint8Array');
    if (subject.sealKey.length !== AES_KEY_BYTES)
      throw new RangeError(`sealKey must be ${AES_KEY_BYTES} bytes`);
  }
  return subjects as readonly SealSubject[];
}

/**
 * Seals one record. Throws BrokerError ENVELOPE_BAD_FIELD naming the field when owner, recordId,
 * schema, a group name, a field or the subject list is invalid or a group exceeds the size limit;
 * TypeError / RangeError when a sealKey is not 32 bytes.
 */
export function sealRecord(input: SealRecordInput, options: SealOptions = {}): Envelope {
  const random = options.random ?? randomBytes;
  const owner = checkIdPart(input.owner, 'owner', BAD_FIELD);
  const recordId = checkIdPart(input.recordId, 'recordId', BAD_FIELD);
  if (input.schema !== SCHEMA) {
    throw new BrokerError(BAD_FIELD, `schema must be "${SCHEMA}"`, { field: 'schema' });
  }
  const subjects = checkSubjects(input.subjects);
  if (!isPlainObject(input.groups))
    throw new BrokerError(BAD_FIELD, 'groups must be an object', { field: 'groups' });
  const names = Object.keys(input.groups);
  if (names.length === 0 || names.length > LIMITS.maxGroups) {
    throw new BrokerError(BAD_FIELD, `a record holds 1..${LIMITS.maxGroups} groups`, { field: 'groups' });
  }

  const groups: Record<string, SealedGroup> = {};
  for (const name of names) {
    checkGroupName(name, 'groups', BAD_FIELD);
    const field = `groups.${name}`;
    const plaintext = Buffer.from(
      JSON.stringify(checkGroupFields(input.groups[name], field, BAD_FIELD)),
      'utf8',
    );
    if (plaintext.length > LIMITS.maxGroupPlaintextBytes) {
      throw new BrokerError(
        BAD_FIELD,
        `group ${name} exceeds ${LIMITS.maxGroupPlaintextBytes} bytes of JSON`,
        {
          field,
          hint: 'split it into smaller groups or send large data another way',
        },
      );
    }
    const dataKey = random(DATA_KEY_BYTES);
    const ct = aesGcmSealWithNonce(
      dataKey,
      random(GCM_NONCE_BYTES),
      plaintext,
      contentAad(owner, recordId, name, SCHEMA),
    );
    const slots: SealedGroup['slots'] = {};
    for (const { type, sealKey } of subjects) {
      const wrapped = aesGcmSealWithNonce(
        sealKey,
        random(GCM_NONCE_BYTES),
        dataKey,
        slotAad(owner, recordId, name, type),
      );
      slots[type] = SEALED_PREFIX + toBase64url(wrapped);
    }
    dataKey.fill(0);
    groups[name] = { ct: SEALED_PREFIX + toBase64url(ct), slots };
  }
  return { v: ENVELOPE_VERSION, owner, recordId, schema: SCHEMA, groups };
}
