/**
 * hmac-mode tokenizer (DESIGN §2): PRF = HMAC-SHA256 (RFC 2104) under a per-type, per-epoch key
 * derived with HKDF-SHA256 (RFC 5869) from the consortium secret. The six PRF keys are derived
 * once at construction and held with precomputed HMAC pad states, so `tokenize` costs one HMAC
 * plus two HKDF-Expand blocks and no key derivation.
 */
import { hkdfSha256, KeyedHmacSha256 } from '../crypto/hash.js';
import { BrokerError } from '../errors.js';
import { utf8 } from '../util/bytes.js';
import { tokenPairFromPrfOutput } from './tokenizer.js';
import type { TokenInput, TokenPair, Tokenizer } from './tokenizer.js';
import { IDENTIFIER_TYPES, isIdentifierType } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';

export const CONSORTIUM_SECRET_BYTES = 32;
const PRF_KEY_BYTES = 32;
const MAX_CONSORTIUM_ID_LENGTH = 256;

export interface HmacTokenizerOptions {
  /** 32 random bytes shared by the consortium's members; never held by the broker. */
  consortiumSecret: Uint8Array;
  /** HKDF salt: keeps two consortia with the same secret apart. */
  consortiumId: string;
  /** Positive integer; a new epoch gives unlinkable tokens (key rotation). */
  epoch: number;
}

function checkOptions({ consortiumSecret, consortiumId, epoch }: HmacTokenizerOptions): void {
  if (!(consortiumSecret instanceof Uint8Array)) throw new TypeError('consortiumSecret must be a Uint8Array');
  if (consortiumSecret.length !== CONSORTIUM_SECRET_BYTES) {
    throw new RangeError(`consortiumSecret must be ${CONSORTIUM_SECRET_BYTES} bytes`);
  }
  if (typeof consortiumId !== 'string') throw new TypeError('consortiumId must be a string');
  if (consortiumId.length === 0 || consortiumId.length > MAX_CONSORTIUM_ID_LENGTH) {
    throw new RangeError(`consortiumId must be 1..${MAX_CONSORTIUM_ID_LENGTH} characters`);
  }
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new RangeError('epoch must be a positive integer');
}

/**
 * prfKey = HKDF-SHA256(ikm = consortiumSecret, salt = utf8(consortiumId),
 * info = utf8("blindbroker/v1/prf/" + type + "/" + epoch), 32). Throws TypeError / RangeError
 * on a bad secret, consortium id, type or epoch.
 */
export function derivePrfKey(options: HmacTokenizerOptions, type: IdentifierType): Uint8Array {
  checkOptions(options);
  if (!isIdentifierType(type)) throw new RangeError(`unknown identifier type: ${String(type)}`);
  const info = utf8(`blindbroker/v1/prf/${type}/${options.epoch}`);
  return hkdfSha256(options.consortiumSecret, utf8(options.consortiumId), info, PRF_KEY_BYTES);
}

export class HmacTokenizer implements Tokenizer {
  readonly mode = 'hmac';
  readonly epoch: number;
  readonly #prfs: ReadonlyMap<string, KeyedHmacSha256>;

  /** Throws TypeError / RangeError on bad options. The secret itself is not retained. */
  constructor(options: HmacTokenizerOptions) {
    checkOptions(options);
    this.epoch = options.epoch;
    this.#prfs = new Map(
      IDENTIFIER_TYPES.map((type) => [type, new KeyedHmacSha256(derivePrfKey(options, type))]),
    );
  }

  /**
   * The hot path: tokenizes one normalized value. Throws BrokerError TOKEN_INPUT when the type is
   * unknown or the value is not a non-empty string (nulls never join, DESIGN §2).
   */
  tokenize(type: IdentifierType, normalized: string): TokenPair {
    const prf = this.#prfs.get(type);
    if (prf === undefined) {
      throw new BrokerError('TOKEN_INPUT', `unknown identifier type: ${String(type)}`, {
        field: 'type',
        hint: `use one of ${IDENTIFIER_TYPES.join(', ')}`,
      });
    }
    if (typeof normalized !== 'string' || normalized.length === 0) {
      throw new BrokerError('TOKEN_INPUT', `empty ${type} value cannot be tokenized`, {
        field: type,
        hint: 'skip empty identifiers; they never produce a token',
      });
    }
    return tokenPairFromPrfOutput(prf.mac(utf8(normalized)));
  }

  /** See Tokenizer.tokenizeBatch; rejects on the first bad item (nothing is half-tokenized). */
  async tokenizeBatch(items: readonly TokenInput[]): Promise<TokenPair[]> {
    return items.map((item) => this.tokenize(item.type, item.value));
  }
}
