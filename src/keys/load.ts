/**
 * Loading key material for the other modules (DESIGN §7): each loader reads only what its party holds
 * (a member's directory, the broker's, …) plus the CA certificate, and fails with KEYS_MISSING naming
 * the path. Loaders check file shapes; `keys verify` does the full cross-checks.
 */
import { z } from 'zod';
import { ed25519PublicKey } from '../crypto/ed25519.js';
import type { PartyRole } from '../crypto/pki.js';
import { BrokerError } from '../errors.js';
import { equalBytes, fromBase64url } from '../util/bytes.js';
import { readJsonFile, readKeyFile } from './files.js';
import * as layout from './layout.js';
import { loadRevocationList } from './revocation.js';
import { unwrapTokenSecretFile } from './token-secret.js';

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const partyId = z.string().regex(layout.PARTY_ID_PATTERN);
const noteKey = z.object({ name: z.string().min(1), publicKey: z.string() });

const consortiumSchema = z.object({
  name: partyId,
  consortiumId: z.string().min(1),
  schema: z.string(),
  tokenizer: z.enum(['hmac', 'oprf']),
  epoch: z.number().int().positive(),
  createdAt: z.string(),
  caFingerprint: fingerprint,
  broker: z.object({ id: partyId, tlsFingerprint: fingerprint }),
  members: z.array(
    z.object({ id: partyId, tlsFingerprint: fingerprint, signFingerprint: fingerprint, encFingerprint: fingerprint }),
  ),
  auditors: z.array(
    z.object({ id: partyId, tlsFingerprint: fingerprint, signFingerprint: fingerprint, witnessKey: noteKey }),
  ),
  operators: z.array(z.object({ id: partyId, tlsFingerprint: fingerprint })),
  tokenAuthority: z.object({ id: partyId, tlsFingerprint: fingerprint }),
  logKey: noteKey,
});

export type Consortium = z.infer<typeof consortiumSchema>;

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface MemberIdentity {
  role: 'member';
  id: string;
  tls: CertAndKey;
  signing: CertAndKey;
  encryption: CertAndKey;
  caCertPem: string;
}

export interface AuditorIdentity {
  role: 'auditor';
  id: string;
  tls: CertAndKey;
  signing: CertAndKey;
  witnessKey: NoteKeyPair;
  logKey: { name: string; publicKey: Uint8Array };
  caCertPem: string;
}

