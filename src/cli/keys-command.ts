/**
 * `blindbroker keys init|verify|revoke` (DESIGN §7): thin adapters over src/keys/. The CA key is used
 * by init and revoke only; in production keep ca/key.pem offline and run those where it lives.
 */
import { Command, Option } from 'commander';
import { DEFAULT_VALIDITY_DAYS } from '../crypto/pki.js';
import { BrokerError } from '../errors.js';
import { initKeys } from '../keys/init.js';
import { revokeCertificates } from '../keys/revocation.js';
import { verifyKeys } from '../keys/verify.js';
import { EXIT, printJson, printLine } from './output.js';

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 36500) {
    throw new BrokerError('KEYS_BAD_DAYS', `--days ${value} is not a whole number of days from 1 to 36500`, {
      field: 'days',
    });
  }
  return n;
}

interface InitFlags {
  dir: string;
  consortium: string;
  members: string[];
  auditors: string[];
  operators: string[];
  days: string;
  force: boolean;
  json: boolean;
  tokenizer: 'hmac' | 'oprf';
}

function initCommand(): Command {
  return new Command('init')
    .description(
      'create a development consortium: CA, party certificates, broker keys, wrapped token secrets',
    )
    .option('--dir <dir>', 'keys directory', 'keys')
    .option('--consortium <name>', 'consortium name', 'demo')
    .option('--members <ids>', 'comma-separated member ids', list, ['tencent', 'ant', 'didi', 'baihe'])
    .option('--auditors <ids>', 'comma-separated auditor ids', list, ['cbirc'])
    .option('--operators <ids>', 'comma-separated operator ids', list, ['ops'])
    .option('--days <days>', 'validity of party certificates', String(DEFAULT_VALIDITY_DAYS))
    .option('--force', 'replace an existing consortium in --dir (its keys are deleted)', false)
    .addOption(
      new Option(
        '--tokenizer <mode>',
        "the consortium's tokenizer: hmac (shared secret) or oprf (token authority)",
      )
        .choices(['hmac', 'oprf'])
        .default('hmac'),
    )
    .option('--json', 'print JSON', false)
    .action(async (flags: InitFlags) => {
      const summary = await initKeys({ ...flags, days: days(flags.days) });
      if (flags.json) return printJson(summary);
      printLine(`consortium ${summary.consortium} (${summary.consortiumId}) created in ${summary.dir}`);
      printLine(`  tokenizer ${summary.tokenizer}`);
      printLine(`  CA fingerprint ${summary.caFingerprint}, valid until ${summary.notAfter}`);
      for (const c of summary.certificates) {
        printLine(`  ${`${c.role}:${c.id}`.padEnd(28)} ${c.purpose.padEnd(22)} serial ${c.serial}`);
      }
      printLine(`  ${summary.certificates.length} certificates in ${summary.elapsedMs} ms`);
      printLine(`  keep ${summary.dir}/ca/key.pem offline: it is needed only to issue and revoke`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('check every certificate, key, token secret and log key in a keys directory')
    .option('--dir <dir>', 'keys directory', 'keys')
    .option('--json', 'print JSON', false)
    .action(async (flags: { dir: string; json: boolean }) => {
      const report = await verifyKeys(flags.dir);
      if (!report.ok) process.exitCode = EXIT.FINDINGS;
      if (flags.json) return printJson(report);
      printLine(
        `${report.dir}: ${report.certificates.length} certificates checked, ${report.findings.length} findings`,
      );
      if (!report.caKeyOnline) printLine('  CA key is offline (fine: verification needs only ca/cert.pem)');
      for (const f of report.findings) printLine(`  ${f.code} ${f.path}: ${f.message}`);
      if (report.ok) printLine('  all good');
    });
}

function revokeCommand(): Command {
  return new Command('revoke')
    .description('add a certificate serial, or every certificate of a party, to the signed revocation list')
    .argument('[serial]', 'certificate serial (hex)')
    .option('--dir <dir>', 'keys directory', 'keys')
    .addOption(new Option('--party <role:id>', 'revoke all certificates of a party, e.g. member:didi'))
    .option('--json', 'print JSON', false)
    .action(async (serial: string | undefined, flags: { dir: string; party?: string; json: boolean }) => {
      if ((serial === undefined) === (flags.party === undefined)) {
        throw new BrokerError('KEYS_BAD_PARTY', 'name exactly one of SERIAL or --party role:id', {
          hint: 'e.g. `blindbroker keys revoke --party member:didi` or `blindbroker keys revoke 4f0c…`',
        });
      }
      const target = serial !== undefined ? { serial } : { party: flags.party ?? '' };
      const { added, list: revoked } = await revokeCertificates(flags.dir, target);
      if (flags.json) return printJson({ added, serials: revoked.serials, issuedAt: revoked.issuedAt });
      printLine(`revoked ${added.length} new serial(s); the list now holds ${revoked.serials.length}`);
      for (const s of added) printLine(`  ${s}`);
    });
}

/** The `keys` command group. */
export function keysCommand(): Command {
  return new Command('keys')
    .description('consortium PKI: create, check and revoke keys and certificates')
    .addCommand(initCommand())
    .addCommand(verifyCommand())
    .addCommand(revokeCommand());
}
