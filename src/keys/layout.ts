/**
 * The keys/ directory layout (DESIGN §7): the only module that spells a key file path. What each
 * party holds is one directory, so deploying a party means copying its directory plus ca/cert.pem.
 * The CA key (ca/key.pem) is needed only to issue and revoke; in production it stays offline.
 */
import path from 'node:path';
import { BrokerError } from '../errors.js';

/** Party ids: CN of the certificate, a directory name and part of a URN, so kept tame. */
export const PARTY_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Top-level entries `keys init` owns; `--force` replaces exactly these and leaves anything else. */
export const LAYOUT_ENTRIES = ['consortium.json', 'ca', 'broker', 'members', 'auditors', 'operators', 'token-authority'];

/** Fixed ids of the singleton parties (their certificate CN). */
export const BROKER_ID = 'broker';
export const TOKEN_AUTHORITY_ID = 'token-authority';

export interface TlsPaths {
  dir: string;
  cert: string;
  key: string;
}

export interface SigningPaths extends TlsPaths {
  signCert: string;
  signKey: string;
}

export function consortiumPath(dir: string): string {
  return path.join(dir, 'consortium.json');
}

export function caPaths(dir: string) {
  const base = path.join(dir, 'ca');
  return { dir: base, cert: path.join(base, 'cert.pem'), key: path.join(base, 'key.pem'), revoked: path.join(base, 'revoked.json') };
}

function tlsPaths(base: string): TlsPaths {
  return { dir: base, cert: path.join(base, 'cert.pem'), key: path.join(base, 'key.pem') };
}

function signingPaths(base: string): SigningPaths {
  return { ...tlsPaths(base), signCert: path.join(base, 'sign-cert.pem'), signKey: path.join(base, 'sign-key.pem') };
}

export function brokerPaths(dir: string) {
  const base = path.join(dir, 'broker');
  return {
    ...tlsPaths(base),
    indexKey: path.join(base, 'index-key.json'),
    logKey: path.join(base, 'log-key.json'),
    logKeyPub: path.join(base, 'log-key.pub'),
  };
}

/** Throws KEYS_BAD_ID unless `id` matches PARTY_ID_PATTERN (ids become path segments). */
export function checkPartyId(id: string, what = 'party id'): string {
  if (!PARTY_ID_PATTERN.test(id)) {
    throw new BrokerError('KEYS_BAD_ID', `${what} "${id}" is not valid`, {
      field: what,
      hint: 'use 2-32 characters: a lowercase letter, then lowercase letters, digits or "-"',
    });
  }
  return id;
}

/** A member's files. Throws KEYS_BAD_ID. */
export function memberPaths(dir: string, id: string) {
  const base = path.join(dir, 'members', checkPartyId(id, 'member id'));
  return {
    ...signingPaths(base),
    encCert: path.join(base, 'enc-cert.pem'),
    encKey: path.join(base, 'enc-key.pem'),
    tokenSecret: path.join(base, 'token-secret.json'),
  };
}

/** An auditor's files. Throws KEYS_BAD_ID. */
export function auditorPaths(dir: string, id: string) {
  const base = path.join(dir, 'auditors', checkPartyId(id, 'auditor id'));
  return { ...signingPaths(base), witnessKey: path.join(base, 'witness-key.json') };
}

/** An operator's files. Throws KEYS_BAD_ID. */
export function operatorPaths(dir: string, id: string): TlsPaths {
  return tlsPaths(path.join(dir, 'operators', checkPartyId(id, 'operator id')));
}

export function tokenAuthorityPaths(dir: string) {
  const base = path.join(dir, 'token-authority');
  return {
    ...tlsPaths(base),
    /** RFC 9497 key pairs per epoch (0600) and their public half (0644). */
    oprfKeys: path.join(base, 'oprf-keys.json'),
    oprfKeysPub: path.join(base, 'oprf-keys.pub.json'),
    /** Ed25519 key that signs the daily evaluation counters. */
    counterKey: path.join(base, 'counter-key.json'),
    counterKeyPub: path.join(base, 'counter-key.pub'),
    /** Daily evaluation counts, one JSON file per UTC day. */
    countersDir: path.join(base, 'counters'),
  };
}

/** The signed-note style name of the token authority's counter-signing key. */
export function counterKeyName(consortium: string): string {
  return `blindbroker.${consortium}/token-authority/counters`;
}

/** The C2SP signed-note origin of the consortium's log (DESIGN §5). */
export function logOrigin(consortium: string): string {
  return `blindbroker.${consortium}/log`;
}

/** The signed-note name of an auditor's witness key. */
export function witnessName(consortium: string, auditorId: string): string {
  return `blindbroker.${consortium}/witness/${auditorId}`;
}

/** Every certificate a party holds, by role and id. Throws KEYS_BAD_ID, and KEYS_BAD_PARTY for an unknown role. */
export function partyCertificatePaths(dir: string, role: string, id: string): string[] {
  switch (role) {
    case 'broker':
      return [brokerPaths(dir).cert];
    case 'token-authority':
      return [tokenAuthorityPaths(dir).cert];
    case 'member': {
      const p = memberPaths(dir, id);
      return [p.cert, p.signCert, p.encCert];
    }
    case 'auditor': {
      const p = auditorPaths(dir, id);
      return [p.cert, p.signCert];
    }
    case 'operator':
      return [operatorPaths(dir, id).cert];
    default:
      throw new BrokerError('KEYS_BAD_PARTY', `unknown role "${role}"`, {
        hint: 'name a party as role:id with role broker, member, auditor, operator or token-authority',
      });
  }
}
