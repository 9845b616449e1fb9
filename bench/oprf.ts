/**
 * Issue 8 benchmark: oprf-mode tokenization (RFC 9497 VOPRF, ristretto255-SHA512) using all cores —
 * blinding and finalizing on the member's worker threads, evaluation with batch proofs on the token
 * authority's worker threads, over real mutual TLS on this machine — next to the ECDH-PSI
 * per-element rate of @openmined/psi.js measured in the same run (goal: ratio ≥ 1.0).
 * psi.js is an optional devDependency: `npm i -D @openmined/psi.js --ignore-scripts` (its install
 * script downloads from outside). Without it the baseline is skipped and the report says so.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { initKeys } from '../src/keys/init.js';
import { startTokenAuthority } from '../src/token-authority/server.js';
import { createLogger } from '../src/ops/logger.js';
import { TokenAuthorityClient } from '../src/tokenize/authority-client.js';
import { OprfTokenizer } from '../src/tokenize/oprf-tokenizer.js';
import type { TokenInput } from '../src/tokenize/tokenizer.js';
import { figure, scratchDir, type BenchReport, type Figure } from './lib.js';

const ITEMS = Number(process.env.BENCH_OPRF_ITEMS ?? 4000);
const PSI_ELEMENTS = Number(process.env.BENCH_PSI_ELEMENTS ?? 2000);
const PSI_PACKAGE = '@openmined/psi.js';

interface PsiLibrary {
  client: { createWithNewKey(revealIntersection: boolean): PsiClient };
  server: { createWithNewKey(revealIntersection: boolean): PsiServer };
  dataStructure: { Raw: unknown; GCS: unknown; BloomFilter: unknown };
}
interface PsiClient {
  createRequest(inputs: string[]): unknown;
  getIntersection(setup: unknown, response: unknown): number[];
  delete(): void;
}
interface PsiServer {
  createSetupMessage(fpr: number, numClientInputs: number, inputs: string[], ds?: unknown): unknown;
  processRequest(request: unknown): unknown;
  delete(): void;
}

/**
 * ECDH-PSI elements per second: the client blinds n elements, the server re-blinds them and blinds
 * its own n, the client unblinds and intersects — the same work per element as blind, evaluate and
 * finalize. Undefined when the package is not installed.
 */
async function psiRate(n: number): Promise<number | undefined> {
  let psi: PsiLibrary;
  try {
    const module = (await import(PSI_PACKAGE as string)) as { default: () => Promise<PsiLibrary> };
    psi = await module.default();
  } catch {
    return undefined;
  }
  const clientInputs = Array.from({ length: n }, (_, i) => `cn_rid\u0000${110105194912310000 + i}`);
  const serverInputs = Array.from({ length: n }, (_, i) => `cn_rid\u0000${110105194912310000 + 2 * i}`);
  const client = psi.client.createWithNewKey(true);
  const server = psi.server.createWithNewKey(true);
  const start = performance.now();
  const request = client.createRequest(clientInputs);
  const setup = server.createSetupMessage(1e-9, n, serverInputs, psi.dataStructure.Raw);
  const response = server.processRequest(request);
  client.getIntersection(setup, response);
  const seconds = (performance.now() - start) / 1000;
  client.delete();
  server.delete();
  return n / seconds;
}

export async function benchOprf(): Promise<BenchReport> {
  const dir = await scratchDir('oprf');
  const keys = join(dir, 'keys');
  await initKeys({
    dir: keys,
    consortium: 'bench',
    members: ['tencent'],
    auditors: ['pboc'],
    operators: ['ops'],
    days: 30,
    force: false,
  });
  const cores = availableParallelism();
  const authority = await startTokenAuthority({
    keysDir: keys,
    port: 0,
    threads: cores,
    limits: { ratePerSecond: 1e9, burst: 1e9, dailyQuota: 1e12 },
    logger: createLogger('warn'),
  });
  const client = await TokenAuthorityClient.fromKeys(keys, 'tencent', authority.url);
  const items = Array.from({ length: ITEMS }, (_, i): TokenInput => ({
    type: 'cn_rid',
    value: String(110105194912310000 + i),
  }));
  let oprf: number;
  let cached: number;
  try {
    const warm = await OprfTokenizer.create({ authority: client, threads: cores, requestSize: 250 });
    await warm.tokenizeBatch(items.slice(0, 200).map((x) => ({ ...x, value: `w${x.value}` })));
    const start = performance.now();
    await warm.tokenizeBatch(items);
    oprf = ITEMS / ((performance.now() - start) / 1000);
    const again = performance.now();
    await warm.tokenizeBatch(items);
    cached = ITEMS / ((performance.now() - again) / 1000);
    await warm.close();
  } finally {
    client.close();
    await authority.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const psi = await psiRate(PSI_ELEMENTS);
  const figures: Figure[] = [
    figure({
      name: `oprf tokenization, ${cores} cores (member + authority, mTLS, batch proofs)`,
      value: oprf,
      unit: 'identifiers/s',
      goal: 'ratio ≥ 1.0 against ECDH-PSI',
      ...(psi === undefined
        ? {
            notes: `baseline skipped: ${PSI_PACKAGE} is not installed (npm i -D ${PSI_PACKAGE} --ignore-scripts)`,
          }
        : {
            met: oprf >= psi,
            baseline: {
              name: 'psi.js ECDH-PSI, 1 thread (WASM)',
              value: Math.round(psi),
              unit: 'elements/s',
            },
          }),
    }),
    figure({
      name: 'oprf tokenization, cached (same epoch, second pass)',
      value: cached,
      unit: 'identifiers/s',
    }),
  ];
  return {
    bench: 'oprf',
    figures,
    details: { items: ITEMS, psiElements: PSI_ELEMENTS, cores, requestSize: 250 },
  };
}
