/** `blindbroker member open`: decrypt a prepared or released record with one identifier. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { BrokerError } from '../errors.js';
import { unwrapTokenSecret } from '../keys/load.js';
import { findRecordLine, openRecordLine } from '../member/open-record.js';
import type { IdentifierType } from '../normalize/index.js';
import { HmacTokenizer } from '../tokenize/hmac-tokenizer.js';
import { printJson, printLine } from './output.js';

interface OpenFlags {
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
  return new Command('open')
    .description("decrypt a record's sealed groups with one identifier of its borrower")
    .requiredOption('--member <id>', 'the member opening the record (its token secret is used)')
    .option('--batch <file>', 'a prepared batch holding the record')
    .option('--record-id <id>', 'the record to open in --batch')
    .option('--line <file>', 'a file holding one record line (JSON)')
    .option('--id-number <value>', "the borrower's resident ID")
    .option('--phone <value>', "the borrower's phone number")
    .option('--name <value>', "the borrower's name")
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
      const secret = await unwrapTokenSecret(config.keysDir, flags.member);
      const tokenizer = new HmacTokenizer({
        consortiumSecret: secret.secret,
        consortiumId: secret.consortiumId,
        epoch: secret.epoch,
      });
      const record = openRecordLine(line, tokenizer, type, raw);
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
