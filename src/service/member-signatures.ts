/**
 * Verification options for signed objects of members (DESIGN §7: consents, lifecycle requests and
 * policies are signed objects): the consortium CA, the members' signing certificates (read once
 * from the keys directory, listed in consortium.json) and the current revocation set.
 */
import { readFile } from 'node:fs/promises';
import { describeCertificate } from '../crypto/pki.js';
import type { PartyRole } from '../crypto/pki.js';
import { memberPaths } from '../keys/layout.js';
import { loadConsortium } from '../keys/load.js';
import type { VerifyOptions } from '../signing/signed-object.js';

/** Returns a factory of VerifyOptions. Throws KEYS_MISSING / KEYS_MALFORMED for an incomplete keys dir. */
export async function memberVerifyOptions(
  keysDir: string,
  caCertPem: string,
  revokedSerials: () => ReadonlySet<string>,
): Promise<() => VerifyOptions> {
  const consortium = await loadConsortium(keysDir);
  const certs = new Map<string, string>();
  for (const member of consortium.members) {
    const pem = await readFile(memberPaths(keysDir, member.id).signCert, 'utf8');
    certs.set(`member:${member.id}:${describeCertificate(pem).fingerprint}`, pem);
  }
  const certificateFor = (role: PartyRole, id: string, keyId: string): string | undefined =>
    certs.get(`${role}:${id}:${keyId}`);
  return () => ({ caCertPem, certificateFor, revokedSerials: revokedSerials() });
}
