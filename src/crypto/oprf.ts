/**
 * RFC 9497 OPRF(ristretto255, SHA-512) in the verifiable mode (VOPRF, mode 0x01, §3.3.2): the token
 * authority's key pair (§3.2: GenerateKeyPair / DeriveKeyPair), the client's Blind and batch
 * Finalize (§3.3.2, verifying one batch DLEQ proof, §2.2), and the server's BlindEvaluate with a
 * batch proof (§2.2.1 GenerateProof over ComputeCompositesFast). The proofs are in oprf-proof.ts,
 * the group and the suite's hash functions in ristretto255-sha512.ts.
 *
 * The group arithmetic runs on libsodium's WebAssembly build (libsodium-wrappers-sumo): measured
 * here at ~8,200 scalar multiplications/s on one core, about 10x @noble/curves' pure-JS
 * ristretto255, and scalar multiplications are nearly all of an identifier's cost. The tests keep
 * noble and @cloudflare/voprf-ts as independent cross-checks: same outputs, same proof bytes.
 *
 * Everything that crosses the wire is checked here first: elements are 32-byte canonical
 * ristretto255 encodings (RFC 9496 §4.3.1) that are not the identity (RFC 9497 §3.3: "applications
 * MUST reject" it), proofs are two canonical scalars (§2.2). Failures are BrokerErrors:
 * OPRF_BAD_ELEMENT (details.index names the element), OPRF_BAD_PROOF, OPRF_BAD_INPUT, OPRF_BAD_KEY.
 */
import { BrokerError } from '../errors.js';
import { concatBytes, equalBytes, utf8 } from '../util/bytes.js';
import { generateProof, verifyProof } from './oprf-proof.js';
import { randomBytes } from './random.js';
import {
  ELEMENT_BYTES,
  SCALAR_BYTES,
  hashToGroup,
  hashToScalar,
  i2osp2,
  invertAll,
  isElement,
  isScalar,
  isZero,
  mul,
  mulBase,
  randomScalar,
  sha512,
} from './ristretto255-sha512.js';

export { ELEMENT_BYTES, SCALAR_BYTES };
export const OPRF_SUITE = 'ristretto255-SHA512';
/** A DLEQ proof is the scalars (c, s) (RFC 9497 §2.2.1). */
export const PROOF_BYTES = 2 * SCALAR_BYTES;
/** Nh: the Finalize output is one SHA-512 digest. */
export const OPRF_OUTPUT_BYTES = 64;
/** RFC 9497 §1.2: inputs are length-prefixed with two bytes. */
export const MAX_OPRF_INPUT_BYTES = 0xffff;
/** The composite weights number the elements with I2OSP(i, 2) (§2.2.1). */
const MAX_BATCH = 0x10000;

/** contextString = "OPRFV1-" || I2OSP(0x01, 1) || "-" || identifier (RFC 9497 §3.1). */
const CONTEXT = concatBytes(utf8('OPRFV1-'), Uint8Array.of(0x01), utf8(`-${OPRF_SUITE}`));
const HASH_TO_GROUP_DST = concatBytes(utf8('HashToGroup-'), CONTEXT);
const DERIVE_KEY_PAIR_DST = concatBytes(utf8('DeriveKeyPair'), CONTEXT);
const FINALIZE = utf8('Finalize');

export interface OprfKeyPair {
  /** skS, a nonzero scalar, 32 bytes little-endian. */
  secretKey: Uint8Array;
  /** pkS = skS·G, 32 bytes. */
  publicKey: Uint8Array;
}

/**
 * A byte source for random scalars; tests pass a fixed one to replay RFC 9497 Appendix A. It is
 * asked for 48 bytes per scalar, mapped to [1, L-1] as x mod (L-1) + 1 (see randomScalar).
 */
export type RandomSource = (length?: number) => Uint8Array;

const osRandom: RandomSource = (length = 32) => randomBytes(length);

export interface BlindedBatch {
  /** The client's secret blinds, one per input; never sent. */
  blinds: Uint8Array[];
  /** The blinded elements sent to the authority. */
  blinded: Uint8Array[];
}

export interface EvaluatedBatch {
  evaluated: Uint8Array[];
  /** One DLEQ proof for the whole batch (RFC 9497 §2.2.1). */
  proof: Uint8Array;
}

function badElement(index: number, field: string): BrokerError {
  return new BrokerError('OPRF_BAD_ELEMENT', `${field}[${index}] is not a valid ristretto255 element`, {
    field,
    hint: 'send elements exactly as the OPRF client produced them: 32-byte canonical, non-identity encodings',
    details: { index },
  });
}

