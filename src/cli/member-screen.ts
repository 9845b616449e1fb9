/**
 * `blindbroker member screen --member ID --consent C --in applicants.csv --out result.csv`
 * (DESIGN §6 `screen`): reads applicants (columns id_number, phone, name; header required),
 * normalizes and tokenizes them locally, uploads only tokens with row references, follows the job
 * with a progress bar, and writes the counts per row. A row that does not normalize is reported
 * with its code and not sent.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { MemberClient } from '../client/member-client.js';
import { loadConfig } from '../config/load.js';
import { BrokerError, isBrokerError } from '../errors.js';
import { parseCsvLine } from '../member/csv-line.js';
import { borrowerIdentifiers, memberTokenizer, tokensOf } from './member-identity.js';
import { EXIT, printJson, printLine } from './output.js';
import { progressBar } from './progress.js';

interface ScreenFlags {
  member: string;
  consent: string;
  in: string;
  out: string;
  json?: boolean;
  broker?: string;
  keys?: string;
  config?: string;
}

export function memberScreenCommand(): Command {
  return new Command('screen')
    .description('multi-lending screening of applicants under a portfolio_screening consent')
    .requiredOption('--member <id>', 'your member id')
    .requiredOption('--consent <id>', 'a portfolio_screening consent id')
    .requiredOption('--in <file>', 'applicants CSV with a header: id_number, phone, name')
    .requiredOption('--out <file>', 'result CSV: row, other_lenders, active_loans, delinquent_loans')
    .option('--json', 'print a JSON summary')
    .option('--broker <url>', 'broker URL')
    .option('--keys <dir>', 'keys directory')
    .option('--config <file>', 'config file')
    .action(async (flags: ScreenFlags) => {
      const config = loadConfig(flags);
      const tokenizer = await memberTokenizer(config.keysDir, flags.member);
      const lines: string[] = [];
      const rejects: string[] = [];
      let header: string[] | undefined;
      let row = 0;
      for await (const text of createInterface({ input: createReadStream(flags.in), crlfDelay: Infinity })) {
        if (header === undefined) {
          header = (parseCsvLine(text) ?? []).map((h) => h.trim().toLowerCase());
          continue;
        }
        if (text.trim() === '') continue;
        row++;
        const cells = parseCsvLine(text) ?? [];
        const cell = (name: string): string | undefined => {
          const i = header?.indexOf(name) ?? -1;
          return i >= 0 ? cells[i] : undefined;
        };
        try {
          const ids = borrowerIdentifiers({
            idNumber: cell('id_number'),
            phone: cell('phone'),
            name: cell('name'),
          });
          lines.push(JSON.stringify({ ref: String(row), tokens: tokensOf(tokenizer, ids) }));
        } catch (err) {
          if (!isBrokerError(err)) throw err;
          rejects.push(`${row},${err.code}`);
        }
      }
      if (lines.length === 0)
        throw new BrokerError('USAGE', `no applicant in ${flags.in} could be tokenized`);
      const client = await MemberClient.fromKeys(config.keysDir, flags.member, config.broker.url);
      try {
        const { jobId } = await client.screen(flags.consent, `${lines.join('\n')}\n`);
        const bar = progressBar('screen', flags.json === true);
        let job = await client.getScreen(jobId);
        while (job.state !== 'completed' && job.state !== 'failed') {
          bar.update(job.progress, 100);
          await new Promise((r) => setTimeout(r, 250));
          job = await client.getScreen(jobId);
        }
        bar.stop();
        if (job.state === 'failed') {
          const [code, ...rest] = (job.failedReason ?? 'JOB_FAILED: failed').split(': ');
          throw new BrokerError(code ?? 'JOB_FAILED', rest.join(': '));
        }
        const rows = (await client.screenRows(jobId)) as Array<Record<string, unknown>>;
        const csv = ['row,other_lenders,active_loans,delinquent_loans'];
        for (const r of rows)
          csv.push([r.ref, r.otherLenders, r.activeLoans, r.delinquentLoans].map(String).join(','));
        await writeFile(flags.out, `${csv.join('\n')}\n`);
        const summary = { jobId, screened: rows.length, rejected: rejects.length, rejects, out: flags.out };
        if (flags.json) printJson(summary);
        else {
          printLine(`screened ${rows.length} applicant(s) → ${flags.out}`);
          for (const r of rejects.slice(0, 20)) printLine(`  row ${r.replace(',', ': not sent, ')}`);
        }
        if (rejects.length > 0) process.exitCode = EXIT.FINDINGS;
      } finally {
        client.close();
      }
    });
}
