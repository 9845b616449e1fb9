/**
 * Issue 1 benchmark: `member prepare` over 100k synthetic records with 3 identifiers and 2 sealed
 * groups, on one thread and on all cores, against (a) the raw node:crypto HMAC-SHA256 and
 * AES-256-GCM rates and (b) the primitive floor: the rate of exactly the primitive operations one
 * record needs (3 PRF HMACs, 6 HKDF expansions, 2 content seals, 6 key wraps, 2 data keys).
 */
import { createCipheriv, createHmac, randomBytes as nodeRandom } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { aesGcmSeal } from '../src/crypto/aead.js';
import { hkdfExpandSha256, KeyedHmacSha256 } from '../src/crypto/hash.js';
import { randomBytes } from '../src/crypto/random.js';
import { initKeys } from '../src/keys/init.js';
import { loadMemberIdentity, unwrapTokenSecret } from '../src/keys/load.js';
import { loadMapping } from '../src/member/mapping.js';
// The compiled module, as `blindbroker member prepare` runs it: under tsx each worker thread
// would first compile the sources, which is start-up cost no user pays.
import { prepareBatch } from '../dist/member/prepare.js';
import { signObject } from '../src/signing/signed-object.js';
import { writeLoanCsv } from '../src/synth/loans-csv.js';
import { utf8 } from '../src/util/bytes.js';
import { figure, rate, scratchDir, type BenchReport } from './lib.js';

const ROWS = Number(process.env.BENCH_PREPARE_ROWS ?? 100_000);

function primitiveFloor(): number {
  const prf = new KeyedHmacSha256(nodeRandom(32));
  const tokenInfo = utf8('blindbroker/v1/token');
  const sealInfo = utf8('blindbroker/v1/seal');
  const content = utf8('{"status":"active","overdueDays":0}');
  const value = utf8('11010519491231002X');
  return rate(() => {
    const sealKeys: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const out = prf.mac(value);
      hkdfExpandSha256(out, tokenInfo, 16);
      sealKeys.push(hkdfExpandSha256(out, sealInfo, 32));
    }
    for (let g = 0; g < 2; g++) {
      const dataKey = randomBytes(32);
      aesGcmSeal(dataKey, content, value);
      for (const sealKey of sealKeys) aesGcmSeal(sealKey, dataKey, value);
    }
  });
}

function rawHmacRate(): number {
  const key = nodeRandom(32);
  const msg = nodeRandom(32);
  return rate(() => createHmac('sha256', key).update(msg).digest());
}

function rawGcmRate(): number {
  const key = nodeRandom(32);
  const nonce = nodeRandom(12);
  const msg = nodeRandom(40);
  return rate(() => {
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(msg);
    c.update(msg);
    c.final();
    c.getAuthTag();
  });
}

export async function benchPrepare(): Promise<BenchReport> {
  const dir = await scratchDir('prepare');
  const keys = join(dir, 'keys');
  await initKeys({
    dir: keys,
    consortium: 'bench',
    members: ['tencent', 'ant'],
    auditors: ['pboc'],
    operators: ['ops'],
    days: 30,
    force: false,
  });
  const identity = await loadMemberIdentity(keys, 'tencent');
  const secret = await unwrapTokenSecret(keys, 'tencent');
  const csv = join(dir, 'loans.csv');
  await writeLoanCsv(csv, { rows: ROWS, seed: 42, brokenRate: 0, phoneShare: 1 });
  const mapping = loadMapping('config/mappings/default.json');

  const run = (threads: number) =>
    prepareBatch({
      member: 'tencent',
      input: csv,
      output: join(dir, `batch-${threads}.ndjson`),
      errors: join(dir, `errors-${threads}.csv`),
      mapping,
      consortiumId: secret.consortiumId,
      epoch: secret.epoch,
      tokenSecret: secret.secret,
      signManifest: (body) =>
        signObject('batch.manifest', body, { role: 'member', id: 'tencent', signing: identity.signing }),
      threads,
    });

  // The floor is measured before, between and after the runs and averaged, so that a change in
  // the machine's load during the run moves the figure and its baseline alike.
  const floors = [primitiveFloor()];
  const hmac = rawHmacRate();
  const gcm = rawGcmRate();
  const one = await run(1);
  floors.push(primitiveFloor());
  const cores = availableParallelism();
  const all = await run(cores);
  floors.push(primitiveFloor());
  const floor = floors.reduce((a, b) => a + b, 0) / floors.length;
  await rm(dir, { recursive: true, force: true });

  const floorBaseline = {
    name: 'primitive floor (3 HMAC + 6 HKDF-Expand + 8 AES-GCM + 2 keys per record), 1 thread',
    value: Math.round(floor),
    unit: 'records/s',
  };
  return {
    bench: 'prepare',
    figures: [
      figure({
        name: 'prepare, 1 thread',
        value: one.recordsPerSecond,
        unit: 'records/s',
        goal: '≥ 5,000/s and ≥ 50% of floor',
        met: one.recordsPerSecond >= 5000 && one.recordsPerSecond >= floor / 2,
        baseline: floorBaseline,
      }),
      figure({
        name: `prepare, ${cores} threads`,
        value: all.recordsPerSecond,
        unit: 'records/s',
        goal: '≥ 10,000/s',
        met: all.recordsPerSecond >= 10000,
        baseline: floorBaseline,
      }),
      figure({
        name: 'tokens per second (1 thread)',
        value: one.tokens / (one.elapsedMs / 1000),
        unit: 'tokens/s',
        baseline: {
          name: 'raw node:crypto HMAC-SHA256 (createHmac, 32 B)',
          value: Math.round(hmac),
          unit: 'ops/s',
        },
      }),
      figure({
        name: 'AES-GCM calls per second inside prepare (1 thread, 8 per record)',
        value: (one.accepted * 8) / (one.elapsedMs / 1000),
        unit: 'ops/s',
        baseline: { name: 'raw node:crypto AES-256-GCM (40 B)', value: Math.round(gcm), unit: 'ops/s' },
      }),
    ],
    details: {
      rows: ROWS,
      identifiersPerRecord: 3,
      sealedGroups: 2,
      floorSamples: floors.map(Math.round),
      oneThread: one,
      allThreads: all,
    },
  };
}
