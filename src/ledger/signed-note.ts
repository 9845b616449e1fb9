/**
 * C2SP signed-note v1 (https://c2sp.org/signed-note): a UTF-8 text ending in "\n", a blank line,
 * then signature lines "— <key name> <base64(4-byte key ID ‖ signature)>\n" (U+2014, U+0020).
 * Key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4]; Ed25519 notes use type
 * 0x01 and sign the text bytes (including its final newline, excluding the blank line). Verifier
 * keys are "<name>+<8 hex key ID>+<base64(type ‖ public key)>" as in golang.org/x/mod/sumdb/note.
 *
 * Parsing treats input as hostile: bounded size and signature count, exact line grammar, no
 * control characters but "\n" (so no "\r"), no lone surrogates, canonical base64 only.
 */
import { sha256 } from '../crypto/hash.js';
import { ed25519PublicKey, ed25519Sign } from '../crypto/ed25519.js';
import { BrokerError } from '../errors.js';
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from '../util/bytes.js';
import { fromBase64Strict, toBase64 } from './base64.js';

/** Signature type bytes (signed-note §Signature types). */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** Upper bounds for hostile input: Go's sumdb/note caps signatures at 100; the spec asks for ≥ 16. */
export const MAX_NOTE_BYTES = 128 * 1024;
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_A_NAME_CHAR = /[\s\u0085+]/u;

export interface NoteSigner {
  readonly name: string;
  readonly secretKey: Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Uint8Array;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, final newline included. */
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
}

/** True when `text` holds an ASCII control character other than "\n" (signed-note §Format). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

function bad(message: string, hint?: string): BrokerError {
  return new BrokerError('LOG_BAD_NOTE', message, {
    hint: hint ?? 'send a C2SP signed note: text, a blank line, then "— <name> <base64>" lines',
  });
}

/** True when `name` is a valid key name: non-empty, no Unicode space, no '+', no control char. */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !NOT_A_NAME_CHAR.test(name) &&
    !hasControl(name) &&
    !LONE_SURROGATE.test(name)
  );
}

/** Throws LOG_BAD_KEY_NAME unless `name` is a valid key name. */
export function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new BrokerError('LOG_BAD_KEY_NAME', 'a key name must be non-empty, without spaces or "+"', {
      hint: 'use a schema-less URL such as example.com/log',
    });
  }
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ publicKey)[:4]. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey)).slice(0, 4);
}

/** Checks the shared text rules; throws LOG_BAD_NOTE. */
function checkNoteText(text: string): void {
  if (typeof text !== 'string') throw bad('a signed note must be a string');
  if (text.length > MAX_NOTE_BYTES || utf8(text).length > MAX_NOTE_BYTES) {
    throw bad(`the note exceeds ${MAX_NOTE_BYTES} bytes`);
  }
  if (hasControl(text)) throw bad('the note contains a control character (only "\\n" is allowed)');
  if (LONE_SURROGATE.test(text)) throw bad('the note is not valid UTF-8');
}

/**
 * Parses a signed note without verifying anything. Throws LOG_BAD_NOTE for any deviation from the
 * grammar: size or signature count over the limits, control characters (CR included), a missing
 * final newline or blank line, a malformed signature line, non-canonical base64.
 */
