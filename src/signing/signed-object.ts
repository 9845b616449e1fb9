/**
 * Signed objects (DESIGN §4, §7): consents, batch manifests and policies travel as
 * `{type, body, signer, keyId, alg: "PS256", sig}`, where `sig` is RSASSA-PSS-SHA256 (RFC 8017 §8.1,
 * JWS PS256 of RFC 7518 §3.5) over the RFC 8785 JCS bytes of the object without `sig`, and `keyId`
 * is the SHA-256 fingerprint of the signer's signing certificate. Verification is a list of small
 * named checks, each throwing its own code (sigstore style), so a caller knows exactly what failed.
 */
import { describeCertificate, PARTY_ROLES, verifyCertificateChain } from '../crypto/pki.js';
import type { CertificateDescription, PartyRole } from '../crypto/pki.js';
import { sha256 } from '../crypto/hash.js';
import { rsaPssSign, rsaPssVerify } from '../crypto/rsa.js';
import { BrokerError, isBrokerError } from '../errors.js';
import { fromBase64url, toBase64url, toHex } from '../util/bytes.js';
import { canonicalBytes } from './jcs.js';

export const SIGNED_OBJECT_ALG = 'PS256';
/** Larger objects are refused before any hashing: manifests carry commitments, never data. */
export const MAX_SIGNED_OBJECT_BYTES = 1024 * 1024;
const TYPE_PATTERN = /^[a-z][a-z0-9.-]{0,63}$/;
const ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;
const KEY_ID_PATTERN = /^[0-9a-f]{64}$/;
const FIELDS = ['alg', 'body', 'keyId', 'sig', 'signer', 'type'];

export interface Signer {
  role: PartyRole;
  id: string;
}

export interface SignedObject<T> {
  type: string;
  body: T;
  signer: Signer;
  keyId: string;
  alg: typeof SIGNED_OBJECT_ALG;
  sig: string;
}

export interface SigningIdentity {
  role: PartyRole;
  id: string;
  signing: { certPem: string; keyPem: string };
}

export interface VerifyOptions {
  caCertPem: string;
  /** The signing certificate the caller knows for this signer and key id, or undefined. */
  certificateFor: (role: PartyRole, id: string, keyId: string) => string | undefined;
  revokedSerials?: ReadonlySet<string>;
  expectedType?: string;
  at?: Date;
}

/**
 * Signs `body` as `identity`. Throws SIG_MALFORMED when the type or body is not plain JSON, and
 * SIG_SIGNER_MISMATCH when the certificate does not name the identity or is not a signing certificate.
 */
export function signObject<T>(type: string, body: T, identity: SigningIdentity): SignedObject<T> {
  if (!TYPE_PATTERN.test(type)) throw malformed(`type "${type}" is not a lowercase dotted name`);
  const cert = describeCertificate(identity.signing.certPem);
  checkSignerMatchesCertificate({ role: identity.role, id: identity.id }, cert);
  const unsigned: Omit<SignedObject<T>, 'sig'> = {
    type,
    body,
    signer: { role: identity.role, id: identity.id },
    keyId: cert.fingerprint,
    alg: SIGNED_OBJECT_ALG,
  };
  const sig = rsaPssSign(identity.signing.keyPem, checkCanonical(unsigned));
  return { ...unsigned, sig: toBase64url(sig) };
}

/**
 * Verifies a signed object received from anyone and returns it typed. The body's own shape is the
 * caller's to validate. Throws SIG_MALFORMED, SIG_TYPE, SIG_UNKNOWN_SIGNER, SIG_CERT_UNTRUSTED
 * (details.certCode holds the CERT_* code), SIG_SIGNER_MISMATCH or SIG_INVALID.
 */
export function verifySignedObject<T = unknown>(obj: unknown, options: VerifyOptions): SignedObject<T> {
  const candidate = checkShape(obj);
  checkType(candidate, options.expectedType);
  const signingInput = checkCanonical(unsignedPart(candidate));
  const certPem = resolveCertificate(candidate, options);
  const cert = checkCertificateTrusted(certPem, options);
  checkSignerMatchesCertificate(candidate.signer, cert);
  checkSignature(certPem, signingInput, candidate.sig);
  return candidate as SignedObject<T>;
}

/** SHA-256 (hex) of the JCS bytes of the whole signed object: what the log commits to. Throws SIG_MALFORMED. */
export function signedObjectDigest(obj: SignedObject<unknown>): string {
  return toHex(sha256(canonicalBytes(obj)));
}

