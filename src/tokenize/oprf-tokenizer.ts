/**
 * oprf-mode tokenizer (DESIGN §2): PRF = RFC 9497 VOPRF(ristretto255, SHA-512) evaluated blind by the
 * token authority, so no member can compute a token offline. Per identifier:
 *   input  = utf8(type ‖ 0x00 ‖ normalized)        (binds the identifier type; 0x00 never occurs in a
 *                                                    normalized value, so the split is unambiguous)
 *   output = Finalize(input, …)                     (RFC 9497 §3.3.2, 64 bytes, after the batch proof
 *                                                    of §2.2 verified against the epoch's public key)
 *   prk    = HKDF-Extract(salt = utf8("blindbroker/v1/oprf/" ‖ epoch), output)   (RFC 5869 §2.2)
 *   {token, sealKey} = tokenPairFromPrfOutput(prk)
 * Blinding and finalizing run on an OPRF worker pool (inline for small batches); requests of
 * `requestSize` elements are pipelined to the authority; every result is cached for the epoch.
 */
import { hkdfExtractSha256 } from '../crypto/hash.js';
import { createOprfPool } from '../crypto/oprf-pool.js';
import type { OprfPool } from '../crypto/oprf-pool.js';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES, isIdentifierType } from '../normalize/schema.js';
import { equalBytes, fromBase64url, utf8 } from '../util/bytes.js';
import type { TokenAuthorityApi } from './authority-client.js';
import { OprfCache } from './oprf-cache.js';
import { tokenPairFromPrfOutput } from './tokenizer.js';
import type { TokenInput, TokenPair, Tokenizer } from './tokenizer.js';

export const DEFAULT_REQUEST_SIZE = 1000;

export interface OprfTokenizerOptions {
  authority: TokenAuthorityApi;
  /** Default: the authority's current epoch. */
  epoch?: number;
  /** The epoch's public key as pinned by the member (oprf-keys.pub.json); must match the authority's. */
  publicKey?: Uint8Array;
  /** Elements per request to the authority (at most its batch limit). */
  requestSize?: number;
  /** Worker threads for blinding and finalizing; default one per core, 0 = inline. */
  threads?: number;
  cacheFile?: string;
}

/** utf8(type ‖ 0x00 ‖ normalized). Throws BrokerError TOKEN_INPUT on an unknown type or empty value. */
export function oprfInput(item: TokenInput): Uint8Array {
  if (!isIdentifierType(item.type)) {
    throw new BrokerError('TOKEN_INPUT', `unknown identifier type: ${String(item.type)}`, {
      field: 'type',
      hint: `use one of ${IDENTIFIER_TYPES.join(', ')}`,
    });
  }
  if (typeof item.value !== 'string' || item.value.length === 0 || item.value.includes('\u0000')) {
    throw new BrokerError('TOKEN_INPUT', `empty or malformed ${item.type} value cannot be tokenized`, {
      field: item.type,
      hint: 'tokenize normalized, non-empty values only',
    });
  }
  return utf8(`${item.type}\u0000${item.value}`);
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export class OprfTokenizer implements Tokenizer {
  readonly mode = 'oprf';
  readonly epoch: number;
  readonly #authority: TokenAuthorityApi;
  readonly #publicKey: Uint8Array;
  readonly #pool: OprfPool;
  readonly #cache: OprfCache;
  readonly #salt: Uint8Array;
  readonly #requestSize: number;

  private constructor(options: OprfTokenizerOptions, epoch: number, publicKey: Uint8Array, cache: OprfCache) {
    this.#authority = options.authority;
    this.epoch = epoch;
    this.#publicKey = publicKey;
    this.#cache = cache;
    this.#salt = utf8(`blindbroker/v1/oprf/${epoch}`);
    this.#requestSize = options.requestSize ?? DEFAULT_REQUEST_SIZE;
    this.#pool = createOprfPool(options.threads === undefined ? {} : { threads: options.threads });
  }

  /**
   * Fetches the authority's public keys, picks the epoch and checks a pinned key. Throws
   * TA_EPOCH_UNKNOWN, TA_EPOCH_RETIRED, TA_KEY_MISMATCH, and the client's TA_* errors.
   */
  static async create(options: OprfTokenizerOptions): Promise<OprfTokenizer> {
    const size = options.requestSize ?? DEFAULT_REQUEST_SIZE;
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError('requestSize must be a positive integer');
    const keys = await options.authority.keys();
    const epoch = options.epoch ?? keys.current;
    const entry = keys.epochs.find((e) => e.epoch === epoch);
    if (entry === undefined) {
      throw new BrokerError('TA_EPOCH_UNKNOWN', `the token authority has no key for epoch ${epoch}`, {
        hint: `use the current epoch ${keys.current}`,
      });
    }
    if (entry.retireAt !== undefined && Date.parse(entry.retireAt) <= Date.now()) {
      throw new BrokerError('TA_EPOCH_RETIRED', `epoch ${epoch} is retired`, {
        hint: `re-prepare under epoch ${keys.current}`,
      });
    }
    const publicKey = fromBase64url(entry.publicKey, 32);
    if (options.publicKey !== undefined && !equalBytes(options.publicKey, publicKey)) {
      throw new BrokerError(
        'TA_KEY_MISMATCH',
        `the authority's key for epoch ${epoch} is not the pinned one`,
        {
          hint: 'compare token-authority/oprf-keys.pub.json with the authority operator before going on',
        },
      );
    }
    const cache = await OprfCache.open(options.cacheFile, epoch, publicKey);
    return new OprfTokenizer(options, epoch, publicKey, cache);
  }

  /** Identifiers known to the cache (evaluated once per epoch). */
  get cached(): number {
    return this.#cache.size;
  }

  /**
   * One pair per item, in order. Each distinct uncached input is evaluated once. Rejects with
   * TOKEN_INPUT (bad item, before any request), OPRF_BAD_PROOF / OPRF_BAD_ELEMENT (the authority's
   * answer does not verify: nothing is cached from it), or the authority's TA_* codes.
   */
  async tokenizeBatch(items: readonly TokenInput[]): Promise<TokenPair[]> {
    const inputs = items.map(oprfInput);
    const keys = inputs.map((input) => OprfCache.keyOf(input));
    const missing = new Map<string, Uint8Array>();
    keys.forEach((key, i) => {
      if (this.#cache.get(key) === undefined) missing.set(key, inputs[i] as Uint8Array);
    });
    const parallel = Math.max(2, this.#pool.threads * 2);
    const queue = chunks([...missing], this.#requestSize);
    const lanes = Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) await this.#evaluate(chunk);
    });
    await Promise.all(lanes);
    await this.#cache.flush();
    return keys.map((key) => tokenPairFromPrfOutput(this.#cache.get(key) as Uint8Array));
  }

  async #evaluate(chunk: [string, Uint8Array][]): Promise<void> {
    const inputs = chunk.map(([, input]) => input);
    const request = await this.#pool.blind(inputs);
    const response = await this.#authority.evaluate(this.epoch, request.blinded);
    const outputs = await this.#pool.finalize(inputs, request, response, this.#publicKey);
    chunk.forEach(([key], i) =>
      this.#cache.set(key, hkdfExtractSha256(outputs[i] as Uint8Array, this.#salt)),
    );
  }

  /** Writes the cache and stops the worker threads (the authority client is the caller's). */
  async close(): Promise<void> {
    await this.#cache.flush();
    await this.#pool.close();
  }
}
