/** `blindbroker member prepare`: CSV export → signed batch, run at the member. */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { loadMemberIdentity, unwrapTokenSecret } from '../keys/load.js';
import { loadMapping } from '../member/mapping.js';
import { prepareBatch, type PrepareSummary } from '../member/prepare.js';
import { signObject } from '../signing/signed-object.js';
import { printJson, printLine } from './output.js';
import { progressBar } from './progress.js';

interface PrepareFlags {
  member: string;
  in: string;
  out: string;
  errors?: string;
  mapping?: string;
  threads?: string;
  keys?: string;
  config?: string;
  json?: boolean;
}

function printSummary(s: PrepareSummary): void {
  printLine(`batch ${s.batchId} for ${s.member} (${s.schema}, epoch ${s.epoch})`);
  printLine(`  rows ${s.rows}: accepted ${s.accepted}, rejected ${s.rejected}; ${s.tokens} tokens`);
  for (const [code, count] of Object.entries(s.rejectsByCode)) printLine(`  rejected ${code}: ${count}`);
  if (s.ignoredColumns.length > 0) printLine(`  columns not sent: ${s.ignoredColumns.join(', ')}`);
  printLine(`  ${s.recordsPerSecond} rows/s on ${s.threads} thread(s), ${s.elapsedMs} ms`);
  printLine(`  wrote ${s.output}${s.errorsFile ? `, rejects in ${s.errorsFile}` : ''}`);
}

export function memberPrepareCommand(): Command {
  return new Command('prepare')
    .description(
      'normalize, tokenize and seal a CSV export into a signed batch (runs on the member premises)',
    )
    .requiredOption('--member <id>', 'the member preparing the batch')
    .requiredOption('--in <file>', 'the CSV export')
    .requiredOption('--out <file>', 'the batch to write (NDJSON)')
    .option('--errors <file>', 'write rejected rows here (CSV: row,record_id,field,code,message)')
    .option('--mapping <file>', 'column mapping (default: config mappingFile)')
    .addOption(new Option('--threads <n>', 'worker threads').default(String(availableParallelism())))
    .option('--keys <dir>', 'consortium keys directory')
    .option('--config <file>', 'config file')
    .option('--json', 'print a machine-readable summary')
    .action(async (flags: PrepareFlags) => {
      const config = loadConfig({ config: flags.config, keys: flags.keys });
      const mapping = loadMapping(flags.mapping ?? config.mappingFile);
      const identity = await loadMemberIdentity(config.keysDir, flags.member);
      const secret = await unwrapTokenSecret(config.keysDir, flags.member);
      const bar = progressBar('preparing', flags.json === true);
      const summary = await prepareBatch({
        member: flags.member,
        input: flags.in,
        output: flags.out,
        errors: flags.errors,
        mapping,
        consortiumId: secret.consortiumId,
        epoch: secret.epoch,
        tokenSecret: secret.secret,
        signManifest: (body) =>
          signObject('batch.manifest', body, { role: 'member', id: flags.member, signing: identity.signing }),
        threads: Math.max(1, Number(flags.threads)),
        onProgress: (done, total) => bar.update(done, total),
      }).finally(() => bar.stop());
      if (flags.json) printJson(summary);
      else printSummary(summary);
    });
}
