/**
 * `blindbroker keys verify` (DESIGN §7): every check a party's deployment depends on, run over the
 * whole keys/ directory and reported as findings rather than stopping at the first. Certificates:
 * chain to the CA, in date, not revoked, role/id/purpose match their place, fingerprints match
 * consortium.json, keys match and are 0600. Secrets: every member unwraps the same token secret
 * (compared by SHA-256, never shown); the log and witness key pairs match their published halves.
 */
import { promises as fs } from 'node:fs';
import { sha256 } from '../crypto/hash.js';
import { describeCertificate, keyMatchesCertificate, verifyCertificateChain } from '../crypto/pki.js';
import type { CertPurpose, PartyRole } from '../crypto/pki.js';
import { isBrokerError } from '../errors.js';
import { fromBase64url, toBase64url, toHex } from '../util/bytes.js';
import { exists, PRIVATE_FILE_MODE, readJsonFile, readKeyFile } from './files.js';
import * as layout from './layout.js';
import { loadConsortium, readNoteKeyPair, unwrapTokenSecret } from './load.js';
import type { Consortium } from './load.js';
import { loadRevocationList } from './revocation.js';

export interface Finding {
  code: string;
  path: string;
  message: string;
}

export interface CheckedCertificate {
  role: PartyRole;
  id: string;
  purpose: string;
  serial: string;
  fingerprint: string;
  notAfter: string;
}

export interface VerifyReport {
  ok: boolean;
  dir: string;
  consortium?: string;
  caKeyOnline: boolean;
  certificates: CheckedCertificate[];
  findings: Finding[];
}

interface ExpectedCert {
  role: PartyRole;
  id: string;
  purposes: CertPurpose[];
  cert: string;
  key: string;
  fingerprint: string;
}

class Findings {
  readonly list: Finding[] = [];

  add(code: string, path: string, message: string): void {
    this.list.push({ code, path, message });
  }

  /** Runs a check; a BrokerError becomes a finding (its code, its path when it names one). */
  async attempt<T>(path: string, check: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await check();
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      const named = err.details?.['path'];
      this.add(err.code, typeof named === 'string' ? named : path, err.message);
      return undefined;
    }
  }
}

function expectedCertificates(dir: string, c: Consortium): ExpectedCert[] {
  const broker = layout.brokerPaths(dir);
  const ta = layout.tokenAuthorityPaths(dir);
  return [
    { role: 'broker', id: c.broker.id, purposes: ['tls-server'], ...broker, fingerprint: c.broker.tlsFingerprint },
    {
      role: 'token-authority',
      id: c.tokenAuthority.id,
      purposes: ['tls-server', 'tls-client'],
      ...ta,
      fingerprint: c.tokenAuthority.tlsFingerprint,
    },
    ...c.members.flatMap((m): ExpectedCert[] => {
      const p = layout.memberPaths(dir, m.id);
      return [
        { role: 'member', id: m.id, purposes: ['tls-client'], cert: p.cert, key: p.key, fingerprint: m.tlsFingerprint },
        { role: 'member', id: m.id, purposes: ['signing'], cert: p.signCert, key: p.signKey, fingerprint: m.signFingerprint },
        { role: 'member', id: m.id, purposes: ['encryption'], cert: p.encCert, key: p.encKey, fingerprint: m.encFingerprint },
      ];
    }),
    ...c.auditors.flatMap((a): ExpectedCert[] => {
      const p = layout.auditorPaths(dir, a.id);
      return [
        { role: 'auditor', id: a.id, purposes: ['tls-client'], cert: p.cert, key: p.key, fingerprint: a.tlsFingerprint },
        { role: 'auditor', id: a.id, purposes: ['signing'], cert: p.signCert, key: p.signKey, fingerprint: a.signFingerprint },
      ];
    }),
    ...c.operators.map((o): ExpectedCert => {
      const p = layout.operatorPaths(dir, o.id);
      return { role: 'operator', id: o.id, purposes: ['tls-client'], cert: p.cert, key: p.key, fingerprint: o.tlsFingerprint };
    }),
  ];
}

async function checkCertificate(
  f: Findings,
  e: ExpectedCert,
  context: { caCertPem: string; consortium: string; revoked: Set<string>; at: Date },
): Promise<CheckedCertificate | undefined> {
  const certPem = await f.attempt(e.cert, () => readKeyFile(e.cert));
  if (certPem === undefined) return undefined;
  const d = await f.attempt(e.cert, () => describeCertificate(certPem));
  if (!d) return undefined;
  await f.attempt(e.cert, () => verifyCertificateChain(certPem, context.caCertPem, { at: context.at, revokedSerials: context.revoked }));
  if (d.role !== e.role || d.id !== e.id || d.consortium !== context.consortium) {
    f.add('KEYS_WRONG_PLACE', e.cert, `certificate names ${d.role}:${d.id} of ${d.consortium}, expected ${e.role}:${e.id} of ${context.consortium}`);
  }
  if (d.purposes.join('+') !== e.purposes.join('+')) {
    f.add('KEYS_WRONG_PURPOSE', e.cert, `certificate is for ${d.purposes.join('+') || 'nothing'}, expected ${e.purposes.join('+')}`);
  }
  if (d.fingerprint !== e.fingerprint) f.add('KEYS_FINGERPRINT', e.cert, 'fingerprint differs from consortium.json');
  const keyPem = await f.attempt(e.key, () => readKeyFile(e.key));
  if (keyPem !== undefined && (await f.attempt(e.key, () => keyMatchesCertificate(keyPem, certPem))) === false) {
    f.add('KEYS_MISMATCH', e.key, `private key does not match ${e.cert}`);
  }
  if (keyPem !== undefined) await checkPrivateMode(f, e.key);
  return { role: e.role, id: e.id, purpose: e.purposes.join('+'), serial: d.serial, fingerprint: d.fingerprint, notAfter: d.notAfter.toISOString() };
}

