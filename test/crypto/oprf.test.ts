/**
 * RFC 9497 Appendix A.1.1 (OPRF mode) and A.1.2 (VOPRF mode) vectors for ristretto255-SHA512, hostile
 * wire elements and proofs, and cross-checks against independent implementations: @cloudflare/voprf-ts
 * (same key, same input, same output, each side verifying the other's proofs) and @noble/curves
 * (property tests: the same inputs and randomness give byte-equal blinded and evaluated elements,
 * proofs and outputs). Hostile scalars, keys and blinds get their codes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { CryptoNoble } from '@cloudflare/voprf-ts/crypto-noble';
import {
  DLEQProof,
  Evaluation,
  EvaluationRequest,
  Oprf,
  VOPRFClient,
  VOPRFServer,
} from '@cloudflare/voprf-ts';
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import {
  blindBatch,
  blindEvaluateBatch,
  checkElement,
  checkOprfKeyPair,
  deriveOprfKeyPair,
  evaluateOprf,
  finalizeBatch,
  generateOprfKeyPair,
  type OprfKeyPair,
  type RandomSource,
} from '../../src/crypto/oprf.js';
import { randomBytes } from '../../src/crypto/random.js';
import { isBrokerError } from '../../src/errors.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/util/bytes.js';

interface Vector {
  name: string;
  input: string[];
  blind: string[];
  blindedElement: string[];
  evaluationElement: string[];
  proof?: string;
  proofRandomScalar?: string;
  output: string[];
}
interface ModeVectors {
  seed: string;
  keyInfo: string;
  skSm: string;
  pkSm?: string;
  vectors: Vector[];
}
interface VectorFile {
  valid: { oprf: ModeVectors; voprf: ModeVectors };
  invalid: {
    elements: { name: string; hex: string }[];
    proofs: { name: string; vector: number; hex: string }[];
  };
}

const FILE = new URL('../vectors/oprf/ristretto255-sha512.json', import.meta.url);
const VECTORS = JSON.parse(readFileSync(FILE, 'utf8')) as VectorFile;

function leToBigint(bytes: Uint8Array): bigint {
  return bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/**
 * A byte source that makes RandomScalar (RFC 9497 §2.1; ours and noble's both map 48 bytes as
 * x mod (n-1) + 1) return each given little-endian scalar in turn, so the RFC's fixed Blind and
 * ProofRandomScalar replay.
 */
function fixedScalars(hexScalars: string[]): RandomSource {
  const queue = [...hexScalars];
  return (length = 48) => {
    const next = queue.shift();
    assert.ok(next !== undefined, 'more random scalars asked for than the vector fixes');
    let x = leToBigint(fromHex(next)) - 1n;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++, x >>= 8n) out[i] = Number(x & 0xffn);
    return out;
  };
}

const hexAll = (list: string[]) => list.map((h) => fromHex(h));
const toHexAll = (list: Uint8Array[]) => list.map((b) => toHex(b));

function rejects(code: string, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => isBrokerError(err, code));
}

