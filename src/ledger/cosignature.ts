/**
 * C2SP tlog-cosignature v1, Ed25519 type (https://c2sp.org/tlog-cosignature): a witness's note
 * signature line on a checkpoint. Key ID = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]; the
 * signature is `timestamped_signature` = u64 big-endian POSIX seconds ‖ 64-byte Ed25519 signature
 * over "cosignature/v1\ntime <seconds>\n" followed by the whole checkpoint note text.
 * A cosignature states that the witness verified the checkpoint's consistency with everything it
 * saw before: callers run verifyConsistency against the witness's last checkpoint BEFORE cosigning.
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../crypto/ed25519.js';
import { concatBytes, utf8 } from '../util/bytes.js';
import { MAX_TREE_SIZE, parseCheckpointBody } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  assertKeyName,
  formatSignatureLine,
  noteKeyId,
  parseSignedNote,
  requireSignature,
} from './signed-note.js';
import type { NoteSigner, NoteVerifier } from './signed-note.js';

const MAX_TIMESTAMP = MAX_TREE_SIZE; // "MUST NOT exceed 2^63 - 1"

/** The signed message: "cosignature/v1\ntime <seconds>\n" ‖ checkpoint text. */
export function cosignatureMessage(checkpointBody: string, timestamp: bigint): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp.toString()}\n${checkpointBody}`);
}

/**
 * Appends a cosignature/v1 line from `witness` to a checkpoint note. `timestamp` defaults to now
 * (POSIX seconds). Throws LOG_BAD_NOTE / LOG_BAD_CHECKPOINT for a malformed note,
 * LOG_BAD_KEY_NAME for an invalid witness name, RangeError for a timestamp outside [0, 2^63 − 1].
 */
export function cosignCheckpoint(
  noteText: string,
  witness: NoteSigner,
  timestamp: number | bigint = Math.floor(Date.now() / 1000),
): string {
  assertKeyName(witness.name);
  const note = parseSignedNote(noteText);
  parseCheckpointBody(note.body);
  const ts =
    typeof timestamp === 'bigint' ? timestamp : Number.isSafeInteger(timestamp) ? BigInt(timestamp) : -1n;
  if (ts < 0n || ts > MAX_TIMESTAMP) throw new RangeError('a cosignature timestamp must be in [0, 2^63 - 1]');
  const signature = ed25519Sign(cosignatureMessage(note.body, ts), witness.secretKey);
  const stamp = new Uint8Array(8);
  new DataView(stamp.buffer).setBigUint64(0, ts);
  const keyId = noteKeyId(witness.name, SIG_TYPE_COSIGNATURE_V1, ed25519PublicKey(witness.secretKey));
  return noteText + formatSignatureLine(witness.name, keyId, concatBytes(stamp, signature));
}

export interface VerifiedCosignature {
  readonly checkpoint: Checkpoint;
  /** POSIX seconds at which the witness cosigned (the latest, if it cosigned more than once). */
  readonly timestamp: bigint;
}

/**
 * Verifies the witness's cosignature/v1 on a checkpoint note. Lines from other keys are ignored.
 * Does NOT verify the log's own signature (use verifyCheckpoint for that). Throws LOG_BAD_NOTE /
 * LOG_BAD_CHECKPOINT when malformed, LOG_UNSIGNED when the witness did not cosign,
 * LOG_BAD_SIGNATURE when a line from the witness's key is malformed or does not verify.
 */
export function verifyCosignature(noteText: string, witness: NoteVerifier): VerifiedCosignature {
  const note = parseSignedNote(noteText);
  const checkpoint = parseCheckpointBody(note.body);
  const keyId = noteKeyId(witness.name, SIG_TYPE_COSIGNATURE_V1, witness.publicKey);
  let latest = -1n;
  requireSignature(note, witness.name, keyId, (blob) => {
    if (blob.length !== 8 + 64) return false;
    const ts = new DataView(blob.buffer, blob.byteOffset, 8).getBigUint64(0);
    if (ts > MAX_TIMESTAMP) return false;
    if (!ed25519Verify(blob.slice(8), cosignatureMessage(note.body, ts), witness.publicKey)) return false;
    if (ts > latest) latest = ts;
    return true;
  });
  return { checkpoint, timestamp: latest };
}
