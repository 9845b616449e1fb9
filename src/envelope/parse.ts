/**
 * Shape validation of envelope bb1 (DESIGN §3; docs/formats.md "Envelope bb1") as hostile input:
 * exact keys, bounded sizes, strict base64url, known names. The broker runs it on every envelope it
 * stores (it can check the shape, never open it); openEnvelope runs it before any decryption.
 */
import { BrokerError } from '../errors.js';
import { isIdentifierType, SCHEMA } from '../normalize/schema.js';
import { base64urlLength, fromBase64url } from '../util/bytes.js';
import {
  checkGroupName,
  checkIdPart,
  ENVELOPE_VERSION,
  GCM_OVERHEAD_BYTES,
  isPlainObject,
  LIMITS,
  SEALED_PREFIX,
  SLOT_BYTES,
} from './format.js';
import type { Envelope, SealedGroup } from './format.js';

const MALFORMED = 'ENVELOPE_MALFORMED';
const OTHER_VERSION = /^bb[0-9]{1,4}$/;
const OTHER_PREFIX = /^bb[0-9]{1,4}\./;
/** The smallest group plaintext is "{}". */
const MIN_CT_BYTES = 2 + GCM_OVERHEAD_BYTES;
const MAX_CT_BYTES = LIMITS.maxGroupPlaintextBytes + GCM_OVERHEAD_BYTES;

function malformed(message: string, field?: string): never {
  throw new BrokerError(MALFORMED, `envelope: ${message}`, {
    ...(field === undefined ? {} : { field }),
    hint: 'send the envelope exactly as sealRecord produced it (docs/formats.md, Envelope bb1)',
  });
}

function unknownVersion(version: string, field: string): never {
  throw new BrokerError('ENVELOPE_VERSION', `envelope version ${version} is not supported`, {
    field,
    details: { version, supported: [ENVELOPE_VERSION] },
    hint: 'upgrade blindbroker, or re-seal the record as bb1',
  });
}

function checkExactKeys(value: Record<string, unknown>, keys: readonly string[], field: string): void {
  const actual = Object.keys(value);
  for (const key of actual) {
    if (!keys.includes(key)) malformed(`unexpected property ${JSON.stringify(key.slice(0, 40))}`, field);
  }
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) malformed(`missing property "${key}"`, field);
  }
}

/** The prefix and size checks shared by checkSealed and decodeSealed. */
function checkSealedText(value: unknown, field: string, maxBytes: number): asserts value is string {
  if (typeof value !== 'string') malformed('sealed value must be a string', field);
  if (!value.startsWith(SEALED_PREFIX)) {
    const other = OTHER_PREFIX.exec(value.slice(0, 8));
    if (other !== null) unknownVersion(other[0].slice(0, -1), field);
    malformed(`sealed value must start with "${SEALED_PREFIX}"`, field);
  }
  if (value.length > SEALED_PREFIX.length + Math.ceil((maxBytes * 4) / 3))
    malformed('sealed value too long', field);
}

const NOT_BASE64URL = 'sealed value is not canonical unpadded base64url';
const WRONG_LENGTH = 'sealed value has the wrong length';

/**
 * Checks one "bb1."-prefixed sealed value without decoding it: the same checks, in the same order
 * and with the same errors, as decodeSealed. parseEnvelope uses it, since shape validation (the
 * broker's, on every stored envelope) never needs the bytes. Throws ENVELOPE_VERSION /
 * ENVELOPE_MALFORMED.
 */
export function checkSealed(value: unknown, field: string, minBytes: number, maxBytes: number): void {
  checkSealedText(value, field, maxBytes);
  const length = base64urlLength(value, SEALED_PREFIX.length);
  if (length === -1) malformed(NOT_BASE64URL, field);
  if (length < minBytes || length > maxBytes) malformed(WRONG_LENGTH, field);
}

/**
 * Decodes one "bb1."-prefixed sealed value, checking its length in bytes. Throws ENVELOPE_VERSION
 * for another version's prefix and ENVELOPE_MALFORMED for anything else that is wrong.
 */
export function decodeSealed(value: unknown, field: string, minBytes: number, maxBytes: number): Uint8Array {
  checkSealedText(value, field, maxBytes);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(value.slice(SEALED_PREFIX.length));
  } catch {
    malformed(NOT_BASE64URL, field);
  }
  if (bytes.length < minBytes || bytes.length > maxBytes) malformed(WRONG_LENGTH, field);
  return bytes;
}

export function decodeContent(value: unknown, field: string): Uint8Array {
  return decodeSealed(value, field, MIN_CT_BYTES, MAX_CT_BYTES);
}

export function decodeSlot(value: unknown, field: string): Uint8Array {
  return decodeSealed(value, field, SLOT_BYTES, SLOT_BYTES);
}

function parseGroup(value: unknown, field: string): SealedGroup {
  if (!isPlainObject(value)) malformed('a group must be an object', field);
  checkExactKeys(value, ['ct', 'slots'], field);
  checkSealed(value.ct, `${field}.ct`, MIN_CT_BYTES, MAX_CT_BYTES);
  const slots = value.slots;
  if (!isPlainObject(slots)) malformed('slots must be an object', `${field}.slots`);
  const types = Object.keys(slots);
  if (types.length === 0) malformed('a group needs at least one slot', `${field}.slots`);
  const out: SealedGroup['slots'] = {};
  for (const type of types) {
    if (!isIdentifierType(type)) malformed('slot names must be identifier types', `${field}.slots`);
    checkSealed(slots[type], `${field}.slots.${type}`, SLOT_BYTES, SLOT_BYTES);
    out[type] = slots[type] as string;
  }
  return { ct: value.ct as string, slots: out };
}

/**
 * Validates an untrusted value as an envelope bb1 and returns a fresh copy of it. Does not decrypt
 * (nor decode: sealed values are checked by checkSealed).
 * Throws BrokerError ENVELOPE_VERSION for another version, ENVELOPE_MALFORMED for any other defect.
 */
export function parseEnvelope(input: unknown): Envelope {
  if (!isPlainObject(input)) malformed('must be a JSON object');
  const version = input.v;
  if (version !== ENVELOPE_VERSION) {
    if (typeof version === 'string' && OTHER_VERSION.test(version)) unknownVersion(version, 'v');
    malformed(`"v" must be "${ENVELOPE_VERSION}"`, 'v');
  }
  checkExactKeys(input, ['v', 'owner', 'recordId', 'schema', 'groups'], '');
  const owner = checkIdPart(input.owner, 'owner', MALFORMED);
  const recordId = checkIdPart(input.recordId, 'recordId', MALFORMED);
  if (input.schema !== SCHEMA) malformed(`"schema" must be "${SCHEMA}"`, 'schema');
  const groups = input.groups;
  if (!isPlainObject(groups)) malformed('groups must be an object', 'groups');
  const names = Object.keys(groups);
  if (names.length === 0 || names.length > LIMITS.maxGroups) {
    malformed(`an envelope holds 1..${LIMITS.maxGroups} groups`, 'groups');
  }
  const out: Record<string, SealedGroup> = {};
  for (const name of names) {
    checkGroupName(name, 'groups', MALFORMED);
    out[name] = parseGroup(groups[name], `groups.${name}`);
  }
  return { v: ENVELOPE_VERSION, owner, recordId, schema: SCHEMA, groups: out };
}