describe('RFC 9497 ristretto255-SHA512', () => {
  describe('OPRF mode (A.1.1, checked on noble directly: the product uses only VOPRF)', () => {
    const { seed, keyInfo, skSm, vectors } = VECTORS.valid.oprf;
    const oprf = ristretto255_oprf.oprf;

    it('when the key is derived from the vector seed and info, then skSm matches', () => {
      assert.equal(toHex(oprf.deriveKeyPair(fromHex(seed), fromHex(keyInfo)).secretKey), skSm);
    });

    for (const v of vectors) {
      it(`when ${v.name} is replayed, then blinded, evaluated and output match`, () => {
        const input = fromHex(v.input[0] ?? '');
        const blinded = oprf.blind(input, fixedScalars(v.blind));
        assert.equal(toHex(blinded.blinded), v.blindedElement[0]);
        const evaluated = oprf.blindEvaluate(fromHex(skSm), blinded.blinded);
        assert.equal(toHex(evaluated), v.evaluationElement[0]);
        assert.equal(toHex(oprf.finalize(input, blinded.blind, evaluated)), v.output[0]);
      });
    }
  });

  describe('VOPRF mode (A.1.2, through src/crypto/oprf.ts)', () => {
    const { seed, keyInfo, skSm, pkSm, vectors } = VECTORS.valid.voprf;
    const keyPair = deriveOprfKeyPair(fromHex(seed), fromHex(keyInfo));

    it('when the key is derived from the vector seed and info, then skSm and pkSm match', () => {
      assert.equal(toHex(keyPair.secretKey), skSm);
      assert.equal(toHex(keyPair.publicKey), pkSm);
      checkOprfKeyPair(keyPair);
    });

    for (const v of vectors) {
      it(`when ${v.name} is replayed, then blinded, evaluated, proof and output match`, () => {
        const inputs = hexAll(v.input);
        const request = blindBatch(inputs, fixedScalars(v.blind));
        assert.deepEqual(toHexAll(request.blinded), v.blindedElement);
        const response = blindEvaluateBatch(
          keyPair,
          request.blinded,
          fixedScalars([v.proofRandomScalar ?? '']),
        );
        assert.deepEqual(toHexAll(response.evaluated), v.evaluationElement);
        assert.equal(toHex(response.proof), v.proof);
        assert.deepEqual(toHexAll(finalizeBatch(inputs, request, response, keyPair.publicKey)), v.output);
        assert.deepEqual(
          inputs.map((input) => toHex(evaluateOprf(keyPair.secretKey, input))),
          v.output,
        );
      });
    }

    for (const bad of VECTORS.invalid.proofs) {
      it(`when the proof is "${bad.name}", then finalize refuses it with OPRF_BAD_PROOF`, () => {
        const v = vectors[bad.vector];
        assert.ok(v);
        const inputs = hexAll(v.input);
        const request = { blinds: hexAll(v.blind), blinded: hexAll(v.blindedElement) };
        const response = { evaluated: hexAll(v.evaluationElement), proof: fromHex(bad.hex) };
        rejects('OPRF_BAD_PROOF', () => finalizeBatch(inputs, request, response, keyPair.publicKey));
      });
    }

    for (const bad of VECTORS.invalid.elements) {
      it(`when a wire element is "${bad.name}", then it is refused with OPRF_BAD_ELEMENT and its index`, () => {
        const element = fromHex(bad.hex);
        rejects('OPRF_BAD_ELEMENT', () => checkElement(element));
        const good = fromHex(vectors[0]?.blindedElement[0] ?? '');
        assert.throws(
          () => blindEvaluateBatch(keyPair, [good, element]),
          (err: unknown) => isBrokerError(err, 'OPRF_BAD_ELEMENT') && err.details?.['index'] === 1,
        );
        const v = vectors[2];
        assert.ok(v);
        const request = { blinds: hexAll(v.blind), blinded: hexAll(v.blindedElement) };
        const evaluated = [fromHex(v.evaluationElement[0] ?? ''), element];
        rejects('OPRF_BAD_ELEMENT', () =>
          finalizeBatch(
            hexAll(v.input),
            request,
            { evaluated, proof: fromHex(v.proof ?? '') },
            keyPair.publicKey,
          ),
        );
      });
    }

    it('when the evaluated elements come back reordered, then the proof does not verify', () => {
      const v = vectors[2];
      assert.ok(v);
      const request = { blinds: hexAll(v.blind), blinded: hexAll(v.blindedElement) };
      const evaluated = hexAll(v.evaluationElement).reverse();
      rejects('OPRF_BAD_PROOF', () =>
        finalizeBatch(
          hexAll(v.input),
          request,
          { evaluated, proof: fromHex(v.proof ?? '') },
          keyPair.publicKey,
        ),
      );
    });

    it('when the answer counts differ from the request, then finalize refuses with OPRF_BAD_INPUT', () => {
      const v = vectors[2];
      assert.ok(v);
      const request = { blinds: hexAll(v.blind), blinded: hexAll(v.blindedElement) };
      const response = { evaluated: hexAll(v.evaluationElement).slice(1), proof: fromHex(v.proof ?? '') };
      rejects('OPRF_BAD_INPUT', () => finalizeBatch(hexAll(v.input), request, response, keyPair.publicKey));
    });

    it('when a key pair does not match, then checkOprfKeyPair refuses it with OPRF_BAD_KEY', () => {
      const other = generateOprfKeyPair();
      rejects('OPRF_BAD_KEY', () =>
        checkOprfKeyPair({ secretKey: keyPair.secretKey, publicKey: other.publicKey }),
      );
      rejects('OPRF_BAD_KEY', () =>
        checkOprfKeyPair({ secretKey: new Uint8Array(32), publicKey: other.publicKey }),
      );
      rejects('OPRF_BAD_KEY', () =>
        checkOprfKeyPair({ secretKey: new Uint8Array(32).fill(0xff), publicKey: other.publicKey }),
      );
    });
  });

  describe('cross-check against @cloudflare/voprf-ts (independent implementation)', () => {
    const suite = Oprf.Suite.RISTRETTO255_SHA512;
    const group = Oprf.getGroup(suite, CryptoNoble);
    const keyPair = generateOprfKeyPair();
    const inputs = [
      utf8('cn_rid\u000011010519491231002X'),
      utf8('phone\u0000+8613812345678'),
      utf8('name\u0000张三'),
      new Uint8Array(0),
      randomBytes(200),
    ];

    it('when both evaluate the same input under the same key, then the outputs are equal', async () => {
      const server = new VOPRFServer(suite, keyPair.secretKey, CryptoNoble);
      for (const input of inputs) {
        assert.equal(toHex(evaluateOprf(keyPair.secretKey, input)), toHex(await server.evaluate(input)));
      }
    });

    it('when our client talks to their server, then our finalize verifies their batch proof and outputs agree', async () => {
      const server = new VOPRFServer(suite, keyPair.secretKey, CryptoNoble);
      const request = blindBatch(inputs);
      const evaluation = await server.blindEvaluate(
        new EvaluationRequest(request.blinded.map((b) => group.desElt(b))),
      );
      const proof = evaluation.proof?.serialize();
      assert.ok(proof);
      const response = { evaluated: evaluation.evaluated.map((e) => e.serialize(true)), proof };
      const outputs = finalizeBatch(inputs, request, response, keyPair.publicKey);
      for (const [i, input] of inputs.entries()) {
        assert.equal(toHex(outputs[i] ?? new Uint8Array()), toHex(await server.evaluate(input)));
      }
    });

    it('when their client talks to our server, then their finalize verifies our batch proof and outputs agree', async () => {
      const client = new VOPRFClient(suite, keyPair.publicKey, CryptoNoble);
      const [finData, evalReq] = await client.blind(inputs);
      const response = blindEvaluateBatch(
        keyPair,
        evalReq.blinded.map((e) => e.serialize(true)),
      );
      const theirs = await client.finalize(
        finData,
        new Evaluation(
          Oprf.Mode.VOPRF,
          response.evaluated.map((e) => group.desElt(e)),
          DLEQProof.deserialize(group.id, response.proof, CryptoNoble),
        ),
      );
      assert.deepEqual(
        theirs.map((o) => toHex(o)),
        inputs.map((input) => toHex(evaluateOprf(keyPair.secretKey, input))),
      );
    });
  });

  describe('the libsodium implementation against @noble/curves (property tests)', () => {
    const voprf = ristretto255_oprf.voprf;
    // noble ships VOPRF Evaluate (RFC 9497 §3.3.2) at runtime but leaves it out of the type.
    const nobleEvaluate = (voprf as unknown as { evaluate(sk: Uint8Array, input: Uint8Array): Uint8Array })
      .evaluate;
    const seeds = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const infos = fc.uint8Array({ maxLength: 40 });
    const batches = fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 5 });
    /** Hands out `bytes` in the slices asked for; both implementations ask 48 bytes per scalar. */
    function stream(bytes: Uint8Array): RandomSource {
      let offset = 0;
      return (length = 48) => {
        assert.ok(offset + length <= bytes.length, 'random stream exhausted');
        offset += length;
        return bytes.slice(offset - length, offset);
      };
    }
    const randomness = fc.uint8Array({ minLength: 6 * 48, maxLength: 6 * 48 });

    it('when a key is derived from any seed and info, then both derive the same key pair', () => {
      fc.assert(
        fc.property(seeds, infos, (seed, info) => {
          const ours = deriveOprfKeyPair(seed, info);
          const theirs = voprf.deriveKeyPair(seed, info);
          assert.equal(toHex(ours.secretKey), toHex(theirs.secretKey));
          assert.equal(toHex(ours.publicKey), toHex(theirs.publicKey));
        }),
        { numRuns: 50 },
      );
    });

    it('when both run a batch with the same key and randomness, then every byte on the wire and every output is equal', () => {
      fc.assert(
        fc.property(seeds, batches, randomness, (seed, inputs, random) => {
          const keyPair = deriveOprfKeyPair(seed, new Uint8Array(0));
          const ourRng = stream(random);
          const request = blindBatch(inputs, ourRng);
          const response = blindEvaluateBatch(keyPair, request.blinded, ourRng);
          const outputs = finalizeBatch(inputs, request, response, keyPair.publicKey);

          const theirRng = stream(random);
          const blinded = inputs.map((input) => voprf.blind(input, theirRng));
          const evaluation = voprf.blindEvaluateBatch(
            keyPair.secretKey,
            keyPair.publicKey,
            blinded.map((b) => b.blinded),
            theirRng,
          );
          const items = inputs.map((input, i) => ({
            input,
            blind: blinded[i]?.blind as Uint8Array,
            blinded: blinded[i]?.blinded as Uint8Array,
            evaluated: evaluation.evaluated[i] as Uint8Array,
          }));
          assert.deepEqual(toHexAll(request.blinds), toHexAll(items.map((x) => x.blind)));
          assert.deepEqual(toHexAll(request.blinded), toHexAll(items.map((x) => x.blinded)));
          assert.deepEqual(toHexAll(response.evaluated), toHexAll(evaluation.evaluated));
          assert.equal(toHex(response.proof), toHex(evaluation.proof));
          assert.deepEqual(
            toHexAll(outputs),
            toHexAll(voprf.finalizeBatch(items, keyPair.publicKey, evaluation.proof)),
          );
          assert.deepEqual(
            toHexAll(outputs),
            inputs.map((input) => toHex(nobleEvaluate(keyPair.secretKey, input))),
          );
        }),
        { numRuns: 30 },
      );
    });

    it('when the input is empty or 65535 bytes, then Evaluate equals noble and longer inputs are refused', () => {
      const keyPair = generateOprfKeyPair();
      for (const input of [new Uint8Array(0), new Uint8Array(0xffff).fill(0x5a)]) {
        assert.equal(
          toHex(evaluateOprf(keyPair.secretKey, input)),
          toHex(nobleEvaluate(keyPair.secretKey, input)),
        );
      }
      rejects('OPRF_BAD_INPUT', () => evaluateOprf(keyPair.secretKey, new Uint8Array(0x10000)));
      rejects('OPRF_BAD_INPUT', () => blindBatch([new Uint8Array(1), new Uint8Array(0x10000)]));
    });
  });

  describe('hostile scalars, keys and blinds', () => {
    const { vectors } = VECTORS.valid.voprf;
    const keyPair = deriveOprfKeyPair(
      fromHex(VECTORS.valid.voprf.seed),
      fromHex(VECTORS.valid.voprf.keyInfo),
    );
    const L = ristretto255.Point.Fn.ORDER;
    const le = (x: bigint): Uint8Array => {
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
      return out;
    };
    const v = vectors[2];
    assert.ok(v);
    const inputs = hexAll(v.input);
    const request = { blinds: hexAll(v.blind), blinded: hexAll(v.blindedElement) };
    const evaluated = hexAll(v.evaluationElement);
    const proof = fromHex(v.proof ?? '');
    const c = leToBigint(proof.subarray(0, 32));
    const s = leToBigint(proof.subarray(32));
    const withProof = (bytes: Uint8Array) => () =>
      finalizeBatch(inputs, request, { evaluated, proof: bytes }, keyPair.publicKey);

    it('when c or s is replaced by the same scalar plus L (non-canonical), then the proof is refused', () => {
      assert.equal(withProof(proof)().length, 2);
      rejects('OPRF_BAD_PROOF', withProof(concatBytes(le(c + L), le(s))));
      rejects('OPRF_BAD_PROOF', withProof(concatBytes(le(c), le(s + L))));
    });

    it('when c or s is zero, or the proof is any other pair of scalars, then it is refused with OPRF_BAD_PROOF', () => {
      rejects('OPRF_BAD_PROOF', withProof(concatBytes(le(0n), le(s))));
      rejects('OPRF_BAD_PROOF', withProof(concatBytes(le(c), le(0n))));
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
          rejects('OPRF_BAD_PROOF', withProof(bytes));
        }),
        { numRuns: 100 },
      );
      rejects('OPRF_BAD_PROOF', withProof(proof.subarray(0, 63)));
    });

    it('when the client’s own blinded element is hostile, then finalize names it', () => {
      const blinded = [request.blinded[0] as Uint8Array, new Uint8Array(32)];
      assert.throws(
        () => finalizeBatch(inputs, { ...request, blinded }, { evaluated, proof }, keyPair.publicKey),
        (err: unknown) =>
          isBrokerError(err, 'OPRF_BAD_ELEMENT') && err.field === 'blinded' && err.details?.['index'] === 1,
      );
    });

    it('when a blind is zero or not below L, then finalize refuses it with OPRF_BAD_INPUT and its index', () => {
      for (const bad of [new Uint8Array(32), le(L), le(leToBigint(request.blinds[1] as Uint8Array) + L)]) {
        const blinds = [request.blinds[0] as Uint8Array, bad];
        assert.throws(
          () => finalizeBatch(inputs, { ...request, blinds }, { evaluated, proof }, keyPair.publicKey),
          (err: unknown) => isBrokerError(err, 'OPRF_BAD_INPUT') && err.details?.['index'] === 1,
        );
      }
    });

    it('when the public key given to finalize is hostile, then it is refused with OPRF_BAD_ELEMENT', () => {
      for (const bad of VECTORS.invalid.elements) {
        rejects('OPRF_BAD_ELEMENT', () =>
          finalizeBatch(inputs, request, { evaluated, proof }, fromHex(bad.hex)),
        );
      }
    });

    it('when the secret key is zero, not below L or not 32 bytes, then evaluation refuses with OPRF_BAD_KEY', () => {
      const secretKeys = [
        new Uint8Array(32),
        le(L),
        le(leToBigint(keyPair.secretKey) + L),
        keyPair.secretKey.subarray(1),
      ];
      for (const secretKey of secretKeys) {
        const bad: OprfKeyPair = { secretKey, publicKey: keyPair.publicKey };
        rejects('OPRF_BAD_KEY', () => blindEvaluateBatch(bad, request.blinded));
        rejects('OPRF_BAD_KEY', () => evaluateOprf(secretKey, inputs[0] as Uint8Array));
        rejects('OPRF_BAD_KEY', () => checkOprfKeyPair(bad));
      }
    });

    it('when the authority’s public key is not a valid element, then evaluation refuses with OPRF_BAD_KEY', () => {
      for (const bad of VECTORS.invalid.elements) {
        const pair = { secretKey: keyPair.secretKey, publicKey: fromHex(bad.hex) };
        rejects('OPRF_BAD_KEY', () => blindEvaluateBatch(pair, request.blinded));
      }
    });

    it('when a batch has more than 65536 elements (I2OSP(i, 2) numbers them), then it is refused', () => {
      const many = new Array<Uint8Array>(0x10001).fill(request.blinded[0] as Uint8Array);
      rejects('OPRF_BAD_INPUT', () => blindEvaluateBatch(keyPair, many));
      const someInputs = new Array<Uint8Array>(0x10001).fill(new Uint8Array(1));
      rejects('OPRF_BAD_INPUT', () =>
        finalizeBatch(
          someInputs,
          { blinds: many, blinded: many },
          { evaluated: many, proof },
          keyPair.publicKey,
        ),
      );
    });
  });
});
