/**
 * The broker's ManifestVerifier: checks a batch manifest's PS256 signature against the signing
 * certificate of the member it names, issued by the consortium CA and not revoked (DESIGN §7:
 * state-changing payloads are signed objects). Members' signing certificates are read once from
 * the keys directory (consortium.json lists them).
 */
import { readFile } from 'node:fs/promises';
import type { PartyRole } from '../crypto/pki.js';
import type { ManifestVerifier } from '../ingest/manifest.js';
import { MANIFEST_TYPE } from '../ingest/manifest.js';
import { memberPaths } from '../keys/layout.js';
import { loadConsortium } from '../keys/load.js';
import { verifySignedObject } from '../signing/signed-object.js';
import { describeCertificate } from '../crypto/pki.js';

/** Builds the verifier. Throws KEYS_MISSING / KEYS_MALFORMED when the keys directory is incomplete. */
export async function createManifestVerifier(
  keysDir: string,
  caCertPem: string,
  revokedSerials: () => ReadonlySet<string>,
): Promise<ManifestVerifier> {
  const consortium = await loadConsortium(keysDir);
  const certs = new Map<string, string>();
  for (const member of consortium.members) {
    const pem = await readFile(memberPaths(keysDir, member.id).signCert, 'utf8');
    certs.set(`member:${member.id}:${describeCertificate(pem).fingerprint}`, pem);
  }
  const certificateFor = (role: PartyRole, id: string, keyId: string): string | undefined =>
    certs.get(`${role}:${id}:${keyId}`);
  return (signed: unknown) => {
    const verified = verifySignedObject(signed, {
      caCertPem,
      certificateFor,
      revokedSerials: revokedSerials(),
      expectedType: MANIFEST_TYPE,
    });
    return { signer: verified.signer, body: verified.body };
  };
}
