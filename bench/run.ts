/**
 * `npm run bench [-- NAME…]`: runs the benchmarks, prints one JSON document, and writes
 * bench/results.json and bench/results.md (a table of figure, baseline, ratio).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { BenchReport } from './lib.js';
import { benchIngest } from './ingest.js';
import { benchAudit } from './audit.js';
import { benchLedger } from './ledger.js';
import { benchMatch } from './match.js';
import { benchOprf } from './oprf.js';
import { benchPrepare } from './prepare.js';

const BENCHES: Record<string, () => Promise<BenchReport>> = {
  prepare: benchPrepare,
  ledger: benchLedger,
  oprf: benchOprf,
  audit: benchAudit,
  ingest: benchIngest,
  match: benchMatch,
};

function markdown(reports: BenchReport[]): string {
  const rows = reports.flatMap((r) =>
    r.figures.map((f) =>
      [
        r.bench,
        f.name,
        `${f.value.toLocaleString('en-US')} ${f.unit}`,
        f.baseline
          ? `${f.baseline.name}: ${f.baseline.value.toLocaleString('en-US')} ${f.baseline.unit}`
          : '',
        f.ratio === undefined ? '' : String(f.ratio),
        f.goal ? `${f.goal} ${f.met ? '(met)' : '(not met)'}` : '',
      ].join(' | '),
    ),
  );
  return [
    '| bench | figure | value | same-run baseline | ratio | goal |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const reports: BenchReport[] = [];
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) throw new Error(`unknown bench ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.stderr.write(`bench ${name}…\n`);
  reports.push(await bench());
}
const result = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  at: new Date().toISOString(),
  reports,
};
await writeFile('bench/results.json', `${JSON.stringify(result, null, 2)}\n`);
await writeFile('bench/results.md', `${markdown(reports)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
