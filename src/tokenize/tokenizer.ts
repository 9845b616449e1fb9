/**
 * The tokenizer interface shared by hmac and oprf mode (DESIGN §2), and the one step both modes
 * share: splitting a PRF output into a match token and a seal key with RFC 5869 §2.3 HKDF-Expand
 * under distinct labels, so neither value reveals the other.
 */
import { hkdfExpandSha256 } from '../crypto/hash.js';
import { toBase64url, utf8 } from '../util/bytes.js';
import type { IdentifierType } from '../normalize/schema.js';

export const TOKEN_BYTES = 16;
export const SEAL_KEY_BYTES = 32;
/** RFC 5869 §2.3 asks for a PRK of at least HashLen (32) bytes. */
export const MIN_PRF_OUTPUT_BYTES = 32;

const TOKEN_INFO = utf8('blindbroker/v1/token');
const SEAL_INFO = utf8('blindbroker/v1/seal');

export interface TokenPair {
  /** 16 bytes, base64url: what the broker matches on (after re-keying, see index-key.ts). */
  token: string;
  /** 32 bytes: wraps envelope data keys (DESIGN §3); never leaves the member. */
  sealKey: Uint8Array;
}

export interface TokenInput {
  type: IdentifierType;
  /** Already normalized (src/normalize); the tokenizer does not normalize. */
  value: string;
}

export interface Tokenizer {
  readonly mode: 'hmac' | 'oprf';
  readonly epoch: number;
  /** One pair per item, in order. Rejects with BrokerError TOKEN_INPUT on a bad item. */
  tokenizeBatch(items: readonly TokenInput[]): Promise<TokenPair[]>;
}

/**
 * token = HKDF-Expand(prfOutput, "blindbroker/v1/token", 16);
 * sealKey = HKDF-Expand(prfOutput, "blindbroker/v1/seal", 32).
 * Throws TypeError / RangeError when prfOutput is not a Uint8Array of at least 32 bytes.
 */
export function tokenPairFromPrfOutput(prfOutput: Uint8Array): TokenPair {
  if (!(prfOutput instanceof Uint8Array)) throw new TypeError('prfOutput must be a Uint8Array');
  if (prfOutput.length < MIN_PRF_OUTPUT_BYTES) {
    throw new RangeError(`prfOutput must be at least ${MIN_PRF_OUTPUT_BYTES} bytes`);
  }
  return {
    token: toBase64url(hkdfExpandSha256(prfOutput, TOKEN_INFO, TOKEN_BYTES)),
    sealKey: hkdfExpandSha256(prfOutput, SEAL_INFO, SEAL_KEY_BYTES),
  };
}
