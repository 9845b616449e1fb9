/**
 * `blindbroker audit …` (issue 6, DESIGN §5): `verify` checks the log without trusting the broker
 * and keeps its state only when clean; `cosign` witnesses the latest checkpoint. Thin adapters onto
 * src/audit. Exit 0 when clean, 1 with findings (each printed with its entry index and rule).
 */
import { Command } from 'commander';
import { cosignLatest } from '../audit/cosign.js';
import { runAudit } from '../audit/run.js';
import { summaryText } from '../audit/summary.js';
import { loadConfig } from '../config/load.js';
import { EXIT, printJson, printLine } from './output.js';
import { progressBar } from './progress.js';

interface AuditFlags {
  auditor: string;
  keys?: string;
  broker?: string;
  config?: string;
  state?: string;
  report?: string;
  json?: boolean;
}

const stateFile = (flags: AuditFlags): string => flags.state ?? `audit-state-${flags.auditor}.json`;

function withCommon(command: Command): Command {
  return command
    .requiredOption('--auditor <id>', 'your auditor id (keys/auditors/<id>)')
    .option('--keys <dir>', 'keys directory (default ./keys)')
    .option('--broker <url>', 'broker URL')
    .option('--config <file>', 'config file')
    .option('--state <file>', 'audit state file (default audit-state-<id>.json)')
    .option('--json', 'print machine-readable output');
}

function verifyCommand(): Command {
  return withCommon(new Command('verify'))
    .description('verify the checkpoint, consistency, every new entry and the consent rules')
    .option('--report <file.html>', 'also write a self-contained HTML report')
    .action(async (flags: AuditFlags) => {
      const config = loadConfig(flags);
      const bar = progressBar('audit', flags.json === true);
      const { outcome, summary, saved } = await runAudit({
        keysDir: config.keysDir,
        auditorId: flags.auditor,
        brokerUrl: config.broker.url,
        statePath: stateFile(flags),
        ...(flags.report ? { reportPath: flags.report } : {}),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      if (flags.json) printJson({ ...summary, stateSaved: saved });
      else {
        printLine(summaryText(summary));
        printLine(saved ? `state saved to ${stateFile(flags)}` : 'state NOT saved (findings)');
      }
      if (outcome.findings.length > 0) process.exitCode = EXIT.FINDINGS;
    });
}

function cosignCommand(): Command {
  return withCommon(new Command('cosign'))
    .description('verify consistency with the kept checkpoint, cosign the latest one and send it')
    .action(async (flags: AuditFlags) => {
      const config = loadConfig(flags);
      const { size, note } = await cosignLatest({
        keysDir: config.keysDir,
        auditorId: flags.auditor,
        brokerUrl: config.broker.url,
        statePath: stateFile(flags),
      });
      if (flags.json) printJson({ size, note });
      else printLine(`cosigned the checkpoint of size ${size}`);
    });
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('auditor: verify the transparency log and witness its checkpoints')
    .addCommand(verifyCommand())
    .addCommand(cosignCommand());
}
