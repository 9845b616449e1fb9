/**
 * Shared key material for the keys/ and signing/ suites (DESIGN §7): one consortium made by
 * `initKeys` per test run (RSA key generation dominates its cost), copied for each test that
 * tampers with it, plus a foreign CA that no consortium trusts.
 */
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConsortiumCa, issueCertificate } from '../../src/crypto/pki.js';
import type { CertificateAuthority, CertPurpose, PartyRole } from '../../src/crypto/pki.js';
import { generateRsaKeyPair } from '../../src/crypto/rsa.js';
import { initKeys } from '../../src/keys/init.js';

export const MEMBERS = ['tencent', 'ant', 'didi', 'baihe'];

let shared: Promise<string> | undefined;
const tempDirs: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bb-keys-'));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory handed out so far (call from an `after` hook). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
}

/** The path of the consortium made once per run; never modify it, copy it with `copyConsortium`. */
export function sharedConsortium(): Promise<string> {
  shared ??= (async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bb-shared-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    const dir = path.join(root, 'keys');
    await initKeys({ dir, consortium: 'demo', members: MEMBERS, auditors: ['cbirc'], operators: ['ops'], days: 825, force: false });
    return dir;
  })();
  return shared;
}

/** A private copy of the shared consortium, safe to tamper with. */
export async function copyConsortium(): Promise<string> {
  const source = await sharedConsortium();
  const dir = path.join(await tempDir(), 'keys');
  await fs.cp(source, dir, { recursive: true });
  return dir;
}

export async function foreignCa(consortium = 'demo'): Promise<CertificateAuthority> {
  const pair = await generateRsaKeyPair();
  return { certPem: createConsortiumCa({ consortium, ...pair }), keyPem: pair.privateKeyPem };
}

/** A fresh key pair and a certificate for it from `ca`. */
export async function issueFor(
  ca: CertificateAuthority,
  role: PartyRole,
  id: string,
  purposes: CertPurpose[],
  validity: { days?: number; notBefore?: Date } = {},
): Promise<{ certPem: string; keyPem: string }> {
  const pair = await generateRsaKeyPair();
  const certPem = issueCertificate(ca, { id, role, consortium: 'demo', purposes, publicKeyPem: pair.publicKeyPem, ...validity });
  return { certPem, keyPem: pair.privateKeyPem };
}
