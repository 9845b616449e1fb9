/**
 * `blindbroker keys init` (DESIGN §2, §7): a development consortium in one directory. Everything is
 * made in a staging directory beside the target and moved in only when complete, so a failure never
 * leaves half a consortium; `--force` replaces only the entries init owns (LAYOUT_ENTRIES).
 * The token secret exists in clear only in this process's memory, then is wrapped once per member.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateEd25519KeyPair } from '../crypto/ed25519.js';
import { createConsortiumCa, describeCertificate, issueCertificate } from '../crypto/pki.js';
import type { CertificateAuthority, CertPurpose, PartyRole } from '../crypto/pki.js';
import { randomBytes, randomId } from '../crypto/random.js';
import { generateRsaKeyPair } from '../crypto/rsa.js';
import { BrokerError } from '../errors.js';
import { toBase64url } from '../util/bytes.js';
import { DIR_MODE, exists, makePrivateDir, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, writeJsonFile, writeNewFile } from './files.js';
import * as layout from './layout.js';
import { signRevocationList } from './revocation.js';
import { createTokenAuthorityKeys } from '../token-authority/key-files.js';
import { TOKEN_SECRET_BYTES, wrapTokenSecret } from './token-secret.js';

export const CONSORTIUM_SCHEMA = 'cn-credit/1';

export interface InitOptions {
  dir: string;
  consortium: string;
  members: string[];
  auditors: string[];
  operators: string[];
  days: number;
  force: boolean;
  /** The consortium's tokenizer mode written to consortium.json (DESIGN §2); default hmac. */
  tokenizer?: 'hmac' | 'oprf';
}

export interface IssuedCert {
  role: PartyRole;
  id: string;
  purpose: string;
  serial: string;
  fingerprint: string;
}

export interface InitSummary {
  dir: string;
  consortium: string;
  consortiumId: string;
  tokenizer: 'hmac' | 'oprf';
  caFingerprint: string;
  notAfter: string;
  certificates: IssuedCert[];
  elapsedMs: number;
}

function checkIds(ids: string[], what: string): string[] {
  ids.forEach((id) => layout.checkPartyId(id, what));
  if (new Set(ids).size !== ids.length) {
    throw new BrokerError('KEYS_BAD_ID', `${what}s contain a duplicate`, { hint: 'list each id once' });
  }
  return ids;
}

/** Issues certificates and writes key files into one root (the staging directory). */
class Issuer {
  readonly certificates: IssuedCert[] = [];

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly options: InitOptions,
  ) {}

  async issue(
    role: PartyRole,
    id: string,
    purposes: CertPurpose[],
    certFile: string,
    keyFile: string,
  ): Promise<{ certPem: string; fingerprint: string }> {
    const pair = await generateRsaKeyPair();
    const request = { id, role, consortium: this.options.consortium, purposes, publicKeyPem: pair.publicKeyPem };
    const certPem = issueCertificate(this.ca, { ...request, days: this.options.days });
    await makePrivateDir(path.dirname(certFile));
    await writeNewFile(certFile, certPem, PUBLIC_FILE_MODE);
    await writeNewFile(keyFile, pair.privateKeyPem, PRIVATE_FILE_MODE);
    const { serial, fingerprint } = describeCertificate(certPem);
    this.certificates.push({ role, id, purpose: purposes.join('+'), serial, fingerprint });
    return { certPem, fingerprint };
  }
}

/**
 * Creates CA, party certificates and keys, broker keys and wrapped token secrets under `dir`.
 * Throws KEYS_EXIST (an existing consortium, without force), KEYS_BAD_ID, RangeError on bad days.
 */
