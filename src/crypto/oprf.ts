/**
 * RFC 9497 OPRF(ristretto255, SHA-512) in the verifiable mode (VOPRF, mode 0x01, §3.3.2) over
 * @noble/curves: the token authority's key pair (§3.2: GenerateKeyPair / DeriveKeyPair), the
 * client's Blind and batch Finalize (§3.3.2, verifying one batch DLEQ proof, §2.2), and the
 * server's BlindEvaluate with a batch proof (§2.2.1 GenerateProof over ComputeCompositesFast).
 *
 * Everything that crosses the wire is checked here first: elements are 32-byte canonical
 * ristretto255 encodings (RFC 9496 §4.3.1) that are not the identity (RFC 9497 §3.3: "applications
 * MUST reject" it), proofs are two canonical scalars (§2.2). Failures are BrokerErrors:
 * OPRF_BAD_ELEMENT (details.index names the element), OPRF_BAD_PROOF, OPRF_BAD_INPUT, OPRF_BAD_KEY.
 */
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { BrokerError } from '../errors.js';
import { randomBytes } from './random.js';

export const OPRF_SUITE = 'ristretto255-SHA512';
/** Ne, Ns (RFC 9497 §4.1): a serialized element and a serialized scalar. */
export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
/** A DLEQ proof is the scalars (c, s) (RFC 9497 §2.2.1). */
export const PROOF_BYTES = 2 * SCALAR_BYTES;
/** Nh: the Finalize output is one SHA-512 digest. */
export const OPRF_OUTPUT_BYTES = 64;
/** RFC 9497 §1.2: inputs are length-prefixed with two bytes. */
export const MAX_OPRF_INPUT_BYTES = 0xffff;

const voprf = ristretto255_oprf.voprf;
// noble ships VOPRF Evaluate (RFC 9497 §3.3.2) at runtime but leaves it out of the type.
const voprfEvaluate = (voprf as unknown as { evaluate(sk: Uint8Array, input: Uint8Array): Uint8Array })
  .evaluate;
const { Point } = ristretto255;

export interface OprfKeyPair {
  /** skS, a nonzero scalar, 32 bytes little-endian. */
  secretKey: Uint8Array;
  /** pkS = skS·G, 32 bytes. */
  publicKey: Uint8Array;
}

/** A byte source for random scalars; tests pass a fixed one to replay RFC 9497 Appendix A. */
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

function badElement(index: number, field: string, cause?: unknown): BrokerError {
  return new BrokerError('OPRF_BAD_ELEMENT', `${field}[${index}] is not a valid ristretto255 element`, {
    cause,
    field,
    hint: 'send elements exactly as the OPRF client produced them: 32-byte canonical, non-identity encodings',
    details: { index },
  });
}

/**
 * Throws OPRF_BAD_ELEMENT unless `bytes` decodes (RFC 9496 §4.3.1) to a non-identity element.
 * The decode costs one square root, so hot paths call it only to name the culprit of a failure.
 */
export function checkElement(bytes: Uint8Array, index = 0, field = 'element'): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES) throw badElement(index, field);
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch (cause) {
    throw badElement(index, field, cause);
  }
  if (point.is0()) throw badElement(index, field);
}

function checkLengths(elements: readonly Uint8Array[], field: string): void {
  if (!Array.isArray(elements)) throw new TypeError(`${field} must be an array`);
  elements.forEach((e, i) => {
    if (!(e instanceof Uint8Array) || e.length !== ELEMENT_BYTES) throw badElement(i, field);
  });
}

/** After noble refused a batch: name the first bad element of `field`, or rethrow as `fallback`. */
function diagnose(groups: Record<string, readonly Uint8Array[]>, fallback: BrokerError): never {
  for (const [field, elements] of Object.entries(groups))
    elements.forEach((e, i) => checkElement(e, i, field));
  throw fallback;
}

/** Throws OPRF_BAD_KEY unless `secretKey` is a canonical nonzero scalar whose public key is `publicKey`. */
export function checkOprfKeyPair({ secretKey, publicKey }: OprfKeyPair): void {
  let derived: Uint8Array;
  try {
    const scalar = Point.Fn.fromBytes(secretKey);
    if (scalar === 0n) throw new RangeError('zero scalar');
    derived = Point.BASE.multiply(scalar).toBytes();
  } catch (cause) {
    throw new BrokerError('OPRF_BAD_KEY', 'the OPRF secret key is not a nonzero ristretto255 scalar', {
      cause,
    });
  }
  if (publicKey.length !== ELEMENT_BYTES || !derived.every((b, i) => b === publicKey[i])) {
    throw new BrokerError('OPRF_BAD_KEY', 'the OPRF public key does not match the secret key');
  }
}

