/** The `blindbroker` command line: wires each command group; every command is a thin adapter. */
import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit-command.js';
import { demoCommand } from './demo-command.js';
import { memberCommand } from './member-command.js';
import { serveCommand, workerCommand } from './serve-command.js';
import { keysCommand } from './keys-command.js';
import { EXIT, reportError } from './output.js';
import { synthCommand } from './synth-command.js';
import { tokenAuthorityCommand } from './token-authority-command.js';

export function buildProgram(): Command {
  const program = new Command('blindbroker')
    .description('privacy-preserving credit-data broker: member toolkit, broker service and auditor')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  program.addCommand(keysCommand());
  program.addCommand(memberCommand());
  program.addCommand(synthCommand());
  program.addCommand(demoCommand());
  program.addCommand(serveCommand());
  program.addCommand(workerCommand());
  program.addCommand(tokenAuthorityCommand());
  program.addCommand(auditCommand());
  return program;
}

/** Runs the CLI on argv (process.argv shape) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportError(err, argv.includes('--json'));
  }
}