export function parseSignedNote(text: string): SignedNote {
  checkNoteText(text);
  if (!text.endsWith('\n')) throw bad('the note must end with a newline');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw bad('the note has no blank line before its signatures');
  const body = text.slice(0, split + 1);
  if (body.length === 0) throw bad('the note text is empty');
  if (split + 2 === text.length) throw bad('the note has no signature lines');
  const lines = text.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw bad(`the note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { body, signatures };
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw bad(`signature line ${n} does not start with "— "`);
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = rest.slice(0, space);
  if (space < 0 || !isValidKeyName(name)) throw bad(`signature line ${n} has no valid key name`);
  const blob = fromBase64Strict(rest.slice(space + 1));
  if (blob === undefined || blob.length < 5) {
    throw bad(`signature line ${n} does not carry base64(key ID ‖ signature)`);
  }
  return { name, keyId: blob.slice(0, 4), signature: blob.slice(4) };
}

/** "— name base64(keyId ‖ signature)\n". */
export function formatSignatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  return `${SIG_PREFIX}${name} ${toBase64(concatBytes(keyId, signature))}\n`;
}

/**
 * Signs `body` with Ed25519 (type 0x01) and returns the signed note. Throws LOG_BAD_KEY_NAME for
 * an invalid name and LOG_BAD_NOTE when the body is empty, lacks its final newline or breaks the
 * note text rules.
 */
export function signNote(body: string, signer: NoteSigner): string {
  assertKeyName(signer.name);
  checkNoteText(body);
  if (body.length === 0 || !body.endsWith('\n'))
    throw bad('the note text must be non-empty and end in "\\n"');
  const keyId = noteKeyId(signer.name, SIG_TYPE_ED25519, ed25519PublicKey(signer.secretKey));
  return `${body}\n${formatSignatureLine(signer.name, keyId, ed25519Sign(utf8(body), signer.secretKey))}`;
}

/**
 * Applies the signed-note verification rule for one known key: lines whose name AND key ID both
 * match are verified with `check` (lines matching only one of them belong to other keys and are
 * ignored). Throws LOG_UNSIGNED when no line matches and LOG_BAD_SIGNATURE when any matching line
 * fails, which rejects the whole note (the spec's SHOULD, taken as MUST here).
 */
export function requireSignature(
  note: SignedNote,
  name: string,
  keyId: Uint8Array,
  check: (signature: Uint8Array) => boolean,
): void {
  const mine = note.signatures.filter((s) => s.name === name && equalBytes(s.keyId, keyId));
  if (mine.length === 0) {
    throw new BrokerError('LOG_UNSIGNED', `the note carries no signature from ${name}`, {
      hint: 'fetch a note signed by this key, or check the configured verifier key',
      details: { keyName: name, keyId: toHex(keyId) },
    });
  }
  if (!mine.every((s) => check(s.signature))) {
    throw new BrokerError('LOG_BAD_SIGNATURE', `a signature from ${name} does not verify`, {
      hint: 'the note was altered or forged; do not trust it',
      details: { keyName: name, keyId: toHex(keyId) },
    });
  }
}

export interface VerifierKey {
  readonly name: string;
  readonly type: number;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** "<name>+<hex key ID>+<base64(type ‖ publicKey)>". Throws LOG_BAD_KEY_NAME for an invalid name. */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  assertKeyName(name);
  const keyId = noteKeyId(name, type, publicKey);
  return `${name}+${toHex(keyId)}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/**
 * Parses a verifier key of type 0x01 (Ed25519 note) or 0x04 (Ed25519 cosignature/v1). Throws
 * LOG_BAD_VERIFIER_KEY when malformed, of another type, or when the key ID does not match.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  const fail = (why: string): BrokerError =>
    new BrokerError('LOG_BAD_VERIFIER_KEY', `invalid verifier key: ${why}`, {
      hint: 'expected <name>+<8 hex digits>+<base64(type ‖ 32-byte Ed25519 key)>',
    });
  if (typeof vkey !== 'string' || vkey.length > 1024) throw fail('not a short string');
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw fail('missing "+" separators');
  const name = vkey.slice(0, first);
  const idText = vkey.slice(first + 1, second).toLowerCase();
  const material = fromBase64Strict(vkey.slice(second + 1));
  if (!isValidKeyName(name)) throw fail('bad key name');
  if (!/^[0-9a-f]{8}$/.test(idText)) throw fail('the key ID is not 8 hex digits');
  if (material === undefined || material.length !== 33) throw fail('the key is not base64 of 33 bytes');
  const type = material[0] as number;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) throw fail(`unsupported type ${type}`);
  const publicKey = material.slice(1);
  const keyId = fromHex(idText, 4);
  if (!equalBytes(keyId, noteKeyId(name, type, publicKey))) throw fail('the key ID does not match the key');
  return { name, type, keyId, publicKey };
}
