/** `blindbroker demo` (also `npm run demo`): the whole system end to end, narrated. */
import { Command, Option } from 'commander';
import { runDemo } from '../demo/run.js';
import { printJson } from './output.js';

interface DemoFlags {
  redis?: string;
  loans?: string;
  keep?: boolean;
  json?: boolean;
  tokenizer: 'hmac' | 'oprf';
}

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'run the whole system on this machine: keys, four lenders, consent, lookup, screening, audit, PII scan',
    )
    .option('--redis <url>', 'Redis to use (default REDIS_URL or redis://127.0.0.1:6379)')
    .option('--loans <n>', 'loans per member (default 1500)')
    .option('--keep', 'keep the temporary folder (keys, CSVs, batches) and print its path')
    .option('--json', 'print one JSON report instead of the narration')
    .addOption(
      new Option('--tokenizer <mode>', 'hmac (shared consortium secret) or oprf (in-process token authority)')
        .choices(['hmac', 'oprf'])
        .default('hmac'),
    )
    .action(async (flags: DemoFlags) => {
      const result = await runDemo({
        redisUrl: flags.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        loansPerMember: Number(flags.loans ?? 1500),
        json: flags.json === true,
        keep: flags.keep === true,
        tokenizer: flags.tokenizer,
      });
      if (flags.json) printJson(result);
      if (!result.ok) process.exitCode = 1;
    });
}
