/**
 * C2SP tlog-proof v1 (https://c2sp.org/tlog-proof), the receipt shape of DESIGN §5:
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64 opaque data>]
 *   index <decimal, no leading zeroes>
 *   <base64 hash>            zero or more: RFC 6962 §2.1.1 audit path, leaf's sibling first
 *
 *   <checkpoint note, verbatim, cosignatures included>
 */
import { BrokerError } from '../errors.js';
import { fromBase64Strict, toBase64 } from './base64.js';
import { parseDecimalU63, verifyCheckpoint } from './checkpoint.js';
import type { Checkpoint, VerifyCheckpointOptions } from './checkpoint.js';
import { HASH_SIZE } from './merkle.js';
import { MAX_NOTE_BYTES } from './signed-note.js';
import type { NoteVerifier } from './signed-note.js';
import { verifyInclusion } from './verify.js';

const HEADER = 'c2sp.org/tlog-proof@v1';
/** A path is at most 63 hashes for sizes ≤ 2^63 − 1. */
const MAX_PATH = 64;
const MAX_PROOF_CHARS = MAX_NOTE_BYTES + 8 * 1024;

export interface TlogProof {
  readonly index: bigint;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note text, exactly as embedded. */
  readonly checkpoint: string;
  /** Unauthenticated application data; never trust it implicitly. */
  readonly extra?: Uint8Array;
}

export interface TlogProofInput {
  readonly index: number | bigint;
  readonly proof: readonly Uint8Array[];
  readonly checkpoint: string;
  readonly extra?: Uint8Array;
}

function bad(message: string): BrokerError {
  return new BrokerError('LOG_BAD_PROOF', message, { hint: 'send a c2sp.org/tlog-proof@v1 document' });
}

/** Formats a tlog-proof. Throws LOG_BAD_PROOF for a negative index or a hash that is not 32 bytes. */
export function formatTlogProof(input: TlogProofInput): string {
  const index = BigInt(input.index);
  if (index < 0n || parseDecimalU63(index.toString()) === undefined) throw bad('the index is out of range');
  if (input.proof.some((h) => h.length !== HASH_SIZE)) throw bad('every proof hash must be 32 bytes');
  const extra = input.extra === undefined ? '' : `extra ${toBase64(input.extra)}\n`;
  const hashes = input.proof.map((h) => `${toBase64(h)}\n`).join('');
  return `${HEADER}\n${extra}index ${index.toString()}\n${hashes}\n${input.checkpoint}`;
}

/**
 * Parses a tlog-proof without verifying it. Throws LOG_BAD_PROOF for a wrong header, a malformed
 * extra or index line, a hash that is not canonical base64 of 32 bytes, more than 64 hashes, a
 * missing blank line, or a document larger than a note plus its path.
 */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string' || text.length > MAX_PROOF_CHARS) throw bad('the proof is not a short string');
  const split = text.indexOf('\n\n');
  if (split < 0) throw bad('the proof has no blank line before its checkpoint');
  const lines = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (lines.shift() !== HEADER) throw bad(`the first line must be ${HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    extra = fromBase64Strict((lines.shift() as string).slice('extra '.length));
    if (extra === undefined) throw bad('the extra line is not canonical base64');
  }
  const indexLine = lines.shift();
  const index = indexLine?.startsWith('index ')
    ? parseDecimalU63(indexLine.slice('index '.length))
    : undefined;
  if (index === undefined) throw bad('the index line must be "index <decimal without leading zeroes>"');
  if (lines.length > MAX_PATH) throw bad(`the inclusion proof has more than ${MAX_PATH} hashes`);
  const proof = lines.map((line, i) => {
    const hash = fromBase64Strict(line);
    if (hash === undefined || hash.length !== HASH_SIZE)
      throw bad(`proof hash ${i + 1} is not base64 of 32 bytes`);
    return hash;
  });
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * Verifies a tlog-proof for `leafHash`: the checkpoint under the log's key (as verifyCheckpoint),
 * then the inclusion path against it. Witness cosignatures are the caller's policy
 * (verifyCosignature on `proof.checkpoint`). Throws the parse and checkpoint codes, and
 * LOG_PROOF_FAILED when the path does not lead to the checkpoint's root.
 */
export function verifyTlogProof(
  text: string,
  leafHash: Uint8Array,
  verifier: NoteVerifier,
  options: VerifyCheckpointOptions = {},
): { proof: TlogProof; checkpoint: Checkpoint } {
  const proof = parseTlogProof(text);
  const { checkpoint } = verifyCheckpoint(proof.checkpoint, verifier, options);
  if (!verifyInclusion(leafHash, proof.index, checkpoint.size, proof.proof, checkpoint.root)) {
    throw new BrokerError('LOG_PROOF_FAILED', `entry ${proof.index} is not proven in the checkpoint`, {
      hint: 'the receipt does not match this entry or this checkpoint',
    });
  }
  return { proof, checkpoint };
}
