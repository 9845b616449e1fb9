/**
 * `blindbroker member prepare`: CSV export → signed batch, run at the member (DESIGN §2, §3). hmac
 * mode hands the unwrapped consortium secret to the row threads; oprf mode opens the member's
 * OprfTokenizer against the token authority and tokenizes every identifier of the CSV first.
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { loadMemberIdentity, unwrapTokenSecret } from '../keys/load.js';
import { loadMapping } from '../member/mapping.js';
import {
  prepareBatch,
  type HmacSecretSource,
  type PrepareSummary,
  type TokenizerSource,
} from '../member/prepare.js';
import { signObject } from '../signing/signed-object.js';
import { openMemberTokenizer, type ClosableTokenizer } from '../tokenize/member-tokenizer.js';
import { printJson, printLine } from './output.js';
import { progressBar } from './progress.js';
import { tokenizerMode, withTokenizerFlags, type TokenizerFlags } from './tokenizer-flags.js';

interface PrepareFlags extends TokenizerFlags {
  member: string;
  in: string;
  out: string;
  errors?: string;
  mapping?: string;
  threads?: string;
  oprfCache?: string;
  keys?: string;
  config?: string;
  json?: boolean;
}

function printSummary(s: PrepareSummary): void {
  printLine(`batch ${s.batchId} for ${s.member} (${s.schema}, ${s.tokenizer} epoch ${s.epoch})`);
  printLine(`  rows ${s.rows}: accepted ${s.accepted}, rejected ${s.rejected}; ${s.tokens} tokens`);
  for (const [code, count] of Object.entries(s.rejectsByCode)) printLine(`  rejected ${code}: ${count}`);
  if (s.ignoredColumns.length > 0) printLine(`  columns not sent: ${s.ignoredColumns.join(', ')}`);
  printLine(`  ${s.recordsPerSecond} rows/s on ${s.threads} thread(s), ${s.elapsedMs} ms`);
  printLine(`  wrote ${s.output}${s.errorsFile ? `, rejects in ${s.errorsFile}` : ''}`);
}

export function memberPrepareCommand(): Command {
  const command = new Command('prepare')
    .description(
      'normalize, tokenize and seal a CSV export into a signed batch (runs on the member premises)',
    )
    .requiredOption('--member <id>', 'the member preparing the batch')
    .requiredOption('--in <file>', 'the CSV export')
    .requiredOption('--out <file>', 'the batch to write (NDJSON)')
    .option('--errors <file>', 'write rejected rows here (CSV: row,record_id,field,code,message)')
    .option('--mapping <file>', 'column mapping (default: config mappingFile)')
    .addOption(new Option('--threads <n>', 'worker threads').default(String(availableParallelism())))
    .option(
      '--oprf-cache <file>',
      'oprf mode: keep OPRF results here, so each identifier is evaluated once per epoch',
    );
  return withTokenizerFlags(command)
    .option('--keys <dir>', 'consortium keys directory')
    .option('--config <file>', 'config file')
    .option('--json', 'print a machine-readable summary')
    .action(async (flags: PrepareFlags) => {
      const config = loadConfig({ config: flags.config, keys: flags.keys });
      const mapping = loadMapping(flags.mapping ?? config.mappingFile);
      const identity = await loadMemberIdentity(config.keysDir, flags.member);
      const threads = Math.max(1, Number(flags.threads));
      const tokenBar = progressBar('tokenizing', flags.json === true);
      let tokenizer: ClosableTokenizer | undefined;
      let source: HmacSecretSource | TokenizerSource;
      if ((await tokenizerMode(config.keysDir, flags)) === 'hmac') {
        const secret = await unwrapTokenSecret(config.keysDir, flags.member);
        source = { consortiumId: secret.consortiumId, epoch: secret.epoch, tokenSecret: secret.secret };
      } else {
        tokenizer = await openMemberTokenizer(config.keysDir, flags.member, {
          mode: 'oprf',
          threads,
          ...(flags.authority === undefined ? {} : { authorityUrl: flags.authority }),
          ...(flags.oprfCache === undefined ? {} : { cacheFile: flags.oprfCache }),
        });
        source = { tokenizer, onTokenizing: (done, total) => tokenBar.update(done, total) };
      }
      const bar = progressBar('preparing', flags.json === true);
      const summary = await prepareBatch({
        ...source,
        member: flags.member,
        input: flags.in,
        output: flags.out,
        errors: flags.errors,
        mapping,
        signManifest: (body) =>
          signObject('batch.manifest', body, { role: 'member', id: flags.member, signing: identity.signing }),
        threads,
        onProgress: (done, total) => {
          tokenBar.stop();
          bar.update(done, total);
        },
      }).finally(async () => {
        tokenBar.stop();
        bar.stop();
        await tokenizer?.close();
      });
      if (flags.json) printJson(summary);
      else printSummary(summary);
    });
}
