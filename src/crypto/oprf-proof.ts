/**
 * RFC 9497 §2.2 batch DLEQ proofs over ristretto255-SHA512: one proof (c, s) that every evaluated
 * element D[i] is k·C[i] for the k behind the public key B = k·G. GenerateProof combines the batch
 * with ComputeCompositesFast (§2.2.1: the prover knows k, so Z = k·M), VerifyProof with
 * ComputeComposites (§2.2.2: Z = Σ d[i]·D[i]). `context` is the contextString of the mode (§3.1).
 *
 * Callers check the elements first (every C[i], D[i] and B a valid non-identity element); the
 * proof's scalars are checked here, since they only arrive as part of a proof.
 */
import { concatBytes, equalBytes, utf8 } from '../util/bytes.js';
import {
  ELEMENT_BYTES,
  SCALAR_BYTES,
  hashToScalar,
  i2osp2,
  isScalar,
  mul,
  mulBase,
  scalarMul,
  scalarSub,
  sha512,
  sum,
} from './ristretto255-sha512.js';

const ELEMENT_LENGTH = i2osp2(ELEMENT_BYTES);
const COMPOSITE = utf8('Composite');
const CHALLENGE = utf8('Challenge');

interface Transcript {
  /** "HashToScalar-" || contextString, the default DST of HashToScalar (§4). */
  scalarDst: Uint8Array;
  /** The composite weights d[i] (§2.2.1 ComputeCompositesFast, shared with ComputeComposites). */
  weights: Uint8Array[];
}

function transcript(
  context: Uint8Array,
  B: Uint8Array,
  C: readonly Uint8Array[],
  D: readonly Uint8Array[],
): Transcript {
  const scalarDst = concatBytes(utf8('HashToScalar-'), context);
  const seedDst = concatBytes(utf8('Seed-'), context);
  const seed = sha512(concatBytes(ELEMENT_LENGTH, B, i2osp2(seedDst.length), seedDst));
  const prefix = concatBytes(i2osp2(seed.length), seed);
  const weights = C.map((Ci, i) =>
    hashToScalar(
      concatBytes(prefix, i2osp2(i), ELEMENT_LENGTH, Ci, ELEMENT_LENGTH, D[i] as Uint8Array, COMPOSITE),
      scalarDst,
    ),
  );
  return { scalarDst, weights };
}

/** Σ d[i]·P[i]. */
function combine(weights: readonly Uint8Array[], points: readonly Uint8Array[]): Uint8Array {
  return sum(weights.map((d, i) => mul(d, points[i] as Uint8Array)));
}

function challenge(scalarDst: Uint8Array, elements: readonly Uint8Array[]): Uint8Array {
  const framed = elements.flatMap((e) => [ELEMENT_LENGTH, e]);
  return hashToScalar(concatBytes(...framed, CHALLENGE), scalarDst);
}

/**
 * GenerateProof(k, G, B, C, D) with the random scalar `r` already drawn (RFC 9497 §2.2.1): returns
 * SerializeScalar(c) || SerializeScalar(s), 64 bytes.
 */
export function generateProof(
  context: Uint8Array,
  k: Uint8Array,
  B: Uint8Array,
  C: readonly Uint8Array[],
  D: readonly Uint8Array[],
  r: Uint8Array,
): Uint8Array {
  const { scalarDst, weights } = transcript(context, B, C, D);
  const M = combine(weights, C);
  const Z = mul(k, M);
  const c = challenge(scalarDst, [B, M, Z, mulBase(r), mul(r, M)]);
  const s = scalarSub(r, scalarMul(c, k));
  return concatBytes(c, s);
}

/**
 * VerifyProof(G, B, C, D, proof) (RFC 9497 §2.2.2): true when `proof` is two canonical scalars (c, s)
 * and c equals the challenge over t2 = s·G + c·B and t3 = s·M + c·Z.
 */
export function verifyProof(
  context: Uint8Array,
  B: Uint8Array,
  C: readonly Uint8Array[],
  D: readonly Uint8Array[],
  proof: Uint8Array,
): boolean {
  if (!(proof instanceof Uint8Array) || proof.length !== 2 * SCALAR_BYTES) return false;
  const c = proof.slice(0, SCALAR_BYTES);
  const s = proof.slice(SCALAR_BYTES);
  if (!isScalar(c) || !isScalar(s)) return false;
  const { scalarDst, weights } = transcript(context, B, C, D);
  const M = combine(weights, C);
  const Z = combine(weights, D);
  const t2 = sum([mulBase(s), mul(c, B)]);
  const t3 = sum([mul(s, M), mul(c, Z)]);
  return equalBytes(challenge(scalarDst, [B, M, Z, t2, t3]), c);
}
