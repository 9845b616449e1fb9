/**
 * The consortium PKI (DESIGN §7, §8) on node-forge: X.509 v3 certificates (RFC 5280) signed
 * sha256WithRSAEncryption (forge defaults to SHA-1, which OpenSSL rejects as "ca md too weak").
 * Subject: CN = party id, OU = role, O = consortium; SAN URI `urn:blindbroker:<role>:<id>`.
 * Key pairs come from node:crypto (rsa.ts); forge only builds, signs and checks certificates.
 */
import forge from 'node-forge';
import { BrokerError } from '../errors.js';
import { toHex } from '../util/bytes.js';
import { sha256 } from './hash.js';
import { randomBytes } from './random.js';

export const PARTY_ROLES = ['broker', 'member', 'auditor', 'operator', 'token-authority'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];
export type CertRole = PartyRole | 'ca';
export type CertPurpose = 'tls-server' | 'tls-client' | 'signing' | 'encryption';

export const CA_VALIDITY_DAYS = 3650;
export const DEFAULT_VALIDITY_DAYS = 825;
const DAY_MS = 86_400_000;
/** Default notBefore is this far in the past, so that a peer whose clock runs a little slow accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;
const SHA256_WITH_RSA = forge.pki.oids['sha256WithRSAEncryption'];

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface CaRequest {
  consortium: string;
  /** The CA's key pair (from generateRsaKeyPair). */
  publicKeyPem: string;
  privateKeyPem: string;
  days?: number;
  notBefore?: Date;
}

export interface CertificateRequest {
  id: string;
  role: PartyRole;
  consortium: string;
  purposes: readonly CertPurpose[];
  publicKeyPem: string;
  days?: number;
  /** Defaults to now; tests backdate it to make expired certificates. */
  notBefore?: Date;
}

