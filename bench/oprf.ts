/**
 * Issue 8 benchmark: oprf-mode tokenization (RFC 9497 VOPRF, ristretto255-SHA512) using all cores —
 * blinding and finalizing on the member's worker threads, evaluation with batch proofs on the token
 * authority's worker threads, over real mutual TLS on this machine — next to the ECDH-PSI
 * per-element rate of @openmined/psi.js measured in the same run (goal: ratio ≥ 1.0).
 * psi.js is not in package.json: one of its dependencies downloads a binary at install time, which
 * would break `npm ci` on a machine without that network. `npm run bench` installs it first with
 * `--no-save --ignore-scripts` (script `bench:psi`); without it the baseline is skipped and the
 * report says so.
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
const REQUEST_SIZE = Number(process.env.BENCH_OPRF_REQUEST_SIZE ?? 250);
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

interface PsiRates {
  /** Client createRequest over n elements + server processRequest, per element. */
  perElement: number;
  /** The same plus the server's setup over its own n elements and the client's intersection. */
  fullProtocol: number;
}

/** n distinct 18-digit strings (BigInt: 110105194912310000 + i is past 2^53, so Number repeats). */
function distinctIds(n: number, step = 1n): string[] {
  return Array.from({ length: n }, (_, i) => String(110105194912310000n + step * BigInt(i)));
}

/**
 * ECDH-PSI per-element rate: the client blinds n elements (createRequest) and the server re-blinds
 * them (processRequest) — the counterpart of blind, evaluate and finalize. The full protocol (the
 * server also blinds its own n elements, the client unblinds and intersects) is reported beside it.
 * Undefined when the package is not installed.
 */
async function psiRates(n: number): Promise<PsiRates | undefined> {
  let psi: PsiLibrary;
  try {
    const module = (await import(PSI_PACKAGE as string)) as { default: () => Promise<PsiLibrary> };
    psi = await module.default();
  } catch {
    return undefined;
  }
  const clientInputs = distinctIds(n).map((id) => `cn_rid\u0000${id}`);
  const serverInputs = distinctIds(n, 2n).map((id) => `cn_rid\u0000${id}`);
  const client = psi.client.createWithNewKey(true);
  const server = psi.server.createWithNewKey(true);
  try {
    server.processRequest(client.createRequest(clientInputs.slice(0, 50)));
    const start = performance.now();
    const request = client.createRequest(clientInputs);
    const response = server.processRequest(request);
    const perElement = n / ((performance.now() - start) / 1000);
    const setup = server.createSetupMessage(1e-9, n, serverInputs, psi.dataStructure.Raw);
    client.getIntersection(setup, response);
    const fullProtocol = n / ((performance.now() - start) / 1000);
    return { perElement, fullProtocol };
  } finally {
    client.delete();
    server.delete();
  }
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
  const ids = distinctIds(ITEMS);
  const items = ids.map((value): TokenInput => ({ type: 'cn_rid', value }));
  let oprf: number;
  let cached: number;
  try {
    const warm = await OprfTokenizer.create({ authority: client, threads: cores, requestSize: REQUEST_SIZE });
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
  const psi = await psiRates(PSI_ELEMENTS);
  const figures: Figure[] = [
    figure({
      name: `oprf tokenization, ${cores} cores shared by member and authority (mTLS, batch proofs)`,
      value: oprf,
      unit: 'identifiers/s',
      goal: 'ratio ≥ 1.0 against ECDH-PSI',
      ...(psi === undefined
        ? {
            notes: `baseline skipped: ${PSI_PACKAGE} is not installed (npm i -D ${PSI_PACKAGE} --ignore-scripts)`,
          }
        : {
            met: oprf >= psi.perElement,
            baseline: {
              name: 'psi.js ECDH-PSI createRequest + processRequest, 1 thread (WASM)',
              value: Math.round(psi.perElement),
              unit: 'elements/s',
            },
            notes: `psi.js full protocol (plus server setup over n and client intersection): ${Math.round(psi.fullProtocol)} elements/s`,
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
    details: {
      items: ITEMS,
      distinct: new Set(ids).size,
      psiElements: PSI_ELEMENTS,
      cores,
      requestSize: REQUEST_SIZE,
    },
  };
}