async function checkPrivateMode(f: Findings, file: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return;
  const mode = stat.mode & 0o777;
  if ((mode & ~PRIVATE_FILE_MODE) !== 0) {
    f.add('KEYS_PERMISSIONS', file, `mode ${mode.toString(8)} lets others read a private key; chmod 600`);
  }
}

async function checkTokenSecrets(f: Findings, dir: string, c: Consortium): Promise<void> {
  const digests = new Map<string, string>();
  for (const m of c.members) {
    const file = layout.memberPaths(dir, m.id).tokenSecret;
    const unwrapped = await f.attempt(file, () => unwrapTokenSecret(dir, m.id));
    if (!unwrapped) continue;
    if (unwrapped.consortiumId !== c.consortiumId || unwrapped.epoch !== c.epoch) {
      f.add('KEYS_TOKEN_SECRET', file, 'consortiumId or epoch differs from consortium.json');
    }
    digests.set(m.id, toHex(sha256(unwrapped.secret)));
    unwrapped.secret.fill(0);
    await checkPrivateMode(f, file);
  }
  if (new Set(digests.values()).size > 1) {
    const [first] = digests.values();
    for (const [id, digest] of digests) {
      if (digest !== first) f.add('KEYS_TOKEN_SECRET', layout.memberPaths(dir, id).tokenSecret, `member ${id} holds a different token secret`);
    }
  }
}

async function checkNoteKeys(f: Findings, dir: string, c: Consortium): Promise<void> {
  const broker = layout.brokerPaths(dir);
  const logKey = await f.attempt(broker.logKey, () => readNoteKeyPair(broker.logKey));
  const pub = (await f.attempt(broker.logKeyPub, () => readJsonFile(broker.logKeyPub))) as { name?: unknown; publicKey?: unknown } | undefined;
  if (logKey) {
    const published = `${logKey.name} ${toBase64url(logKey.publicKey)}`;
    if (pub && `${String(pub.name)} ${String(pub.publicKey)}` !== published) f.add('KEYS_LOG_KEY', broker.logKeyPub, 'log-key.pub does not match log-key.json');
    if (`${c.logKey.name} ${c.logKey.publicKey}` !== published) f.add('KEYS_LOG_KEY', broker.logKey, 'consortium.json logKey does not match log-key.json');
    if (logKey.name !== layout.logOrigin(c.name)) f.add('KEYS_LOG_KEY', broker.logKey, `log origin should be ${layout.logOrigin(c.name)}`);
    await checkPrivateMode(f, broker.logKey);
  }
  await f.attempt(broker.indexKey, async () => {
    const index = (await readJsonFile(broker.indexKey)) as { alg?: unknown; key?: unknown } | null;
    if (index?.alg !== 'HMAC-SHA256' || typeof index.key !== 'string') {
      f.add('KEYS_MALFORMED', broker.indexKey, 'expected {alg: "HMAC-SHA256", key}');
    } else {
      fromBase64url(index.key, 32);
    }
  });
  await checkPrivateMode(f, broker.indexKey);
  for (const a of c.auditors) {
    const file = layout.auditorPaths(dir, a.id).witnessKey;
    const witness = await f.attempt(file, () => readNoteKeyPair(file));
    if (witness && toBase64url(witness.publicKey) !== a.witnessKey.publicKey) {
      f.add('KEYS_WITNESS_KEY', file, 'witness key differs from consortium.json');
    }
  }
}

/** Checks a keys/ directory and lists what is wrong. Throws only on I/O errors other than missing files. */
export async function verifyKeys(dir: string, options: { at?: Date } = {}): Promise<VerifyReport> {
  const at = options.at ?? new Date();
  const f = new Findings();
  const ca = layout.caPaths(dir);
  const caKeyOnline = await exists(ca.key);
  const report = (consortium?: string, certificates: CheckedCertificate[] = []): VerifyReport => ({
    ok: f.list.length === 0,
    dir,
    ...(consortium ? { consortium } : {}),
    caKeyOnline,
    certificates,
    findings: f.list,
  });
  const c = await f.attempt(layout.consortiumPath(dir), () => loadConsortium(dir));
  const caCertPem = await f.attempt(ca.cert, () => readKeyFile(ca.cert));
  if (!c || caCertPem === undefined) return report(c?.name);
  const caCert = await f.attempt(ca.cert, () => verifyCertificateChain(caCertPem, caCertPem, { at }));
  if (!caCert) return report(c.name);
  if (caCert.fingerprint !== c.caFingerprint) f.add('KEYS_FINGERPRINT', ca.cert, 'CA fingerprint differs from consortium.json');
  if (caKeyOnline) {
    const caKey = await f.attempt(ca.key, () => readKeyFile(ca.key));
    if (caKey !== undefined && !keyMatchesCertificate(caKey, caCertPem)) f.add('KEYS_MISMATCH', ca.key, 'CA key does not match the CA certificate');
    await checkPrivateMode(f, ca.key);
  }
  const revoked = (await f.attempt(ca.revoked, () => loadRevocationList(dir))) ?? new Set<string>();
  const context = { caCertPem, consortium: c.name, revoked, at };
  const certificates: CheckedCertificate[] = [];
  for (const expected of expectedCertificates(dir, c)) {
    const checked = await checkCertificate(f, expected, context);
    if (checked) certificates.push(checked);
  }
  await checkTokenSecrets(f, dir, c);
  await checkNoteKeys(f, dir, c);
  return report(c.name, certificates);
}
