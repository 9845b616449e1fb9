/**
 * `blindbroker member query` (DESIGN §6 `match`): tokenizes the borrower locally, asks the broker
 * under a consent, and opens the released groups locally with the identifiers the member itself
 * holds (src/envelope/open.ts); the broker never sees an identifier or a plaintext.
 */
import { Command } from 'commander';
import { MemberClient } from '../client/member-client.js';
import { loadConfig } from '../config/load.js';
import { openEnvelope } from '../envelope/open.js';
import type { GroupFields } from '../envelope/format.js';
import { isBrokerError } from '../errors.js';
import type { MatchResult } from '../match/lookup.js';
import type { IdentifierType } from '../normalize/schema.js';
import { borrowerIdentifiers, memberTokenizer, tokensOf } from './member-identity.js';
import type { BorrowerFlags } from './member-identity.js';
import { printJson, printLine } from './output.js';

interface QueryFlags extends BorrowerFlags {
  member: string;
  consent: string;
  groups: string;
  wait: string;
  json?: boolean;
  broker?: string;
  keys?: string;
  config?: string;
}

interface OpenedRow {
  owner: string;
  recordId: string;
  matchedOn: string[];
  state: string;
  groups: Record<string, GroupFields>;
  error?: string;
}

export function memberQueryCommand(): Command {
  return new Command('query')
    .description("look up a consenting borrower's loans at other members and open them locally")
    .requiredOption('--member <id>', 'your member id')
    .requiredOption('--consent <id>', 'the consent id (member consent grant)')
    .option('--id-number <value>', "the borrower's resident ID")
    .option('--phone <value>', "the borrower's phone number")
    .option('--name <value>', "the borrower's name")
    .option('--groups <list>', 'field groups wanted, comma-separated', 'status,amounts')
    .option('--wait <seconds>', 'how long to wait for the answer', '20')
    .option('--json', 'print JSON')
    .option('--broker <url>', 'broker URL')
    .option('--keys <dir>', 'keys directory')
    .option('--config <file>', 'config file')
    .action(async (flags: QueryFlags) => {
      const config = loadConfig(flags);
      const ids = borrowerIdentifiers(flags);
      const tokenizer = await memberTokenizer(config.keysDir, flags.member);
      const client = await MemberClient.fromKeys(config.keysDir, flags.member, config.broker.url);
      try {
        const result = (await client.match(
          {
            consentId: flags.consent,
            tokens: tokensOf(tokenizer, ids),
            groups: flags.groups.split(',').map((g) => g.trim()),
          },
          Number(flags.wait),
        )) as MatchResult | { jobId: string };
        if (!('released' in result)) {
          printLine(`the lookup is still running: job ${result.jobId}`);
          return;
        }
        const rows: OpenedRow[] = result.released.map((r) => {
          const type = r.matchedOn.find((t) => ids[t] !== undefined) as IdentifierType | undefined;
          const row = {
            owner: r.owner,
            recordId: r.recordId,
            matchedOn: r.matchedOn,
            state: r.meta.state,
            groups: {},
          };
          if (type === undefined) return { ...row, error: 'no identifier to open with' };
          try {
            const sealKey = tokenizer.tokenize(type, ids[type] ?? '').sealKey;
            return { ...row, groups: openEnvelope(r.envelope, { type, sealKey }).groups };
          } catch (err) {
            return { ...row, error: isBrokerError(err) ? err.code : 'OPEN_FAILED' };
          }
        });
        if (flags.json) {
          printJson({ jobId: result.jobId, consentId: result.consentId, query: result.query, records: rows });
          return;
        }
        printLine(`${rows.length} record(s) released under consent ${result.consentId} (${result.purpose})`);
        printLine(['owner', 'record', 'matched on', 'state', 'groups'].join('\t'));
        for (const row of rows) {
          const groups = row.error
            ? `(${row.error})`
            : Object.entries(row.groups)
                .map(
                  ([g, f]) =>
                    `${g}: ${Object.entries(f)
                      .map(([k, v]) => `${k}=${String(v)}`)
                      .join(' ')}`,
                )
                .join('; ');
          printLine([row.owner, row.recordId, row.matchedOn.join('+'), row.state, groups].join('\t'));
        }
      } finally {
        client.close();
      }
    });
}