/** Throws OPRF_BAD_ELEMENT unless `bytes` decodes (RFC 9496 §4.3.1) to a non-identity element. */
export function checkElement(bytes: Uint8Array, index = 0, field = 'element'): void {
  if (!isElement(bytes)) throw badElement(index, field);
}

/** Throws TypeError for a non-array, OPRF_BAD_ELEMENT (with the index) for the first bad element. */
function checkElements(elements: readonly Uint8Array[], field: string): void {
  if (!Array.isArray(elements)) throw new TypeError(`${field} must be an array`);
  elements.forEach((e, i) => checkElement(e, i, field));
}

function badKey(message: string): BrokerError {
  return new BrokerError('OPRF_BAD_KEY', message, {
    hint: 'load the key pair from the token authority key file (keys init / rotate writes it)',
  });
}

/** skS as a scalar to multiply with. Throws OPRF_BAD_KEY unless it is canonical and nonzero. */
function secretScalar(secretKey: Uint8Array): Uint8Array {
  if (!isScalar(secretKey) || isZero(secretKey)) {
    throw badKey('the OPRF secret key is not a nonzero ristretto255 scalar');
  }
  return secretKey;
}

/** Throws OPRF_BAD_KEY unless `secretKey` is a canonical nonzero scalar whose public key is `publicKey`. */
export function checkOprfKeyPair({ secretKey, publicKey }: OprfKeyPair): void {
  const derived = mulBase(secretScalar(secretKey));
  if (!(publicKey instanceof Uint8Array) || !equalBytes(derived, publicKey)) {
    throw badKey('the OPRF public key does not match the secret key');
  }
}

/** RFC 9497 §3.2 GenerateKeyPair: a random nonzero skS from the OS CSPRNG. */
export function generateOprfKeyPair(): OprfKeyPair {
  return deriveOprfKeyPair(randomBytes(32), new Uint8Array(0));
}

/**
 * RFC 9497 §3.2.1 DeriveKeyPair(seed, info) in VOPRF mode. Throws RangeError unless seed is 32
 * bytes and info at most 65535 bytes.
 */
export function deriveOprfKeyPair(seed: Uint8Array, info: Uint8Array): OprfKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError('seed must be 32 bytes');
  if (!(info instanceof Uint8Array) || info.length > MAX_OPRF_INPUT_BYTES) {
    throw new RangeError('info must be at most 65535 bytes');
  }
  const deriveInput = concatBytes(seed, i2osp2(info.length), info);
  for (let counter = 0; counter <= 255; counter++) {
    const secretKey = hashToScalar(concatBytes(deriveInput, Uint8Array.of(counter)), DERIVE_KEY_PAIR_DST);
    if (!isZero(secretKey)) return { secretKey, publicKey: mulBase(secretKey) };
  }
  throw badKey('DeriveKeyPair found no nonzero scalar in 256 tries'); // each try fails with probability 1/L
}

function checkInputs(inputs: readonly Uint8Array[]): void {
  if (!Array.isArray(inputs)) throw new TypeError('inputs must be an array');
  inputs.forEach((input, index) => {
    if (!(input instanceof Uint8Array) || input.length > MAX_OPRF_INPUT_BYTES) {
      throw new BrokerError('OPRF_BAD_INPUT', `input ${index} is not 0..65535 bytes`, { details: { index } });
    }
  });
}

function checkBatchSize(n: number): void {
  if (n > MAX_BATCH) {
    throw new BrokerError('OPRF_BAD_INPUT', `a batch proof covers at most ${MAX_BATCH} elements, not ${n}`, {
      hint: 'split the batch',
      details: { max: MAX_BATCH, got: n },
    });
  }
}

/** HashToGroup(input), refusing the identity as RFC 9497 §3.3.1 does (InvalidInputError). */
function inputElement(input: Uint8Array, index: number): Uint8Array {
  const element = hashToGroup(input, HASH_TO_GROUP_DST);
  if (isZero(element)) {
    throw new BrokerError('OPRF_BAD_INPUT', `input ${index} hashes to the identity element`, {
      details: { index },
    });
  }
  return element;
}

/** Hash(I2OSP(len(input), 2) || input || I2OSP(len(unblinded), 2) || unblinded || "Finalize"). */
function finalizeHash(input: Uint8Array, unblinded: Uint8Array): Uint8Array {
  return sha512(concatBytes(i2osp2(input.length), input, i2osp2(unblinded.length), unblinded, FINALIZE));
}

/**
 * RFC 9497 §3.3.2 Blind, once per input. Throws OPRF_BAD_INPUT for an input that is not a
 * Uint8Array of at most 65535 bytes (or, with negligible probability, hashes to the identity).
 */
