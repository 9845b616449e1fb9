/** `blindbroker synth loans`: synthetic loan exports for demos, tests and benchmarks. */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { writeLoanCsv } from '../synth/loans-csv.js';
import { printJson, printLine } from './output.js';

interface SynthFlags {
  rows: string;
  out: string;
  seed: string;
  broken: string;
  prefix: string;
  expected?: string;
  json?: boolean;
}

export function synthCommand(): Command {
  const loans = new Command('loans')
    .description(
      'write a synthetic loan CSV (valid-format IDs, mobiles, Han names; some rows deliberately broken)',
    )
    .requiredOption('--out <file>', 'CSV to write')
    .option('--rows <n>', 'data rows', '100000')
    .option('--seed <n>', 'PRNG seed (same seed, same file)', '1')
    .option('--broken <rate>', 'share of rows with one deliberate defect', '0.02')
    .option('--prefix <p>', 'record id prefix', 'L')
    .option('--expected <file>', 'write the expected rejects (row,code) here')
    .option('--json', 'print JSON')
    .action(async (flags: SynthFlags) => {
      const expected = await writeLoanCsv(flags.out, {
        rows: Number(flags.rows),
        seed: Number(flags.seed),
        brokenRate: Number(flags.broken),
        prefix: flags.prefix,
      });
      if (flags.expected)
        writeFileSync(flags.expected, `row,code\n${expected.map((e) => `${e.row},${e.code}`).join('\n')}\n`);
      const summary = { out: flags.out, rows: Number(flags.rows), broken: expected.length };
      if (flags.json) printJson(summary);
      else printLine(`wrote ${summary.rows} rows to ${summary.out} (${summary.broken} deliberately broken)`);
    });
  return new Command('synth').description('synthetic data for demos and benchmarks').addCommand(loans);
}
