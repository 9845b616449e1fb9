/**
 * `blindbroker member receipts verify --member ID [--receipts FILE]` (issue 6, DESIGN §5): checks
 * that the member's own log entries are in the log, by inclusion proof against a verified
 * checkpoint. Exit 1 when any receipt fails. Thin adapter onto src/audit/member-receipts.
 */
import { Command } from 'commander';
import { verifyMemberReceipts } from '../audit/member-receipts.js';
import { loadConfig } from '../config/load.js';
import { EXIT, printJson, printLine } from './output.js';

interface ReceiptFlags {
  member: string;
  receipts?: string;
  keys?: string;
  broker?: string;
  config?: string;
  json?: boolean;
}

export function memberReceiptsCommand(): Command {
  const verify = new Command('verify')
    .description('check that your receipts are in the log (inclusion proofs against a verified checkpoint)')
    .requiredOption('--member <id>', 'your member id (keys/members/<id>)')
    .option('--receipts <file>', 'receipts file, JSON lines {index, leafHash} (default receipts-<id>.jsonl)')
    .option('--keys <dir>', 'keys directory (default ./keys)')
    .option('--broker <url>', 'broker URL')
    .option('--config <file>', 'config file')
    .option('--json', 'print machine-readable output')
    .action(async (flags: ReceiptFlags) => {
      const config = loadConfig(flags);
      const file = flags.receipts ?? `receipts-${flags.member}.jsonl`;
      const checks = await verifyMemberReceipts(config.keysDir, flags.member, config.broker.url, file);
      if (flags.json) printJson(checks);
      else for (const c of checks) printLine(`${c.ok ? 'ok  ' : 'FAIL'} entry ${c.index}: ${c.message}`);
      if (checks.some((c) => !c.ok)) process.exitCode = EXIT.FINDINGS;
    });
  return new Command('receipts').description('your log receipts').addCommand(verify);
}
