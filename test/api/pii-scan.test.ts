/**
 * PII scan (DESIGN §1: the broker must never learn a raw identifier, name or phone): ingest batches
 * prepared by `member prepare` from a synthetic CSV, then read every key under the test prefix (all
 * types, the BullMQ keys included) and the captured log output, and look for each raw value.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadMemberIdentity, unwrapTokenSecret } from '../../src/keys/load.js';
import { loadMapping } from '../../src/member/mapping.js';
import { prepareBatch } from '../../src/member/prepare.js';
import { signObject } from '../../src/signing/signed-object.js';
import { writeLoanCsv } from '../../src/synth/loans-csv.js';
import { dumpKey } from '../../src/privacy/redis-dump.js';
import { keysUnder, startBroker } from './harness.js';

describe('PII scan', function () {
  this.timeout(90_000);

  it('when prepared batches are ingested, then no raw identifier, phone or name appears in Redis or the logs', async () => {
    const broker = await startBroker();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'bb-pii-'));
      const raw = new Set<string>();
      for (const member of ['tencent', 'ant']) {
        const csv = join(dir, `${member}.csv`);
        await writeLoanCsv(csv, { rows: 150, seed: member.length, prefix: member, brokenRate: 0.05 });
        const rows = parse(await readFile(csv, 'utf8'), { columns: true }) as Record<string, string>[];
        for (const row of rows) {
          for (const column of ['id_number', 'phone', 'name']) {
            const value = (row[column] ?? '').trim();
            if (value.length >= 4) raw.add(value);
          }
          const phone = (row.phone ?? '').replace(/\D/g, '');
          if (phone.length >= 11) raw.add(phone.slice(-11));
        }
        const identity = await loadMemberIdentity(broker.keysDir, member);
        const secret = await unwrapTokenSecret(broker.keysDir, member);
        const out = join(dir, `${member}.ndjson`);
        await prepareBatch({
          member,
          input: csv,
          output: out,
          mapping: loadMapping('config/mappings/default.json'),
          consortiumId: secret.consortiumId,
          epoch: secret.epoch,
          tokenSecret: secret.secret,
          signManifest: (body) =>
            signObject('batch.manifest', body, { role: 'member', id: member, signing: identity.signing }),
          threads: 1,
        });
        const client = await broker.client(member);
        const job = await client.waitForJob((await client.submitBatch(out)).jobId);
        assert.equal(job.state, 'completed', job.failedReason);
        assert.ok((job.result?.accepted ?? 0) > 100);
      }
      assert.ok(raw.size > 500, `collected ${raw.size} raw values`);
      const redis = broker.server.context.client;
      const keys = await keysUnder(broker.config.redis.prefix);
      assert.ok(
        keys.some((k) => k.includes(':q:')),
        'the BullMQ keys are scanned too',
      );
      let corpus = keys.join('\n');
      for (const key of keys) corpus += await dumpKey(redis, key);
      corpus += broker.logs.join('');
      assert.ok(corpus.includes('"recordId"'), 'the scan reads decoded record values');
      const hits = [...raw].filter((value) => corpus.includes(value));
      assert.deepEqual(hits, []);
    } finally {
      await broker.stop();
    }
  });
});