/** RFC 9497 §3.2 GenerateKeyPair: a random nonzero skS from the OS CSPRNG. */
export function generateOprfKeyPair(): OprfKeyPair {
  const pair = deriveOprfKeyPair(randomBytes(32), new Uint8Array(0));
  return { secretKey: pair.secretKey, publicKey: pair.publicKey };
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
  return voprf.deriveKeyPair(seed, info);
}

function checkInputs(inputs: readonly Uint8Array[]): void {
  if (!Array.isArray(inputs)) throw new TypeError('inputs must be an array');
  inputs.forEach((input, index) => {
    if (!(input instanceof Uint8Array) || input.length > MAX_OPRF_INPUT_BYTES) {
      throw new BrokerError('OPRF_BAD_INPUT', `input ${index} is not 0..65535 bytes`, { details: { index } });
    }
  });
}

/**
 * RFC 9497 §3.3.2 Blind, once per input. Throws OPRF_BAD_INPUT for an input that is not a
 * Uint8Array of at most 65535 bytes.
 */
export function blindBatch(inputs: readonly Uint8Array[], rng: RandomSource = osRandom): BlindedBatch {
  checkInputs(inputs);
  const blinds: Uint8Array[] = [];
  const blinded: Uint8Array[] = [];
  for (const input of inputs) {
    const one = voprf.blind(input, rng);
    blinds.push(one.blind);
    blinded.push(one.blinded);
  }
  return { blinds, blinded };
}

/**
 * The authority's side (RFC 9497 §3.3.2 BlindEvaluate, batched as §2.2.1 allows): evaluates every
 * blinded element under skS and proves it with one DLEQ proof. Throws OPRF_BAD_ELEMENT (with the
 * index of the first hostile element) and OPRF_BAD_KEY.
 */
export function blindEvaluateBatch(
  keyPair: OprfKeyPair,
  blinded: readonly Uint8Array[],
  rng: RandomSource = osRandom,
): EvaluatedBatch {
  checkLengths(blinded, 'blinded');
  if (blinded.length === 0)
    throw new BrokerError('OPRF_BAD_ELEMENT', 'nothing to evaluate', { field: 'blinded' });
  try {
    return voprf.blindEvaluateBatch(keyPair.secretKey, keyPair.publicKey, [...blinded], rng);
  } catch (cause) {
    diagnose({ blinded }, new BrokerError('OPRF_BAD_KEY', 'the OPRF key pair could not evaluate', { cause }));
  }
}

/**
 * The client's side (RFC 9497 §3.3.2 Finalize, batched): verifies the authority's one proof over
 * every (blinded, evaluated) pair against `publicKey`, then unblinds and hashes each input.
 * Returns one 64-byte output per input. Throws OPRF_BAD_INPUT (mismatched lengths), OPRF_BAD_ELEMENT
 * (hostile evaluated element or public key) and OPRF_BAD_PROOF (a proof that does not verify).
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
  checkLengths(response.evaluated, 'evaluated');
  checkLengths([publicKey], 'publicKey');
  const badProof = new BrokerError('OPRF_BAD_PROOF', 'the token authority’s proof does not verify', {
    hint: 'the authority answered with another key or altered its answer; do not use these tokens',
  });
  if (!(response.proof instanceof Uint8Array) || response.proof.length !== PROOF_BYTES) throw badProof;
  const items = inputs.map((input, i) => ({
    input,
    blind: request.blinds[i] as Uint8Array,
    blinded: request.blinded[i] as Uint8Array,
    evaluated: response.evaluated[i] as Uint8Array,
  }));
  try {
    return voprf.finalizeBatch(items, publicKey, response.proof);
  } catch (cause) {
    diagnose(
      { publicKey: [publicKey], evaluated: response.evaluated },
      new BrokerError(badProof.code, badProof.message, { cause, hint: badProof.hint }),
    );
  }
}

/**
 * RFC 9497 §3.3.2 Evaluate: the output for `input` computed with the secret key, no blinding.
 * For vectors and cross-checks only; the authority never sees an input. Throws OPRF_BAD_INPUT.
 */
export function evaluateOprf(secretKey: Uint8Array, input: Uint8Array): Uint8Array {
  checkInputs([input]);
  return voprfEvaluate(secretKey, input);
}