export function blindBatch(inputs: readonly Uint8Array[], rng: RandomSource = osRandom): BlindedBatch {
  checkInputs(inputs);
  const blinds: Uint8Array[] = [];
  const blinded: Uint8Array[] = [];
  inputs.forEach((input, index) => {
    const blind = randomScalar(rng);
    blinds.push(blind);
    blinded.push(mul(blind, inputElement(input, index)));
  });
  return { blinds, blinded };
}

/**
 * The authority's side (RFC 9497 §3.3.2 BlindEvaluate, batched as §2.2.1 allows): evaluates every
 * blinded element under skS and proves it with one DLEQ proof. Throws OPRF_BAD_ELEMENT (with the
 * index of the first hostile element), OPRF_BAD_INPUT (more than 65536 elements) and OPRF_BAD_KEY.
 */
export function blindEvaluateBatch(
  keyPair: OprfKeyPair,
  blinded: readonly Uint8Array[],
  rng: RandomSource = osRandom,
): EvaluatedBatch {
  if (!Array.isArray(blinded)) throw new TypeError('blinded must be an array');
  if (blinded.length === 0)
    throw new BrokerError('OPRF_BAD_ELEMENT', 'nothing to evaluate', { field: 'blinded' });
  checkBatchSize(blinded.length);
  checkElements(blinded, 'blinded');
  const k = secretScalar(keyPair.secretKey);
  if (!isElement(keyPair.publicKey)) throw badKey('the OPRF public key is not a valid ristretto255 element');
  const evaluated = blinded.map((element) => mul(k, element));
  const proof = generateProof(CONTEXT, k, keyPair.publicKey, blinded, evaluated, randomScalar(rng));
  return { evaluated, proof };
}

/** Throws OPRF_BAD_INPUT (with the index) unless every blind is a canonical nonzero scalar. */
function checkBlinds(blinds: readonly Uint8Array[]): void {
  blinds.forEach((blind, index) => {
    if (!isScalar(blind) || isZero(blind)) {
      throw new BrokerError('OPRF_BAD_INPUT', `blinds[${index}] is not a nonzero scalar`, {
        field: 'blinds',
        hint: 'pass the blinds blindBatch returned, unchanged',
        details: { index },
      });
    }
  });
}

/**
 * The client's side (RFC 9497 §3.3.2 Finalize, batched): verifies the authority's one proof over
 * every (blinded, evaluated) pair against `publicKey`, then unblinds and hashes each input.
 * Returns one 64-byte output per input. Throws OPRF_BAD_INPUT (mismatched lengths, bad blinds),
 * OPRF_BAD_ELEMENT (hostile evaluated element or public key) and OPRF_BAD_PROOF (a proof that does
 * not verify).
 */
export function finalizeBatch(
  inputs: readonly Uint8Array[],
  request: BlindedBatch,
  response: EvaluatedBatch,
  publicKey: Uint8Array,
): Uint8Array[] {
  checkInputs(inputs);
  const n = inputs.length;
  if (request.blinds.length !== n || request.blinded.length !== n || response.evaluated.length !== n) {
    throw new BrokerError('OPRF_BAD_INPUT', `expected ${n} blinds, blinded and evaluated elements`, {
      details: { inputs: n, evaluated: response.evaluated.length },
    });
  }
  checkBatchSize(n);
  checkElements(response.evaluated, 'evaluated');
  checkElement(publicKey, 0, 'publicKey');
  checkElements(request.blinded, 'blinded');
  checkBlinds(request.blinds);
  if (!verifyProof(CONTEXT, publicKey, request.blinded, response.evaluated, response.proof)) {
    throw new BrokerError('OPRF_BAD_PROOF', 'the token authority’s proof does not verify', {
      hint: 'the authority answered with another key or altered its answer; do not use these tokens',
    });
  }
  const inverses = invertAll(request.blinds);
  return inputs.map((input, i) =>
    finalizeHash(input, mul(inverses[i] as Uint8Array, response.evaluated[i] as Uint8Array)),
  );
}

/**
 * RFC 9497 §3.3.2 Evaluate: the output for `input` computed with the secret key, no blinding.
 * For vectors and cross-checks only; the authority never sees an input. Throws OPRF_BAD_INPUT and
 * OPRF_BAD_KEY.
 */
export function evaluateOprf(secretKey: Uint8Array, input: Uint8Array): Uint8Array {
  checkInputs([input]);
  return finalizeHash(input, mul(secretScalar(secretKey), inputElement(input, 0)));
}
