/**
 * `blindbroker token-authority …` (DESIGN §1, §2): the RFC 9497 OPRF token authority, run apart from
 * the broker. Thin adapters over src/token-authority/: `serve` (prints its URL when ready, stops
 * cleanly on SIGINT/SIGTERM), `keygen` (keys for a keys dir made before the authority had its own),
 * `rotate` (a new epoch; the old ones stay evaluable for the grace window).
 */
import { Command } from 'commander';
import { BrokerError } from '../errors.js';
import { loadConsortium } from '../keys/load.js';
import {
  createTokenAuthorityKeys,
  DEFAULT_GRACE_DAYS,
  rotateOprfKeys,
} from '../token-authority/key-files.js';
import { startTokenAuthority } from '../token-authority/server.js';
import { printJson, printLine } from './output.js';

interface Flags {
  keys?: string;
  host?: string;
  port?: string;
  rate?: string;
  burst?: string;
  quota?: string;
  maxBatch?: string;
  threads?: string;
  graceDays?: string;
  json?: boolean;
}

function number(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new BrokerError('BAD_FLAG', `${flag} must be a number ≥ ${min}`, { field: flag });
  }
  return n;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

function serve(): Command {
  return new Command('serve')
    .description('evaluate blinded identifiers for members over mutual TLS (RFC 9497 VOPRF)')
    .option('--keys <dir>', 'keys directory', 'keys')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8444')
    .option('--rate <n>', 'evaluations per second per member')
    .option('--burst <n>', 'largest burst per member')
    .option('--quota <n>', 'evaluations per member per UTC day')
    .option('--max-batch <n>', 'elements per request')
    .option('--threads <n>', 'evaluation threads (default: one per core)')
    .option('--json', 'print machine-readable output')
    .action(async (flags: Flags) => {
      const limits = {
        ...(flags.rate ? { ratePerSecond: number(flags.rate, '--rate', 1) } : {}),
        ...(flags.burst ? { burst: number(flags.burst, '--burst', 1) } : {}),
        ...(flags.quota ? { dailyQuota: number(flags.quota, '--quota', 1) } : {}),
      };
      const maxBatch = number(flags.maxBatch, '--max-batch', 1);
      const threads = number(flags.threads, '--threads', 0);
      const authority = await startTokenAuthority({
        keysDir: flags.keys ?? 'keys',
        host: flags.host ?? '127.0.0.1',
        port: number(flags.port, '--port', 0) ?? 8444,
        limits,
        ...(maxBatch === undefined ? {} : { maxBatch }),
        ...(threads === undefined ? {} : { threads }),
      });
      if (flags.json) printJson({ url: authority.url, port: authority.port });
      else printLine(`blindbroker token authority listening on ${authority.url}`);
      await untilSignal();
      await authority.stop();
    });
}

function keygen(): Command {
  return new Command('keygen')
    .description('make the authority’s OPRF and counter keys in an existing keys directory')
    .option('--keys <dir>', 'keys directory', 'keys')
    .option('--json', 'print machine-readable output')
    .action(async (flags: Flags) => {
      const dir = flags.keys ?? 'keys';
      const consortium = await loadConsortium(dir);
      await createTokenAuthorityKeys(dir, consortium.name, consortium.epoch);
      if (flags.json) printJson({ epoch: consortium.epoch });
      else printLine(`token authority keys made for epoch ${consortium.epoch}`);
    });
}

function rotate(): Command {
  return new Command('rotate')
    .description('start a new OPRF key epoch; older epochs stay evaluable for the grace window')
    .option('--keys <dir>', 'keys directory', 'keys')
    .option('--grace-days <n>', 'days the previous epoch stays evaluable', String(DEFAULT_GRACE_DAYS))
    .option('--json', 'print machine-readable output')
    .action(async (flags: Flags) => {
      const graceDays = number(flags.graceDays, '--grace-days', 0) ?? DEFAULT_GRACE_DAYS;
      const epoch = await rotateOprfKeys(flags.keys ?? 'keys', graceDays);
      if (flags.json) printJson({ epoch, graceDays });
      else printLine(`token authority now at epoch ${epoch}; earlier epochs retire in ${graceDays} days`);
    });
}

export function tokenAuthorityCommand(): Command {
  return new Command('token-authority')
    .description('the OPRF token authority (oprf tokenizer mode), operated apart from the broker')
    .addCommand(serve())
    .addCommand(keygen())
    .addCommand(rotate());
}
