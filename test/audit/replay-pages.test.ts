/**
 * The fast replay (DESIGN §5, RFC 9162 §2.1): page workers, per-page subtrees and the packed
 * disclosure set reach exactly what the plain path reaches. A log built as the benchmark builds
 * it (really signed consents) is audited inline and on worker threads, clean and tampered with,
 * and both runs must give the same findings and the same state.
 */
import assert from 'node:assert/strict';
import { buildAuditBench } from '../../bench/audit.js';
import type { AuditBench } from '../../bench/audit.js';
import { DigestSet, digestsFromBase64, digestsToBase64 } from '../../src/audit/digest-set.js';
import { parseAuditState } from '../../src/audit/state.js';
import { appendSubtrees, subtreesOf } from '../../src/audit/subtrees.js';
import { auditLog } from '../../src/audit/verify-log.js';
import type { AuditOutcome } from '../../src/audit/verify-log.js';
import { randomBytes } from '../../src/crypto/random.js';
import { HASH_SIZE, foldFromRight } from '../../src/ledger/merkle.js';
import { appendLeaves, frontierNodeIds } from '../../src/ledger/tree-nodes.js';
import { toBase64url } from '../../src/util/bytes.js';

describe('audit replay on worker threads', function () {
  this.timeout(120_000);
  let bench: AuditBench;

  before(async () => {
    bench = await buildAuditBench(5_500);
  });
  after(() => bench?.close());

  const both = async (): Promise<[AuditOutcome, AuditOutcome]> => [
    await auditLog(bench.source, undefined, { ...bench.options, threads: 0 }),
    await auditLog(bench.source, undefined, { ...bench.options, threads: 2 }),
  ];

  it('when the log is clean, then inline and threaded runs keep the same state', async () => {
    const [inline, threaded] = await both();
    assert.deepEqual(inline.findings, []);
    assert.deepEqual(threaded, inline);
    const disclosures = bench.source.texts.filter((t) => t.includes('"kind":"disclosure"')).length;
    assert.equal(digestsFromBase64(inline.state?.disclosures ?? '')?.length, 12 * disclosures);
  });

  it('when entries are duplicated, rewritten or not served, then both runs name the same indexes', async () => {
    const texts = bench.source.texts;
    const saved = [...texts];
    const served = bench.source.entries.bind(bench.source);
    try {
      texts[1_502] = texts[1_503] as string; // a duplicate disclosure
      texts[2_003] = (texts[2_003] as string).replace('"groups":["status"]', '"groups":["income"]');
      texts[3_100] = (texts[3_100] as string).replace('{"at"', '{ "at"'); // not canonical
      bench.source.entries = (start, end) =>
        served(start, end).then((page) =>
          start <= 4_321 && 4_321 < end ? page.slice(0, 4_321 - start) : page,
        );
      const [inline, threaded] = await both();
      assert.deepEqual(threaded.findings, inline.findings);
      const at = (index: number, rule: string) =>
        inline.findings.some((f) => f.index === index && f.rule === rule);
      assert.ok(at(1_503, 'disclosure.duplicate'), JSON.stringify(inline.findings));
      assert.ok(at(1_502, 'log.replay'));
      assert.ok(at(2_003, 'consent.coverage'));
      assert.ok(at(3_100, 'entry.format'));
      assert.ok(at(4_321, 'log.dense-index'));
    } finally {
      texts.splice(0, texts.length, ...saved);
      delete (bench.source as { entries?: unknown }).entries;
    }
  });

  it('when a page is folded as subtrees, then the frontier is the one leaf-by-leaf appending reaches', () => {
    for (const [start, count] of [
      [0, 1],
      [0, 1000],
      [1000, 1000],
      [4095, 3],
      [7, 1],
      [2 ** 40 - 3, 9],
    ] as const) {
      const leaves = randomBytes(count * HASH_SIZE);
      const views = Array.from({ length: count }, (_, i) =>
        leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
      );
      const before = frontierNodeIds(start).map(() => randomBytes(HASH_SIZE));
      const expected = appendLeaves(start, before, views);
      const got = appendSubtrees(start, before, subtreesOf(start, leaves, count));
      assert.equal(got.size, expected.size);
      assert.deepEqual(foldFromRight(got.frontier), expected.root);
    }
  });

  it('when digests are added twice, then the set says so and packs them in order', () => {
    const set = new DigestSet();
    const keys = Array.from({ length: 5_000 }, () => randomBytes(12));
    for (const k of keys) assert.equal(set.add(k), true);
    for (const k of keys) assert.equal(set.add(k), false);
    const again = new DigestSet(digestsFromBase64(digestsToBase64(set.packed())));
    assert.equal(again.size, 5_000);
    assert.equal(again.add(keys[4_999] as Uint8Array), false);
    assert.equal(digestsFromBase64('AAAA'), undefined);
  });

  it('when a version 1 state file is read, then its disclosure digests are kept, packed', async () => {
    const { state } = await auditLog(bench.source, undefined, { ...bench.options, threads: 0 });
    assert.ok(state);
    const packed = digestsFromBase64(state.disclosures) as Uint8Array;
    const list = Array.from({ length: packed.length / 12 }, (_, i) =>
      toBase64url(packed.subarray(i * 12, i * 12 + 12)),
    );
    const v1 = parseAuditState(JSON.stringify({ ...state, version: 1, disclosures: list }));
    assert.deepEqual(v1, state);
  });
});
