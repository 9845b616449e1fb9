// C2SP tlog-proof v1: receipts carrying index, inclusion path and a signed checkpoint.
import assert from 'node:assert/strict';
import { generateEd25519KeyPair } from '../../src/crypto/ed25519.js';
import { toBase64 } from '../../src/ledger/base64.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosignCheckpoint } from '../../src/ledger/cosignature.js';
import { leafHash } from '../../src/ledger/merkle.js';
import { MemoryTree } from '../../src/ledger/memory-tree.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../src/ledger/tlog-proof.js';
import { isBrokerError } from '../../src/errors.js';
import { utf8 } from '../../src/util/bytes.js';

const ORIGIN = 'blindbroker.example/log';
const log = { name: ORIGIN, ...generateEd25519KeyPair() };
const witness = { name: 'w.example', ...generateEd25519KeyPair() };
const leaves = Array.from({ length: 11 }, (_, i) => leafHash(utf8(`e${i}`)));
const tree = new MemoryTree();
tree.append(leaves);
const checkpoint = cosignCheckpoint(
  signCheckpoint({ origin: ORIGIN, size: 11, root: tree.root() }, log),
  witness,
  1,
);
const code = (c: string) => (err: unknown) => isBrokerError(err, c);

describe('ledger/tlog-proof', () => {
  it('when a receipt is formatted, then it has the c2sp.org/tlog-proof@v1 layout and round-trips', () => {
    const proof = tree.inclusionProof(6);
    const text = formatTlogProof({ index: 6, proof, checkpoint, extra: utf8('ctx') });
    const expected = `c2sp.org/tlog-proof@v1\nextra ${toBase64(utf8('ctx'))}\nindex 6\n${proof.map((h) => toBase64(h) + '\n').join('')}\n${checkpoint}`;
    assert.equal(text, expected);
    assert.deepEqual(parseTlogProof(text), { index: 6n, proof, checkpoint, extra: utf8('ctx') });
    assert.equal(verifyTlogProof(text, leaves[6]!, log).checkpoint.size, 11n);
  });

  it('when a receipt has no extra line or no path, then it still parses', () => {
    const single = new MemoryTree();
    single.append([leaves[0]!]);
    const cp = signCheckpoint({ origin: ORIGIN, size: 1, root: single.root() }, log);
    const text = formatTlogProof({ index: 0, proof: [], checkpoint: cp });
    assert.equal(text.startsWith('c2sp.org/tlog-proof@v1\nindex 0\n\n'), true);
    assert.deepEqual(parseTlogProof(text), { index: 0n, proof: [], checkpoint: cp });
    assert.equal(verifyTlogProof(text, leaves[0]!, log).proof.index, 0n);
  });

  it('when the receipt is for another entry, then verification fails with LOG_PROOF_FAILED', () => {
    const text = formatTlogProof({ index: 6, proof: tree.inclusionProof(6), checkpoint });
    assert.throws(() => verifyTlogProof(text, leaves[5]!, log), code('LOG_PROOF_FAILED'));
    const moved = text.replace('index 6\n', 'index 7\n');
    assert.throws(() => verifyTlogProof(moved, leaves[6]!, log), code('LOG_PROOF_FAILED'));
  });

  it('when the receipt is malformed, then parsing fails with LOG_BAD_PROOF', () => {
    const good = formatTlogProof({ index: 6, proof: tree.inclusionProof(6), checkpoint });
    const hash = toBase64(tree.inclusionProof(6)[0]!);
    const bad = [
      good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
      good.replace('index 6', 'index 06'),
      good.replace('index 6', 'index -6'),
      good.replace('index 6', 'index 9223372036854775808'),
      good.replace('index 6', 'idx 6'),
      good.replace('index 6\n', 'extra !!\nindex 6\n'),
      good.replace(hash, hash.slice(0, -1)),
      good.replace('index 6\n', `index 6\n${toBase64(new Uint8Array(33))}\n`),
      good.replace('index 6\n', `index 6\n${`${hash}\n`.repeat(65)}`),
      good.replace('\n\n', '\n').replace('\n\n', '\n'),
      'x'.repeat(200_000),
    ];
    for (const text of bad)
      assert.throws(() => parseTlogProof(text), code('LOG_BAD_PROOF'), text.slice(0, 80));
  });
});
