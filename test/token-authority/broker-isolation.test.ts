/**
 * DESIGN §1, §2: the broker holds no PRF key and has no code path that turns an identifier into a
 * token. Checked on the import graph of the broker's side (src/api, src/jobs, src/store, src/ingest,
 * src/service, src/match, src/ledger, src/retention):
 * - no chain of static imports reaches a tokenizer, the OPRF code, the token authority or the member
 *   toolkit (allowed: tokenize/index-key.ts, which re-keys tokens it is sent, and tokenize/tokenizer.ts,
 *   types and constants);
 * - no broker module imports a normalizer directly (allowed: normalize/schema.ts, the type names).
 *   normalize/schema.ts itself holds the NORMALIZERS table, so normalizer code is loaded by the broker
 *   transitively; it cannot make a token without a PRF key, but splitting that table out of
 *   schema.ts would let this check be transitive too.
 * And the broker's key directory holds neither the consortium token secret nor an OPRF key.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import * as layout from '../../src/keys/layout.js';
import { sharedConsortium } from '../keys/fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BROKER_DIRS = [
  'src/api',
  'src/jobs',
  'src/store',
  'src/ingest',
  'src/service',
  'src/match',
  'src/ledger',
  'src/retention',
];
const NORMALIZER = /^src\/normalize\/(?!schema\.ts$)/;
const FORBIDDEN: RegExp[] = [
  /^src\/tokenize\/(?!index-key\.ts$|tokenizer\.ts$)/,
  /^src\/token-authority\//,
  /^src\/crypto\/oprf/,
  /^src\/member\//,
];
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(ROOT, dir), { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? tsFiles(path.join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? '').replace(/\.js$/, '.ts');
    return path.relative(ROOT, path.resolve(path.join(ROOT, path.dirname(file)), spec));
  });
}

/** Every module reachable from `starts`, with the chain that reached it. */
function closure(starts: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>(starts.map((s) => [s, [s]]));
  const queue = [...starts];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const dep of importsOf(file)) {
      if (seen.has(dep)) continue;
      seen.set(dep, [...(seen.get(file) ?? []), dep]);
      queue.push(dep);
    }
  }
  return seen;
}

describe('broker isolation from identifiers and PRF keys', () => {
  it('when the broker’s modules are followed through their imports, then no tokenizer, OPRF, token-authority or member code is reachable', async () => {
    const starts = (await Promise.all(BROKER_DIRS.map(tsFiles))).flat();
    assert.ok(starts.length > 0, 'no broker modules found');
    const reached = closure(starts);
    const offending = [...reached]
      .filter(([file]) => FORBIDDEN.some((re) => re.test(file)))
      .map(([, chain]) => chain.join(' → '));
    assert.deepEqual(offending, []);
  });

  it('when the broker’s modules are read, then none imports a normalizer directly', async () => {
    const starts = (await Promise.all(BROKER_DIRS.map(tsFiles))).flat();
    const direct = starts.flatMap((file) =>
      importsOf(file)
        .filter((dep) => NORMALIZER.test(dep))
        .map((dep) => `${file} → ${dep}`),
    );
    assert.deepEqual(direct, []);
  });

  it('when the import scan meets a forbidden import, then it reports it (the check itself works)', () => {
    const reached = closure(['src/tokenize/member-tokenizer.ts']);
    assert.ok(
      [...reached.keys()].some((f) => FORBIDDEN.some((re) => re.test(f)) && f.includes('oprf-tokenizer')),
    );
  });

  it('when a consortium is made, then the broker’s directory holds no token secret and no OPRF key', async () => {
    const dir = await sharedConsortium();
    const files = await fs.readdir(layout.brokerPaths(dir).dir);
    assert.deepEqual(files.sort(), ['cert.pem', 'index-key.json', 'key.pem', 'log-key.json', 'log-key.pub']);
  });
});
