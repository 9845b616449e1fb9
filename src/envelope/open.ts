/**
 * Opening envelope bb1 (DESIGN §3; docs/formats.md "Envelope bb1") with the sealKey of one
 * identifier: validate the shape as hostile input, unwrap the data key from that identifier's slot,
 * decrypt the group (AES-256-GCM, NIST SP 800-38D), then validate the plaintext. A failed slot and a
 * failed ciphertext raise the same error, so the caller learns nothing about which part was wrong.
 */
import { aesGcmOpen } from '../crypto/aead.js';
import { BrokerError, isBrokerError } from '../errors.js';
import { isIdentifierType } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { fromUtf8 } from '../util/bytes.js';
import { checkGroupFields, contentAad, slotAad } from './format.js';
import type { Envelope, EnvelopeSchema, GroupFields } from './format.js';
import { decodeContent, decodeSlot, parseEnvelope } from './parse.js';

export interface OpenSubject {
  type: IdentifierType;
  /** The sealKey of the reader's own copy of that identifier, from its tokenizer. */
  sealKey: Uint8Array;
}

export interface OpenOptions {
  /** Groups to open; all groups in the envelope when absent. */
  groups?: readonly string[];
}

export interface OpenedRecord {
  owner: string;
  recordId: string;
  schema: EnvelopeSchema;
  groups: Record<string, GroupFields>;
}

function checkSubject(subject: OpenSubject): void {
  if (!isIdentifierType(subject.type))
    throw new RangeError(`unknown identifier type: ${String(subject.type)}`);
  if (!(subject.sealKey instanceof Uint8Array)) throw new TypeError('sealKey must be a Uint8Array');
  if (subject.sealKey.length !== 32) throw new RangeError('sealKey must be 32 bytes');
}

function decryptFailed(field: string): BrokerError {
  return new BrokerError(
    'ENVELOPE_DECRYPT',
    'cannot open group: wrong identifier, or the envelope was altered',
    {
      field,
      hint: 'check that the identifier matches the record; otherwise treat the envelope as tampered',
    },
  );
}

function openParsedGroup(envelope: Envelope, group: string, subject: OpenSubject): GroupFields {
  const field = `groups.${group}`;
  if (!Object.hasOwn(envelope.groups, group)) {
    throw new BrokerError('ENVELOPE_NO_GROUP', `the envelope holds no group "${group}"`, {
      field,
      details: { groups: Object.keys(envelope.groups) },
    });
  }
  const sealed = envelope.groups[group];
  const slot =
    sealed !== undefined && Object.hasOwn(sealed.slots, subject.type)
      ? sealed.slots[subject.type]
      : undefined;
  if (sealed === undefined || slot === undefined) {
    throw new BrokerError(
      'ENVELOPE_NO_SLOT',
      `group "${group}" is not sealed to a ${subject.type} identifier`,
      {
        field,
        details: { slots: Object.keys(sealed?.slots ?? {}) },
        hint: 'open it with another identifier of the borrower',
      },
    );
  }
  const { owner, recordId, schema } = envelope;
  let plaintext: Uint8Array;
  try {
    const dataKey = aesGcmOpen(
      subject.sealKey,
      decodeSlot(slot, field),
      slotAad(owner, recordId, group, subject.type),
    );
    try {
      plaintext = aesGcmOpen(
        dataKey,
        decodeContent(sealed.ct, field),
        contentAad(owner, recordId, group, schema),
      );
    } finally {
      dataKey.fill(0);
    }
  } catch (err) {
    if (isBrokerError(err, 'DECRYPT_FAILED')) throw decryptFailed(field);
    throw err;
  }
  let fields: unknown;
  try {
    fields = JSON.parse(fromUtf8(plaintext));
  } catch {
    throw new BrokerError('ENVELOPE_MALFORMED', `group "${group}" does not decrypt to UTF-8 JSON`, { field });
  }
  return checkGroupFields(fields, field, 'ENVELOPE_MALFORMED');
}

/**
 * Opens one group. Throws BrokerError ENVELOPE_MALFORMED / ENVELOPE_VERSION (see parseEnvelope),
 * ENVELOPE_NO_GROUP, ENVELOPE_NO_SLOT when the group has no slot for subject.type, ENVELOPE_DECRYPT
 * when authentication fails; TypeError / RangeError for a bad subject.
 */
export function openGroup(envelope: unknown, group: string, subject: OpenSubject): GroupFields {
  checkSubject(subject);
  return openParsedGroup(parseEnvelope(envelope), group, subject);
}

/** Opens the requested groups (all by default); throws as openGroup, for the first group that fails. */
export function openEnvelope(
  envelope: unknown,
  subject: OpenSubject,
  options: OpenOptions = {},
): OpenedRecord {
  checkSubject(subject);
  const parsed = parseEnvelope(envelope);
  const names = options.groups ?? Object.keys(parsed.groups);
  const groups: Record<string, GroupFields> = {};
  for (const name of names) {
    if (typeof name !== 'string') throw new TypeError('options.groups must hold strings');
    groups[name] = openParsedGroup(parsed, name, subject);
  }
  return { owner: parsed.owner, recordId: parsed.recordId, schema: parsed.schema, groups };
}
