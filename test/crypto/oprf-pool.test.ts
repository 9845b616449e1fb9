/**
 * The OPRF worker pool (RFC 9497 §3.3.2 steps on worker threads, started from source under tsx):
 * results equal the inline computation, and BrokerErrors keep their code and details across threads.
 */
import assert from 'node:assert/strict';
import { evaluateOprf, generateOprfKeyPair } from '../../src/crypto/oprf.js';
import { createOprfPool } from '../../src/crypto/oprf-pool.js';
import { isBrokerError } from '../../src/errors.js';
import { toHex, utf8 } from '../../src/util/bytes.js';

describe('OPRF worker pool', function () {
  this.timeout(60_000);
  const pool = createOprfPool({ threads: 2, inlineBelow: 1 });
  after(() => pool.close());

  it('when blind, evaluate and finalize run on worker threads, then outputs equal the direct evaluation', async () => {
    const keyPair = generateOprfKeyPair();
    const inputs = Array.from({ length: 40 }, (_, i) => utf8(`phone\u0000+86138000${i}`));
    const halves = [inputs.slice(0, 20), inputs.slice(20)];
    const outputs = await Promise.all(
      halves.map(async (part) => {
        const request = await pool.blind(part);
        const response = await pool.evaluate(keyPair, request.blinded);
        return pool.finalize(part, request, response, keyPair.publicKey);
      }),
    );
    assert.deepEqual(
      outputs.flat().map(toHex),
      inputs.map((input) => toHex(evaluateOprf(keyPair.secretKey, input))),
    );
  });

  it('when a worker refuses a hostile element, then the BrokerError keeps its code and index', async () => {
    const keyPair = generateOprfKeyPair();
    const { blinded } = await pool.blind([utf8('a'), utf8('b')]);
    await assert.rejects(
      pool.evaluate(keyPair, [blinded[0] as Uint8Array, new Uint8Array(32)]),
      (err: unknown) => isBrokerError(err, 'OPRF_BAD_ELEMENT') && err.details?.['index'] === 1,
    );
  });
});