export interface CertificateDescription {
  id: string;
  role: CertRole;
  consortium: string;
  /** The single purpose, when the certificate has exactly one. */
  purpose?: CertPurpose;
  purposes: CertPurpose[];
  /** Lowercase hex, as the revocation list spells it. */
  serial: string;
  /** SHA-256 of the DER certificate, lowercase hex. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyPem: string;
  isCa: boolean;
}

export interface ChainOptions {
  at?: Date;
  revokedSerials?: ReadonlySet<string>;
}

/** A random positive serial of 16 bytes (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return toHex(bytes);
}

function validity(days: number | undefined, notBefore: Date | undefined, fallback: number) {
  const span = days ?? fallback;
  if (!Number.isSafeInteger(span) || span < 1 || span > 36500) throw new RangeError('days must be 1..36500');
  const start = notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  return { notBefore: start, notAfter: new Date(start.getTime() + span * DAY_MS) };
}

function dn(consortium: string, role: CertRole, id: string): forge.pki.CertificateField[] {
  return [
    { shortName: 'CN', value: id },
    { shortName: 'OU', value: role },
    { shortName: 'O', value: consortium },
  ];
}

function purposeExtensions(purposes: readonly CertPurpose[]): object[] {
  const server = purposes.includes('tls-server');
  const client = purposes.includes('tls-client');
  const tls = server || client;
  const keyUsage = {
    name: 'keyUsage',
    critical: true,
    digitalSignature: tls || purposes.includes('signing'),
    nonRepudiation: purposes.includes('signing'),
    keyEncipherment: server || purposes.includes('encryption'),
  };
  return tls ? [keyUsage, { name: 'extKeyUsage', serverAuth: server, clientAuth: client }] : [keyUsage];
}

function toPem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** A self-signed consortium CA certificate (cA, keyCertSign, cRLSign). Throws RangeError on bad days. */
export function createConsortiumCa(request: CaRequest): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity = validity(request.days, request.notBefore, CA_VALIDITY_DAYS);
  const name = dn(request.consortium, 'ca', `${request.consortium}-ca`);
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(
    forge.pki.privateKeyFromPem(request.privateKeyPem) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  return toPem(cert);
}

/** Issues an end-entity certificate signed by the CA. Throws CERT_MALFORMED, RangeError on bad days. */
export function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): string {
  const caCert = parse(ca.certPem).cert;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity = validity(request.days, request.notBefore, DEFAULT_VALIDITY_DAYS);
  cert.setSubject(dn(request.consortium, request.role, request.id));
  cert.setIssuer(caCert.subject.attributes);
  const altNames: object[] = [{ type: 6, value: `urn:blindbroker:${request.role}:${request.id}` }];
  if (request.purposes.includes('tls-server')) {
    altNames.push({ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' });
  }
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    ...purposeExtensions(request.purposes),
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return toPem(cert);
}

interface Parsed {
  cert: forge.pki.Certificate;
  der: string;
}

const CACHE_LIMIT = 1024;
const parsedCache = new Map<string, Parsed>();
const descriptionCache = new Map<string, CertificateDescription>();
const signatureCache = new Map<string, boolean>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function malformed(message: string, cause?: unknown): BrokerError {
  return new BrokerError('CERT_MALFORMED', message, {
    cause,
    hint: 'pass one PEM certificate issued by the consortium CA (`blindbroker keys init`)',
  });
}

function parse(pem: string): Parsed {
  const hit = parsedCache.get(pem);
  if (hit) return hit;
  if (typeof pem !== 'string') throw malformed('certificate is not a string');
  let blocks: ReturnType<typeof forge.pem.decode>;
  try {
    blocks = forge.pem.decode(pem);
  } catch (cause) {
    throw malformed('certificate is not PEM', cause);
  }
  const block = blocks[0];
  if (blocks.length !== 1 || !block || block.type !== 'CERTIFICATE') {
    throw malformed('expected exactly one PEM CERTIFICATE block');
  }
  try {
    const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(block.body));
    return remember(parsedCache, pem, { cert, der: block.body });
  } catch (cause) {
    throw malformed('certificate is not a readable X.509 RSA certificate', cause);
  }
}

function field(cert: forge.pki.Certificate, shortName: string): string {
  const value: unknown = cert.subject.getField(shortName)?.value;
  if (typeof value !== 'string' || value === '') throw malformed(`certificate subject has no ${shortName}`);
  return value;
}

function readPurposes(cert: forge.pki.Certificate): CertPurpose[] {
  const eku = cert.getExtension('extKeyUsage') as { serverAuth?: boolean; clientAuth?: boolean } | undefined;
  const ku = cert.getExtension('keyUsage') as
    { nonRepudiation?: boolean; keyEncipherment?: boolean } | undefined;
  if (eku) {
    const purposes: CertPurpose[] = [];
    if (eku.serverAuth) purposes.push('tls-server');
    if (eku.clientAuth) purposes.push('tls-client');
    return purposes;
  }
  if (ku?.nonRepudiation) return ['signing'];
  if (ku?.keyEncipherment) return ['encryption'];
  return [];
}

/** Reads a certificate's identity and facts. Throws CERT_MALFORMED. */
export function describeCertificate(pem: string): CertificateDescription {
  const hit = descriptionCache.get(pem);
  if (hit) return hit;
  const { cert, der } = parse(pem);
  const role = field(cert, 'OU');
  if (role !== 'ca' && !(PARTY_ROLES as readonly string[]).includes(role)) {
    throw malformed(`certificate OU "${role}" is not a consortium role`);
  }
  const basic = cert.getExtension('basicConstraints') as { cA?: boolean } | undefined;
  const purposes = readPurposes(cert);
  const description: CertificateDescription = {
    id: field(cert, 'CN'),
    role: role as CertRole,
    consortium: field(cert, 'O'),
    ...(purposes.length === 1 ? { purpose: purposes[0] } : {}),
    purposes,
    serial: cert.serialNumber.toLowerCase(),
    fingerprint: toHex(sha256(new Uint8Array(Buffer.from(der, 'binary')))),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    subjectPublicKeyPem: forge.pki.publicKeyToPem(cert.publicKey).replace(/\r\n/g, '\n'),
    isCa: basic?.cA === true,
  };
  return remember(descriptionCache, pem, Object.freeze(description));
}

function signedBy(certPem: string, caCertPem: string): boolean {
  const key = `${caCertPem}\n${certPem}`;
  const hit = signatureCache.get(key);
  if (hit !== undefined) return hit;
  const cert = parse(certPem).cert;
  const ca = parse(caCertPem).cert;
  let ok: boolean;
  try {
    ok = cert.signatureOid === SHA256_WITH_RSA && ca.verify(cert);
  } catch {
    ok = false;
  }
  return remember(signatureCache, key, ok);
}

function checkInDate(what: string, d: CertificateDescription, at: Date): void {
  if (at < d.notBefore || at > d.notAfter) {
    const reason = at < d.notBefore ? 'not yet valid' : 'expired';
    throw new BrokerError('CERT_EXPIRED', `${what} ${d.role}:${d.id} is ${reason}`, {
      hint: 'issue a fresh certificate (`blindbroker keys init --force` in development)',
      details: { serial: d.serial, notBefore: d.notBefore.toISOString(), notAfter: d.notAfter.toISOString() },
    });
  }
}

/**
 * Checks that `certPem` was signed (SHA-256) by the CA, that both are in date at `at` and that the
 * serial is not revoked, then returns its description. Throws CERT_MALFORMED, CERT_UNTRUSTED,
 * CERT_EXPIRED or CERT_REVOKED.
 */
export function verifyCertificateChain(
  certPem: string,
  caCertPem: string,
  options: ChainOptions = {},
): CertificateDescription {
  const at = options.at ?? new Date();
  const ca = describeCertificate(caCertPem);
  const cert = describeCertificate(certPem);
  if (!ca.isCa || !signedBy(caCertPem, caCertPem)) {
    throw new BrokerError('CERT_UNTRUSTED', 'the trust anchor is not a self-signed CA certificate', {
      details: { caFingerprint: ca.fingerprint },
    });
  }
  if (!signedBy(certPem, caCertPem)) {
    throw new BrokerError(
      'CERT_UNTRUSTED',
      `certificate ${cert.role}:${cert.id} was not issued by the consortium CA`,
      {
        hint: 'use a certificate from this consortium’s keys/ directory',
        details: { serial: cert.serial, fingerprint: cert.fingerprint },
      },
    );
  }
  recheckCertificate(cert, caCertPem, { ...options, at });
  return cert;
}

/**
 * The checks of `verifyCertificateChain` that can change while a certificate is held, for one it
 * already accepted (e.g. for the TLS connection it arrived on): both certificates in date at
 * `at`, the serial not revoked. Throws CERT_EXPIRED or CERT_REVOKED.
 */
export function recheckCertificate(
  cert: CertificateDescription,
  caCertPem: string,
  options: ChainOptions = {},
): void {
  const at = options.at ?? new Date();
  checkInDate('CA certificate', describeCertificate(caCertPem), at);
  checkInDate('certificate', cert, at);
  if (options.revokedSerials?.has(cert.serial)) {
    throw new BrokerError('CERT_REVOKED', `certificate ${cert.role}:${cert.id} is revoked`, {
      details: { serial: cert.serial },
    });
  }
}

/** True when the private key is the pair of the certificate's public key. Throws CERT_MALFORMED, KEY_MALFORMED. */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  const publicKey = parse(certPem).cert.publicKey as forge.pki.rsa.PublicKey;
  let privateKey: forge.pki.rsa.PrivateKey;
  try {
    privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  } catch (cause) {
    throw new BrokerError('KEY_MALFORMED', 'value is not a PEM RSA private key', { cause });
  }
  return privateKey.n.equals(publicKey.n) && privateKey.e.equals(publicKey.e);
}
