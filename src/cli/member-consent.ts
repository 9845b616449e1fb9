/**
 * `blindbroker member consent grant|pause|resume|revoke|list` (DESIGN §4): the borrower's
 * identifiers are tokenized locally; the artefact names them only by a salted commitment and is
 * signed with the member's signing key; the tokens travel beside it. Pause, resume and revoke are
 * signed requests. Every write prints its log receipt.
 */
import { Command } from 'commander';
import { MemberClient } from '../client/member-client.js';
import { keepReceipt } from '../member/receipts-file.js';
import { loadConfig } from '../config/load.js';
import { buildConsent } from '../consent/artefact.js';
import { FREQUENCY_UNITS } from '../consent/purposes.js';
import type { FrequencyUnit } from '../consent/purposes.js';
import { randomId } from '../crypto/random.js';
import { BrokerError } from '../errors.js';
import { loadMemberIdentity } from '../keys/load.js';
import { signObject } from '../signing/signed-object.js';
import { borrowerIdentifiers, memberTokenizer, tokensOf } from './member-identity.js';
import type { BorrowerFlags } from './member-identity.js';
import { printJson, printLine } from './output.js';

const DAY_MS = 86_400_000;

interface CommonFlags {
  member: string;
  receipts?: string;
  json?: boolean;
  broker?: string;
  keys?: string;
  config?: string;
}

interface GrantFlags extends CommonFlags, BorrowerFlags {
  purpose: string;
  groups: string;
  sources: string;
  expires: string;
  frequency: string;
  dataLife: string;
  evidence: string;
  txn?: string;
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--member <id>', 'your member id')
    .option('--json', 'print JSON')
    .option('--receipts <file>', 'append log receipts here (default receipts-<member>.jsonl)')
    .option('--broker <url>', 'broker URL')
    .option('--keys <dir>', 'keys directory')
    .option('--config <file>', 'config file');
}

/** "5/MONTH" → {unit, value}. Throws USAGE. */
function frequencyOf(text: string): { unit: FrequencyUnit; value: number } {
  const [value, unit] = text.split('/');
  if (!(FREQUENCY_UNITS as readonly string[]).includes(unit ?? '') || !/^\d{1,5}$/.test(value ?? '')) {
    throw new BrokerError('USAGE', '--frequency must look like 5/MONTH (units DAY, MONTH, YEAR)');
  }
  return { unit: unit as FrequencyUnit, value: Number(value) };
}

async function withClient<T>(
  flags: CommonFlags,
  run: (client: MemberClient, keysDir: string) => Promise<T>,
): Promise<T> {
  const config = loadConfig(flags);
  const client = await MemberClient.fromKeys(config.keysDir, flags.member, config.broker.url);
  try {
    return await run(client, config.keysDir);
  } finally {
    client.close();
  }
}

function grantCommand(): Command {
  return common(new Command('grant'))
    .description("register a borrower's consent (tokenized and signed here)")
    .requiredOption('--purpose <code>', 'purpose code from the purpose registry')
    .option('--id-number <value>', "the borrower's resident ID")
    .option('--phone <value>', "the borrower's phone number")
    .option('--name <value>', "the borrower's name")
    .option('--groups <list>', 'field groups, comma-separated', 'status,amounts')
    .option('--sources <list>', 'member ids, comma-separated, or *', '*')
    .option('--expires <days>', 'days until the consent expires', '30')
    .option('--frequency <n/UNIT>', 'uses per calendar interval', '1/MONTH')
    .option('--data-life <days>', 'days the released data may be kept', '30')
    .requiredOption('--evidence <sha256>', "SHA-256 (hex) of the borrower's signed form, which you keep")
    .option('--txn <id>', 'your transaction reference (never an identifier)')
    .action(async (flags: GrantFlags) =>
      withClient(flags, async (client, keysDir) => {
        const tokenizer = await memberTokenizer(keysDir, flags.member);
        const now = Date.now();
        const { body, opening } = buildConsent({
          requester: flags.member,
          purpose: flags.purpose,
          subject: { epoch: tokenizer.epoch, tokens: tokensOf(tokenizer, borrowerIdentifiers(flags)) },
          dataGroups: flags.groups.split(',').map((g) => g.trim()),
          sources: flags.sources === '*' ? '*' : flags.sources.split(',').map((s) => s.trim()),
          consentStart: new Date(now),
          consentExpiry: new Date(now + Number(flags.expires) * DAY_MS),
          frequency: frequencyOf(flags.frequency),
          dataLifeDays: Number(flags.dataLife),
          evidenceDigest: flags.evidence,
          txnId: flags.txn ?? `txn-${randomId()}`,
        });
        const identity = await loadMemberIdentity(keysDir, flags.member);
        const out = await client.grantConsent(signObject('consent.grant', body, identity), opening);
        await keepReceipt(
          { file: flags.receipts, member: flags.member },
          out.receipt,
          'consent.granted',
          out.consentId,
        );
        if (flags.json) printJson(out);
        else
          printLine(
            `consent ${out.consentId} granted (log index ${(out.receipt as { index: number }).index})`,
          );
      }),
    );
}

function changeCommand(action: 'pause' | 'resume' | 'revoke'): Command {
  return common(new Command(action))
    .description(`${action} a consent (a signed request)`)
    .argument('<consentId>')
    .option('--reason <code>', 'BORROWER_REQUEST, LOAN_DECLINED, LOAN_CLOSED, DISPUTE, …')
    .action(async (consentId: string, flags: CommonFlags & { reason?: string }) =>
      withClient(flags, async (client, keysDir) => {
        const identity = await loadMemberIdentity(keysDir, flags.member);
        const request = signObject(
          `consent.${action}`,
          {
            consentId,
            requestId: randomId(),
            at: new Date().toISOString(),
            ...(flags.reason ? { reason: flags.reason } : {}),
          },
          identity,
        );
        const out = await client.changeConsent(consentId, action, request);
        await keepReceipt(
          { file: flags.receipts, member: flags.member },
          (out as { receipt?: unknown }).receipt,
          `consent.${action}d`,
          consentId,
        );
        if (flags.json) printJson(out);
        else printLine(`consent ${consentId}: ${out.status}`);
      }),
    );
}

function listCommand(): Command {
  return common(new Command('list'))
    .description('your consents with state and usage')
    .action(async (flags: CommonFlags) =>
      withClient(flags, async (client) => {
        const consents = (await client.listConsents()) as Array<Record<string, unknown>>;
        if (flags.json) {
          printJson(consents);
          return;
        }
        for (const c of consents) {
          const usage = c.usage as { count: number; total: number; lastUsedAt: string | null };
          printLine(
            `${String(c.consentId)}  ${String(c.purpose)}  ${String(c.status)}  used ${usage.total} (last ${usage.lastUsedAt ?? 'never'})  expires ${String(c.consentExpiry)}`,
          );
        }
      }),
    );
}

export function memberConsentCommand(): Command {
  return new Command('consent')
    .description('borrower consents: grant, pause, resume, revoke, list')
    .addCommand(grantCommand())
    .addCommand(changeCommand('pause'))
    .addCommand(changeCommand('resume'))
    .addCommand(changeCommand('revoke'))
    .addCommand(listCommand());
}