export async function initKeys(options: InitOptions): Promise<InitSummary> {
  const started = Date.now();
  const consortium = layout.checkPartyId(options.consortium, 'consortium name');
  checkIds(options.members, 'member id');
  checkIds(options.auditors, 'auditor id');
  checkIds(options.operators, 'operator id');
  if (options.members.length === 0) throw new BrokerError('KEYS_BAD_ID', 'a consortium needs at least one member');
  if ((await exists(layout.consortiumPath(options.dir))) || (await exists(layout.caPaths(options.dir).dir))) {
    if (!options.force) {
      throw new BrokerError('KEYS_EXIST', `${options.dir} already holds a consortium`, {
        hint: 'pass --force to replace it (its keys and certificates are deleted), or choose another --dir',
        details: { dir: options.dir },
      });
    }
  }
  await fs.mkdir(options.dir, { recursive: true, mode: DIR_MODE });
  const stage = await fs.mkdtemp(path.join(options.dir, '.init-'));
  try {
    const summary = await build(stage, { ...options, consortium });
    if (options.force) {
      for (const entry of layout.LAYOUT_ENTRIES) await fs.rm(path.join(options.dir, entry), { recursive: true, force: true });
    }
    for (const entry of layout.LAYOUT_ENTRIES) await fs.rename(path.join(stage, entry), path.join(options.dir, entry));
    return { ...summary, dir: options.dir, elapsedMs: Date.now() - started };
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}

async function build(root: string, options: InitOptions): Promise<Omit<InitSummary, 'dir' | 'elapsedMs'>> {
  const { consortium } = options;
  const tokenizer = options.tokenizer ?? 'hmac';
  const caFiles = layout.caPaths(root);
  const caPair = await generateRsaKeyPair();
  const caCertPem = createConsortiumCa({ consortium, ...caPair });
  const ca = { certPem: caCertPem, keyPem: caPair.privateKeyPem };
  const caCert = describeCertificate(caCertPem);
  for (const entry of layout.LAYOUT_ENTRIES.filter((e) => !e.endsWith('.json'))) {
    await makePrivateDir(path.join(root, entry));
  }
  await writeNewFile(caFiles.cert, caCertPem, PUBLIC_FILE_MODE);
  await writeNewFile(caFiles.key, caPair.privateKeyPem, PRIVATE_FILE_MODE);
  await writeJsonFile(caFiles.revoked, signRevocationList(ca, []), PUBLIC_FILE_MODE);

  const issuer = new Issuer(ca, options);
  const consortiumId = randomId();
  const epoch = 1;
  const tokenSecret = randomBytes(TOKEN_SECRET_BYTES);
  const logKey = generateEd25519KeyPair();
  const logKeyPub = { name: layout.logOrigin(consortium), publicKey: toBase64url(logKey.publicKey) };

  const broker = layout.brokerPaths(root);
  const tokenAuthority = layout.tokenAuthorityPaths(root);
  try {
    const [brokerTls, taTls, members, auditors, operators] = await Promise.all([
      issuer.issue('broker', layout.BROKER_ID, ['tls-server'], broker.cert, broker.key),
      issuer.issue('token-authority', layout.TOKEN_AUTHORITY_ID, ['tls-server', 'tls-client'], tokenAuthority.cert, tokenAuthority.key),
      Promise.all(
        options.members.map(async (id) => {
          const p = layout.memberPaths(root, id);
          const [tls, sign, enc] = await Promise.all([
            issuer.issue('member', id, ['tls-client'], p.cert, p.key),
            issuer.issue('member', id, ['signing'], p.signCert, p.signKey),
            issuer.issue('member', id, ['encryption'], p.encCert, p.encKey),
          ]);
          const wrapped = wrapTokenSecret(enc.certPem, tokenSecret, { consortium, consortiumId, epoch });
          await writeJsonFile(p.tokenSecret, wrapped, PRIVATE_FILE_MODE);
          return { id, tlsFingerprint: tls.fingerprint, signFingerprint: sign.fingerprint, encFingerprint: enc.fingerprint };
        }),
      ),
      Promise.all(
        options.auditors.map(async (id) => {
          const p = layout.auditorPaths(root, id);
          const [tls, sign] = await Promise.all([
            issuer.issue('auditor', id, ['tls-client'], p.cert, p.key),
            issuer.issue('auditor', id, ['signing'], p.signCert, p.signKey),
          ]);
          const witness = generateEd25519KeyPair();
          const witnessKey = { name: layout.witnessName(consortium, id), publicKey: toBase64url(witness.publicKey) };
          await writeJsonFile(p.witnessKey, { ...witnessKey, secretKey: toBase64url(witness.secretKey) }, PRIVATE_FILE_MODE);
          return { id, tlsFingerprint: tls.fingerprint, signFingerprint: sign.fingerprint, witnessKey };
        }),
      ),
      Promise.all(
        options.operators.map(async (id) => {
          const p = layout.operatorPaths(root, id);
          const tls = await issuer.issue('operator', id, ['tls-client'], p.cert, p.key);
          return { id, tlsFingerprint: tls.fingerprint };
        }),
      ),
    ]);

    await writeJsonFile(broker.indexKey, { alg: 'HMAC-SHA256', key: toBase64url(randomBytes(32)) }, PRIVATE_FILE_MODE);
    await writeJsonFile(broker.logKey, { ...logKeyPub, secretKey: toBase64url(logKey.secretKey) }, PRIVATE_FILE_MODE);
    await writeJsonFile(broker.logKeyPub, logKeyPub, PUBLIC_FILE_MODE);
    await createTokenAuthorityKeys(root, consortium, epoch);
    await writeJsonFile(
      layout.consortiumPath(root),
      {
        name: consortium,
        consortiumId,
        schema: CONSORTIUM_SCHEMA,
        tokenizer,
        epoch,
        createdAt: new Date().toISOString(),
        caFingerprint: caCert.fingerprint,
        broker: { id: layout.BROKER_ID, tlsFingerprint: brokerTls.fingerprint },
        members,
        auditors,
        operators,
        tokenAuthority: { id: layout.TOKEN_AUTHORITY_ID, tlsFingerprint: taTls.fingerprint },
        logKey: logKeyPub,
      },
      PUBLIC_FILE_MODE,
    );
  } finally {
    tokenSecret.fill(0);
    logKey.secretKey.fill(0);
  }
  return {
    consortium,
    consortiumId,
    tokenizer,
    caFingerprint: caCert.fingerprint,
    notAfter: caCert.notAfter.toISOString(),
    certificates: issuer.certificates.sort((a, b) =>
      `${a.role}:${a.id}:${a.purpose}`.localeCompare(`${b.role}:${b.id}:${b.purpose}`),
    ),
  };
}
