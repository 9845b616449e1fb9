/**
 * Mutual TLS caller identity (RFC 8446 §4.4.2 client certificates; DESIGN §7). The TLS layer already
 * refuses certificates of other CAs and expired ones (rejectUnauthorized); this middleware re-checks
 * the chain with the consortium's own rules, refuses revoked serials, and names the caller from
 * the certificate: OU = role, CN = id. Handlers read the caller with `callerOf(res)`.
 *
 * A connection's certificate cannot change, so the chain is verified on its first request and
 * remembered for the socket; every later request on it re-checks only what can change meanwhile
 * (dates and the revocation list).
 */
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { recheckCertificate, verifyCertificateChain } from '../crypto/pki.js';
import type { CertificateDescription } from '../crypto/pki.js';
import { BrokerError } from '../errors.js';
import type { Party } from '../ingest/manifest.js';

/** PEM of a DER certificate (RFC 7468 §5). */
function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function mutualTlsCaller(
  caCertPem: string,
  revokedSerials: () => ReadonlySet<string>,
): RequestHandler {
  const verified = new WeakMap<TLSSocket, CertificateDescription>();
  return (req: Request, res: Response, next: NextFunction) => {
    const socket = req.socket as TLSSocket;
    let cert = verified.get(socket);
    if (cert === undefined) {
      const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      if (!peer?.raw) {
        next(new BrokerError('CLIENT_CERT_REQUIRED', 'a consortium client certificate is required'));
        return;
      }
      cert = verifyCertificateChain(derToPem(peer.raw), caCertPem, { revokedSerials: revokedSerials() });
      verified.set(socket, cert);
    } else {
      recheckCertificate(cert, caCertPem, { revokedSerials: revokedSerials() });
    }
    if (cert.role === 'ca') throw new BrokerError('ROLE_FORBIDDEN', 'a CA certificate cannot call the API');
    res.locals.caller = { role: cert.role, id: cert.id } satisfies Party;
    next();
  };
}

/** The authenticated caller of this request. */
export function callerOf(res: Response): Party {
  return res.locals.caller as Party;
}

/** Throws ROLE_FORBIDDEN unless the caller has `role`. */
export function requireRole(res: Response, role: string): Party {
  const caller = callerOf(res);
  if (caller.role !== role) {
    throw new BrokerError('ROLE_FORBIDDEN', `this endpoint is for ${role}s; you are a ${caller.role}`);
  }
  return caller;
}
