/**
 * `blindbroker member submit --member ID batch.ndjson [--wait] [--json]`: uploads a prepared batch
 * over mutual TLS through MemberClient, with a progress bar on a terminal, and prints the job (and
 * with --wait its result). Exit 1 when the job failed or rejected records.
 */
import { Command } from 'commander';
import { MemberClient } from '../client/member-client.js';
import type { JobStatus } from '../client/member-client.js';
import { loadConfig } from '../config/load.js';
import { keepReceipt } from '../member/receipts-file.js';
import { EXIT, printJson, printLine } from './output.js';
import { progressBar } from './progress.js';

interface SubmitFlags {
  member: string;
  wait?: boolean;
  receipts?: string;
  json?: boolean;
  broker?: string;
  keys?: string;
  config?: string;
}

function describe(job: JobStatus): string {
  if (job.state === 'failed') return `job ${job.jobId} failed: ${job.failedReason ?? 'unknown reason'}`;
  const r = job.result;
  if (!r) return `job ${job.jobId}: ${job.state} (${job.progress}%)`;
  const lines = [`batch ${r.batchId}: ${r.accepted} stored, ${r.rejected} rejected of ${r.records}`];
  for (const reject of r.rejects.slice(0, 20))
    lines.push(`  line ${reject.line}: ${reject.code} ${reject.message}`);
  if (r.rejected > 20) lines.push(`  … ${r.rejected - 20} more (use --json)`);
  return lines.join('\n');
}

export function memberSubmitCommand(): Command {
  return new Command('submit')
    .description('upload a prepared batch to the broker (mutual TLS)')
    .argument('<batch>', 'batch file written by `member prepare`')
    .requiredOption('--member <id>', 'your member id (keys/members/<id>)')
    .option('--wait', 'wait for the ingest job and print its result')
    .option('--receipts <file>', 'append the log receipt here (default receipts-<member>.jsonl)')
    .option('--json', 'print machine-readable output')
    .option('--broker <url>', 'broker URL')
    .option('--keys <dir>', 'keys directory (default ./keys)')
    .option('--config <file>', 'config file')
    .action(async (file: string, flags: SubmitFlags) => {
      const config = loadConfig(flags);
      const client = await MemberClient.fromKeys(config.keysDir, flags.member, config.broker.url);
      try {
        const upload = progressBar('upload', flags.json === true);
        const accepted = await client.submitBatch(file, {
          onProgress: (sent, total) => upload.update(sent, total ?? sent),
        });
        upload.stop();
        if (!flags.wait) {
          if (flags.json) printJson(accepted);
          else printLine(`submitted batch ${accepted.batchId} as job ${accepted.jobId}`);
          return;
        }
        const ingest = progressBar('ingest', flags.json === true);
        const job = await client.waitForJob(accepted.jobId, {
          onProgress: (j) => ingest.update(j.progress, 100),
        });
        ingest.stop();
        await keepReceipt(
          { file: flags.receipts, member: flags.member },
          job.result?.log,
          'submission.accepted',
          job.result?.batchId ?? '',
        );
        if (flags.json) printJson(job);
        else printLine(describe(job));
        if (job.state === 'failed' || (job.result?.rejected ?? 0) > 0) process.exitCode = EXIT.FINDINGS;
      } finally {
        client.close();
      }
    });
}
