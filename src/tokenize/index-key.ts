/**
 * Broker-side re-keying of member tokens (DESIGN §2): indexKey = HMAC-SHA256(brokerIndexKey, token)
 * (RFC 2104), truncated to 16 bytes and base64url-encoded. A stolen Redis dump is then useless to a
 * member without the broker key, and useless to the broker without the PRF key.
 *
 * Truncation to 128 bits keeps each Redis key at 22 characters instead of 43. HMAC-SHA256 truncated
 * to t bits is a PRF (RFC 2104 §5), so among n distinct tokens the chance that any two index keys
 * collide is at most n² / 2^(t+1): for n = 2^32 tokens that is 2^-65, far below any hardware fault
 * rate. A collision would merge two borrowers' index entries; it cannot be steered by a member,
 * who does not hold brokerIndexKey.
 */
import { KeyedHmacSha256 } from '../crypto/hash.js';
import { BrokerError } from '../errors.js';
import { base64urlLength, toBase64url } from '../util/bytes.js';
import { TOKEN_BYTES } from './tokenizer.js';

export const BROKER_INDEX_KEY_BYTES = 32;
export const INDEX_KEY_BYTES = 16;

/** Re-keys many tokens under one broker key, with the HMAC key state computed once (ingest path). */
export class IndexKeyer {
  readonly #hmac: KeyedHmacSha256;

  /** Throws TypeError / RangeError unless brokerIndexKey is 32 bytes. */
  constructor(brokerIndexKey: Uint8Array) {
    if (!(brokerIndexKey instanceof Uint8Array)) throw new TypeError('brokerIndexKey must be a Uint8Array');
    if (brokerIndexKey.length !== BROKER_INDEX_KEY_BYTES) {
      throw new RangeError(`brokerIndexKey must be ${BROKER_INDEX_KEY_BYTES} bytes`);
    }
    this.#hmac = new KeyedHmacSha256(brokerIndexKey);
  }

  /** Throws BrokerError TOKEN_MALFORMED unless token is 16 bytes of unpadded base64url. */
  indexKeyOf(token: string): string {
    // base64urlLength accepts exactly what fromBase64url(token, TOKEN_BYTES) accepts, without the
    // decode and re-encode that the canonical check would otherwise cost per token.
    if (typeof token !== 'string' || base64urlLength(token) !== TOKEN_BYTES) {
      throw new BrokerError('TOKEN_MALFORMED', `a token must be ${TOKEN_BYTES} bytes of base64url`, {
        field: 'token',
        hint: 'send tokens exactly as the tokenizer produced them',
      });
    }
    return toBase64url(this.#hmac.mac(Buffer.from(token, 'base64url')).subarray(0, INDEX_KEY_BYTES));
  }
}

/** One-off form of IndexKeyer#indexKeyOf; same result, same errors. */
export function indexKeyOf(brokerIndexKey: Uint8Array, token: string): string {
  return new IndexKeyer(brokerIndexKey).indexKeyOf(token);
}
