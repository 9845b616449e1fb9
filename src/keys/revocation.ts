/**
 * The consortium's signed revocation list (DESIGN §7), ca/revoked.json:
 * `{consortium, serials, issuedAt, alg: "PS256", keyId, sig}` where `sig` is RSASSA-PSS-SHA256 by the
 * CA key over the RFC 8785 JCS bytes of the list without `sig`, and `keyId` the CA fingerprint.
 * A plain list rather than an X.509 CRL: every verifier here is our own code, and JSON is what the
 * rest of keys/ speaks. Revoking needs the CA key, so in production it runs where that key is kept.
 */
import { describeCertificate } from '../crypto/pki.js';
import { rsaPssSign, rsaPssVerify } from '../crypto/rsa.js';
import { BrokerError } from '../errors.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import { canonicalBytes } from '../signing/jcs.js';
import { PUBLIC_FILE_MODE, readJsonFile, readKeyFile, replaceFile } from './files.js';
import { caPaths, partyCertificatePaths } from './layout.js';

export interface RevocationList {
  consortium: string;
  serials: string[];
  issuedAt: string;
  alg: 'PS256';
  keyId: string;
  sig: string;
}

const SERIAL_PATTERN = /^[0-9a-f]{2,40}$/;

/** Signs a revocation list with the CA key (serials sorted and de-duplicated). */
export function signRevocationList(
  ca: { certPem: string; keyPem: string },
  serials: Iterable<string>,
  issuedAt = new Date(),
): RevocationList {
  const caCert = describeCertificate(ca.certPem);
  const unsigned = {
    consortium: caCert.consortium,
    serials: [...new Set(serials)].sort(),
    issuedAt: issuedAt.toISOString(),
    alg: 'PS256' as const,
    keyId: caCert.fingerprint,
  };
  return { ...unsigned, sig: toBase64url(rsaPssSign(ca.keyPem, canonicalBytes(unsigned))) };
}

function invalid(file: string, message: string): BrokerError {
  return new BrokerError('KEYS_REVOCATION_INVALID', `${file}: ${message}`, {
    hint: 'restore ca/revoked.json from the CA host, or re-run `blindbroker keys revoke` there',
    details: { path: file },
  });
}

/** Checks a parsed revocation list against the CA certificate and returns its serials. Throws KEYS_REVOCATION_INVALID. */
export function verifyRevocationList(value: unknown, caCertPem: string, file = 'revoked.json'): Set<string> {
  if (typeof value !== 'object' || value === null) throw invalid(file, 'not a JSON object');
  const list = value as Partial<RevocationList>;
  const ca = describeCertificate(caCertPem);
  if (list.consortium !== ca.consortium) throw invalid(file, 'names another consortium');
  if (!Array.isArray(list.serials) || !list.serials.every((s) => typeof s === 'string' && SERIAL_PATTERN.test(s))) {
    throw invalid(file, 'serials must be lowercase hex strings');
  }
  if (typeof list.issuedAt !== 'string' || list.alg !== 'PS256' || list.keyId !== ca.fingerprint) {
    throw invalid(file, 'issuedAt, alg or keyId is wrong');
  }
  const { consortium, serials, issuedAt, alg, keyId } = list;
  let ok: boolean;
  try {
    const sig = fromBase64url(String(list.sig));
    ok = rsaPssVerify(caCertPem, canonicalBytes({ consortium, serials, issuedAt, alg, keyId }), sig);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(file, 'signature by the consortium CA does not verify');
  return new Set(serials);
}

/** Reads and verifies DIR/ca/revoked.json. Throws KEYS_MISSING, KEYS_MALFORMED, KEYS_REVOCATION_INVALID. */
export async function loadRevocationList(dir: string): Promise<Set<string>> {
  const paths = caPaths(dir);
  const caCertPem = await readKeyFile(paths.cert);
  return verifyRevocationList(await readJsonFile(paths.revoked), caCertPem, paths.revoked);
}

export type RevokeTarget = { serial: string } | { party: string };

/**
 * Adds serials to the list (a whole party: all its certificates) and re-signs it with the CA key.
 * Throws KEYS_MISSING (the CA key is offline), KEYS_BAD_SERIAL, KEYS_BAD_PARTY, KEYS_BAD_ID.
 */
export async function revokeCertificates(
  dir: string,
  target: RevokeTarget,
): Promise<{ added: string[]; list: RevocationList }> {
  const paths = caPaths(dir);
  const current = await loadRevocationList(dir);
  const ca = { certPem: await readKeyFile(paths.cert), keyPem: await readKeyFile(paths.key) };
  let serials: string[];
  if ('serial' in target) {
    const serial = target.serial.toLowerCase().replace(/:/g, '');
    if (!SERIAL_PATTERN.test(serial)) {
      throw new BrokerError('KEYS_BAD_SERIAL', `"${target.serial}" is not a hex certificate serial`, {
        hint: 'take the serial from `blindbroker keys verify --json` or use --party role:id',
      });
    }
    serials = [serial];
  } else {
    const [role = '', id = role, ...rest] = target.party.split(':');
    if (rest.length > 0) throw new BrokerError('KEYS_BAD_PARTY', `"${target.party}" is not role:id`);
    const certs = await Promise.all(partyCertificatePaths(dir, role, id).map((file) => readKeyFile(file)));
    serials = certs.map((pem) => describeCertificate(pem).serial);
  }
  const added = serials.filter((s) => !current.has(s));
  const list = signRevocationList(ca, [...current, ...serials]);
  await replaceFile(paths.revoked, `${JSON.stringify(list, null, 2)}\n`, PUBLIC_FILE_MODE);
  return { added, list };
}
