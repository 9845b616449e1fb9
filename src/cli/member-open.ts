/**
 * `blindbroker member open`: decrypt a prepared or released record with one identifier (DESIGN §3),
 * tokenized in the consortium's mode (hmac, or oprf through the token authority).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { BrokerError } from '../errors.js';
import { findRecordLine, openRecordLine } from '../member/open-record.js';
import type { IdentifierType } from '../normalize/index.js';
import { openMemberTokenizer } from '../tokenize/member-tokenizer.js';
import { printJson, printLine } from './output.js';
import { tokenizerMode, withTokenizerFlags, type TokenizerFlags } from './tokenizer-flags.js';

function epochOf(value: string): number {
  const epoch = Number(value);
  if (!Number.isSafeInteger(epoch) || epoch < 1) {
    throw new BrokerError('USAGE', `--epoch ${value} is not a positive whole number`, { field: 'epoch' });
  }
  return epoch;
}

interface OpenFlags extends TokenizerFlags {
  epoch?: number;
  member: string;
  batch?: string;
  recordId?: string;
  line?: string;
  idNumber?: string;
  phone?: string;
  name?: string;
  keys?: string;
  config?: string;
  json?: boolean;
}

function chosenIdentifier(flags: OpenFlags): [IdentifierType, string] {
  const given: [IdentifierType, string | undefined][] = [
    ['cn_rid', flags.idNumber],
    ['phone', flags.phone],
    ['name', flags.name],
  ];
  const present = given.filter((g): g is [IdentifierType, string] => g[1] !== undefined);
  const first = present[0];
  if (present.length !== 1 || first === undefined) {
    throw new BrokerError('USAGE', 'give exactly one of --id-number, --phone, --name', {
      hint: 'name the borrower once',
    });
  }
  return first;
}

export function memberOpenCommand(): Command {
  const command = new Command('open')
    .description("decrypt a record's sealed groups with one identifier of its borrower")
    .requiredOption('--member <id>', 'the member opening the record')
    .option('--batch <file>', 'a prepared batch holding the record')
    .option('--record-id <id>', 'the record to open in --batch')
    .option('--line <file>', 'a file holding one record line (JSON)')
    .option('--id-number <value>', "the borrower's resident ID")
    .option('--phone <value>', "the borrower's phone number")
    .option('--name <value>', "the borrower's name")
    .option('--epoch <n>', 'oprf mode: the epoch the record was sealed under (default: current)', epochOf);
  return withTokenizerFlags(command)
    .option('--keys <dir>', 'consortium keys directory')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (flags: OpenFlags) => {
      const [type, raw] = chosenIdentifier(flags);
      const config = loadConfig({ config: flags.config, keys: flags.keys });
      let line: unknown;
      if (flags.line !== undefined) line = JSON.parse(readFileSync(flags.line, 'utf8'));
      else if (flags.batch !== undefined && flags.recordId !== undefined)
        line = await findRecordLine(flags.batch, flags.recordId);
      else throw new BrokerError('USAGE', 'give --line FILE, or --batch FILE with --record-id ID');
      const tokenizer = await openMemberTokenizer(config.keysDir, flags.member, {
        mode: await tokenizerMode(config.keysDir, flags),
        threads: 0,
        ...(flags.authority === undefined ? {} : { authorityUrl: flags.authority }),
        ...(flags.epoch === undefined ? {} : { epoch: flags.epoch }),
      });
      const record = await openRecordLine(line, tokenizer, type, raw).finally(() => tokenizer.close());
      if (flags.json) {
        printJson(record);
        return;
      }
      printLine(`record ${record.recordId} of ${record.owner} (${record.schema}), opened with ${type}`);
      for (const [group, fields] of Object.entries(record.groups)) {
        printLine(
          `  ${group}: ${Object.entries(fields)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')}`,
        );
      }
    });
}
