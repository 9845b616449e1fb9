/**
 * RFC 9497 Appendix A.1.1 (OPRF mode) and A.1.2 (VOPRF mode) vectors for ristretto255-SHA512, hostile
 * wire elements and proofs, and a cross-check against an independent implementation
 * (@cloudflare/voprf-ts): same key, same input, same output, each side verifying the other's proofs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CryptoNoble } from '@cloudflare/voprf-ts/crypto-noble';
import {
  DLEQProof,
  Evaluation,
  EvaluationRequest,
  Oprf,
  VOPRFClient,
  VOPRFServer,
} from '@cloudflare/voprf-ts';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import {
  blindBatch,
  blindEvaluateBatch,
  checkElement,
  checkOprfKeyPair,
  deriveOprfKeyPair,
  evaluateOprf,
  finalizeBatch,
  generateOprfKeyPair,
  type RandomSource,
} from '../../src/crypto/oprf.js';
import { randomBytes } from '../../src/crypto/random.js';
import { isBrokerError } from '../../src/errors.js';
import { fromHex, toHex, utf8 } from '../../src/util/bytes.js';

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
 * A byte source that makes noble's RandomScalar (RFC 9497 §2.1, via mapHashToField: x mod (n-1) + 1)
 * return each given little-endian scalar in turn, so the RFC's fixed Blind and ProofRandomScalar replay.
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
});
