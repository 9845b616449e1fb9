/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a signed note (signed-note.ts) whose
 * text is "<origin>\n<tree size>\n<base64 root>\n" plus optional non-empty extension lines. The
 * size is ASCII decimal without leading zeroes (we cap it at 2^63 − 1, as Go's uint64 readers
 * and the cosignature timestamp rule do); the root is standard base64 of exactly 32 bytes.
 * The log signs with Ed25519 (signed-note type 0x01) under a key name equal to its origin.
 */
import { ed25519Verify } from '../crypto/ed25519.js';
import { BrokerError } from '../errors.js';
import { utf8 } from '../util/bytes.js';
import { fromBase64Strict, toBase64 } from './base64.js';
import { HASH_SIZE } from './merkle.js';
import { SIG_TYPE_ED25519, noteKeyId, parseSignedNote, requireSignature, signNote } from './signed-note.js';
import type { NoteSigner, NoteVerifier, SignedNote } from './signed-note.js';

export const MAX_TREE_SIZE = 2n ** 63n - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]{0,18})$/;

export interface CheckpointInput {
  readonly origin: string;
  readonly size: number | bigint;
  readonly root: Uint8Array;
  readonly extensions?: readonly string[];
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

function bad(message: string): BrokerError {
  return new BrokerError('LOG_BAD_CHECKPOINT', message, {
    hint: 'a checkpoint body is "<origin>\\n<decimal size>\\n<base64 32-byte root>\\n"',
  });
}

/** Parses a decimal tree size or index: no sign, no leading zeroes, ≤ 2^63 − 1; else undefined. */
export function parseDecimalU63(text: string): bigint | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_TREE_SIZE ? value : undefined;
}

/**
 * The note text of a checkpoint. Throws LOG_BAD_CHECKPOINT for an empty origin or extension
 * line, a line containing "\n", a size outside [0, 2^63 − 1] or a root that is not 32 bytes.
 */
export function formatCheckpointBody(input: CheckpointInput): string {
  const extensions = input.extensions ?? [];
  for (const line of [input.origin, ...extensions]) {
    if (typeof line !== 'string' || line.length === 0 || line.includes('\n')) {
      throw bad('the origin and extension lines must be non-empty single lines');
    }
  }
  const size =
    typeof input.size === 'bigint' ? input.size : Number.isSafeInteger(input.size) ? BigInt(input.size) : -1n;
  if (size < 0n || size > MAX_TREE_SIZE) throw bad('the tree size must be an integer in [0, 2^63 - 1]');
  if (!(input.root instanceof Uint8Array) || input.root.length !== HASH_SIZE)
    throw bad('the root must be 32 bytes');
  return [input.origin, size.toString(), toBase64(input.root), ...extensions].join('\n') + '\n';
}

/** Parses a checkpoint note text (already split from its signatures). Throws LOG_BAD_CHECKPOINT. */
export function parseCheckpointBody(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n'))
    throw bad('the checkpoint text must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw bad('the checkpoint needs origin, size and root lines');
  }
  if (origin.length === 0) throw bad('the origin line is empty');
  const size = parseDecimalU63(sizeText);
  if (size === undefined) throw bad('the size line is not a decimal in [0, 2^63 - 1] without leading zeroes');
  const root = fromBase64Strict(rootText);
  if (root === undefined || root.length !== HASH_SIZE) throw bad('the root line is not base64 of 32 bytes');
  if (extensions.some((line) => line.length === 0)) throw bad('an extension line is empty');
  return { origin, size, root, extensions };
}

/** Signs a checkpoint and returns the note text. Throws as `formatCheckpointBody` and `signNote`. */
export function signCheckpoint(input: CheckpointInput, signer: NoteSigner): string {
  return signNote(formatCheckpointBody(input), signer);
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: SignedNote;
}

export interface VerifyCheckpointOptions {
  /** The origin the caller expects; defaults to the verifier's key name. */
  readonly origin?: string;
}

/**
 * Verifies a checkpoint note under the log's Ed25519 key and returns its parsed contents.
 * Signature lines from other keys (witnesses, a rotated log key) are ignored. Throws LOG_BAD_NOTE
 * or LOG_BAD_CHECKPOINT when malformed, LOG_UNSIGNED when no line is from this key,
 * LOG_BAD_SIGNATURE when a line from this key fails, LOG_WRONG_ORIGIN when the origin differs.
 */
export function verifyCheckpoint(
  text: string,
  verifier: NoteVerifier,
  options: VerifyCheckpointOptions = {},
): VerifiedCheckpoint {
  const note = parseSignedNote(text);
  const checkpoint = parseCheckpointBody(note.body);
  const keyId = noteKeyId(verifier.name, SIG_TYPE_ED25519, verifier.publicKey);
  const message = utf8(note.body);
  requireSignature(note, verifier.name, keyId, (sig) => ed25519Verify(sig, message, verifier.publicKey));
  const origin = options.origin ?? verifier.name;
  if (checkpoint.origin !== origin) {
    throw new BrokerError(
      'LOG_WRONG_ORIGIN',
      `the checkpoint is for "${checkpoint.origin}", not "${origin}"`,
      {
        hint: 'check which log this checkpoint came from',
      },
    );
  }
  return { checkpoint, note };
}