/** An Ed25519 signed-note key (C2SP signed-note name and raw keys). */
export interface NoteKeyPair {
  name: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface BrokerKeys {
  tls: CertAndKey;
  caCertPem: string;
  indexKey: Uint8Array;
  logKey: NoteKeyPair;
  revokedSerials: Set<string>;
}

export interface TokenAuthorityKeys {
  role: PartyRole;
  id: string;
  tls: CertAndKey;
  caCertPem: string;
  revokedSerials: Set<string>;
}

function malformed(file: string, message: string, cause?: unknown): BrokerError {
  return new BrokerError('KEYS_MALFORMED', `${file}: ${message}`, {
    cause,
    hint: 'restore the file from where the keys were made, or re-run `blindbroker keys init`',
    details: { path: file },
  });
}

async function readCertAndKey(certFile: string, keyFile: string): Promise<CertAndKey> {
  const [certPem, keyPem] = await Promise.all([readKeyFile(certFile), readKeyFile(keyFile)]);
  return { certPem, keyPem };
}

/** Reads an Ed25519 key file `{name, secretKey, publicKey}`, checking the pair matches. Throws KEYS_*. */
export async function readNoteKeyPair(file: string): Promise<NoteKeyPair> {
  const value = await readJsonFile(file);
  const parsed = noteKey.extend({ secretKey: z.string() }).safeParse(value);
  if (!parsed.success) throw malformed(file, 'expected {name, secretKey, publicKey}', parsed.error);
  try {
    const secretKey = fromBase64url(parsed.data.secretKey, 32);
    const publicKey = fromBase64url(parsed.data.publicKey, 32);
    if (!equalBytes(ed25519PublicKey(secretKey), publicKey)) throw malformed(file, 'publicKey is not the secretKey’s');
    return { name: parsed.data.name, secretKey, publicKey };
  } catch (cause) {
    if (cause instanceof BrokerError && cause.code === 'KEYS_MALFORMED') throw cause;
    throw malformed(file, 'keys are not 32-byte base64url values', cause);
  }
}

/** Reads DIR/consortium.json. Throws KEYS_MISSING, KEYS_MALFORMED. */
export async function loadConsortium(dir: string): Promise<Consortium> {
  const file = layout.consortiumPath(dir);
  const parsed = consortiumSchema.safeParse(await readJsonFile(file));
  if (!parsed.success) throw malformed(file, 'not a consortium description', parsed.error);
  return parsed.data;
}

/** A member's certificates and keys. Throws KEYS_BAD_ID, KEYS_MISSING. */
export async function loadMemberIdentity(dir: string, memberId: string): Promise<MemberIdentity> {
  const p = layout.memberPaths(dir, memberId);
  const [tls, signing, encryption, caCertPem] = await Promise.all([
    readCertAndKey(p.cert, p.key),
    readCertAndKey(p.signCert, p.signKey),
    readCertAndKey(p.encCert, p.encKey),
    readKeyFile(layout.caPaths(dir).cert),
  ]);
  return { role: 'member', id: memberId, tls, signing, encryption, caCertPem };
}

/**
 * The consortium token secret, unwrapped with the member's encryption key. Throws KEYS_BAD_ID,
 * KEYS_MISSING, KEYS_MALFORMED, KEYS_TOKEN_SECRET.
 */
export async function unwrapTokenSecret(
  dir: string,
  memberId: string,
): Promise<{ consortiumId: string; epoch: number; secret: Uint8Array }> {
  const p = layout.memberPaths(dir, memberId);
  const [value, encKeyPem, encCertPem] = await Promise.all([
    readJsonFile(p.tokenSecret),
    readKeyFile(p.encKey),
    readKeyFile(p.encCert),
  ]);
  const secret = unwrapTokenSecretFile(value, encKeyPem, encCertPem, p.tokenSecret);
  const { consortiumId, epoch } = value as { consortiumId: string; epoch: number };
  return { consortiumId, epoch, secret };
}

/** The broker's TLS identity, index key, log key and revocation set. Throws KEYS_MISSING, KEYS_MALFORMED, KEYS_REVOCATION_INVALID. */
export async function loadBrokerKeys(dir: string): Promise<BrokerKeys> {
  const p = layout.brokerPaths(dir);
  const [tls, caCertPem, indexValue, logKey, revokedSerials] = await Promise.all([
    readCertAndKey(p.cert, p.key),
    readKeyFile(layout.caPaths(dir).cert),
    readJsonFile(p.indexKey),
    readNoteKeyPair(p.logKey),
    loadRevocationList(dir),
  ]);
  const index = z.object({ alg: z.literal('HMAC-SHA256'), key: z.string() }).safeParse(indexValue);
  if (!index.success) throw malformed(p.indexKey, 'expected {alg: "HMAC-SHA256", key}', index.error);
  let indexKey: Uint8Array;
  try {
    indexKey = fromBase64url(index.data.key, 32);
  } catch (cause) {
    throw malformed(p.indexKey, 'key is not 32 base64url bytes', cause);
  }
  return { tls, caCertPem, indexKey, logKey, revokedSerials };
}

/** An auditor's certificates, witness key and the log's public key. Throws KEYS_BAD_ID, KEYS_MISSING, KEYS_MALFORMED. */
export async function loadAuditorIdentity(dir: string, auditorId: string): Promise<AuditorIdentity> {
  const p = layout.auditorPaths(dir, auditorId);
  const logPubFile = layout.brokerPaths(dir).logKeyPub;
  const [tls, signing, witnessKey, caCertPem, logPub] = await Promise.all([
    readCertAndKey(p.cert, p.key),
    readCertAndKey(p.signCert, p.signKey),
    readNoteKeyPair(p.witnessKey),
    readKeyFile(layout.caPaths(dir).cert),
    readJsonFile(logPubFile),
  ]);
  const parsed = noteKey.safeParse(logPub);
  if (!parsed.success) throw malformed(logPubFile, 'expected {name, publicKey}', parsed.error);
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64url(parsed.data.publicKey, 32);
  } catch (cause) {
    throw malformed(logPubFile, 'publicKey is not 32 base64url bytes', cause);
  }
  return {
    role: 'auditor',
    id: auditorId,
    tls,
    signing,
    witnessKey,
    logKey: { name: parsed.data.name, publicKey },
    caCertPem,
  };
}

/** The token authority's TLS identity and revocation set. Throws KEYS_MISSING, KEYS_REVOCATION_INVALID. */
export async function loadTokenAuthority(dir: string): Promise<TokenAuthorityKeys> {
  const p = layout.tokenAuthorityPaths(dir);
  const [tls, caCertPem, revokedSerials] = await Promise.all([
    readCertAndKey(p.cert, p.key),
    readKeyFile(layout.caPaths(dir).cert),
    loadRevocationList(dir),
  ]);
  return { role: 'token-authority', id: layout.TOKEN_AUTHORITY_ID, tls, caCertPem, revokedSerials };
}