function malformed(message: string, field?: string): BrokerError {
  return new BrokerError('SIG_MALFORMED', message, {
    ...(field ? { field } : {}),
    hint: 'send {type, body, signer: {role, id}, keyId, alg: "PS256", sig} as made by signObject',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkShape(obj: unknown): SignedObject<unknown> {
  if (!isRecord(obj)) throw malformed('signed object is not a JSON object');
  const keys = Object.keys(obj).sort();
  if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) {
    throw malformed(`signed object must have exactly the fields ${FIELDS.join(', ')}`);
  }
  const { type, signer, keyId, alg, sig } = obj;
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type))
    throw malformed('type is not a lowercase dotted name', 'type');
  if (!isRecord(signer) || Object.keys(signer).sort().join() !== 'id,role') {
    throw malformed('signer must be {role, id}', 'signer');
  }
  if (typeof signer.role !== 'string' || !(PARTY_ROLES as readonly string[]).includes(signer.role)) {
    throw malformed('signer.role is not a consortium role', 'signer.role');
  }
  if (typeof signer.id !== 'string' || !ID_PATTERN.test(signer.id))
    throw malformed('signer.id is not a party id', 'signer.id');
  if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId))
    throw malformed('keyId is not a SHA-256 hex fingerprint', 'keyId');
  if (alg !== SIGNED_OBJECT_ALG) throw malformed(`alg must be ${SIGNED_OBJECT_ALG}`, 'alg');
  if (typeof sig !== 'string' || sig.length === 0 || sig.length > 1024)
    throw malformed('sig is not a signature', 'sig');
  return obj as unknown as SignedObject<unknown>;
}

function unsignedPart<T>(obj: SignedObject<T>): Omit<SignedObject<T>, 'sig'> {
  return { type: obj.type, body: obj.body, signer: obj.signer, keyId: obj.keyId, alg: obj.alg };
}

function checkType(obj: SignedObject<unknown>, expectedType: string | undefined): void {
  if (expectedType !== undefined && obj.type !== expectedType) {
    throw new BrokerError('SIG_TYPE', `expected a signed ${expectedType}, got ${obj.type}`, {
      field: 'type',
      details: { expected: expectedType, actual: obj.type },
    });
  }
}

/** The signing input: JCS bytes of the object without `sig`, within the size bound. */
function checkCanonical(unsigned: Omit<SignedObject<unknown>, 'sig'>): Uint8Array {
  const bytes = canonicalBytes(unsigned);
  if (bytes.length > MAX_SIGNED_OBJECT_BYTES) {
    throw malformed(`signed object is larger than ${MAX_SIGNED_OBJECT_BYTES} bytes`);
  }
  return bytes;
}

function resolveCertificate(obj: SignedObject<unknown>, options: VerifyOptions): string {
  const { role, id } = obj.signer;
  const unknown = () =>
    new BrokerError(
      'SIG_UNKNOWN_SIGNER',
      `no signing certificate known for ${role}:${id} with key ${obj.keyId}`,
      {
        hint: 'sign with the current signing key of a consortium party',
        details: { role, id, keyId: obj.keyId },
      },
    );
  const certPem = options.certificateFor(role, id, obj.keyId);
  if (certPem === undefined) throw unknown();
  let fingerprint: string;
  try {
    fingerprint = describeCertificate(certPem).fingerprint;
  } catch {
    throw unknown();
  }
  if (fingerprint !== obj.keyId) throw unknown();
  return certPem;
}

function checkCertificateTrusted(certPem: string, options: VerifyOptions): CertificateDescription {
  try {
    return verifyCertificateChain(certPem, options.caCertPem, {
      ...(options.at ? { at: options.at } : {}),
      ...(options.revokedSerials ? { revokedSerials: options.revokedSerials } : {}),
    });
  } catch (cause) {
    if (!isBrokerError(cause)) throw cause;
    throw new BrokerError('SIG_CERT_UNTRUSTED', `signing certificate is not trusted: ${cause.message}`, {
      cause,
      details: { certCode: cause.code, ...cause.details },
    });
  }
}

function checkSignerMatchesCertificate(signer: Signer, cert: CertificateDescription): void {
  if (cert.role !== signer.role || cert.id !== signer.id || !cert.purposes.includes('signing')) {
    throw new BrokerError(
      'SIG_SIGNER_MISMATCH',
      `certificate ${cert.role}:${cert.id} is not the signing certificate of ${signer.role}:${signer.id}`,
      {
        details: { certRole: cert.role, certId: cert.id, purposes: cert.purposes },
      },
    );
  }
}

function checkSignature(certPem: string, signingInput: Uint8Array, sig: string): void {
  let signature: Uint8Array;
  try {
    signature = fromBase64url(sig);
  } catch {
    throw new BrokerError('SIG_INVALID', 'signature is not base64url', { field: 'sig' });
  }
  if (!rsaPssVerify(certPem, signingInput, signature)) {
    throw new BrokerError('SIG_INVALID', 'signature does not verify over the canonical object', {
      field: 'sig',
    });
  }
}
