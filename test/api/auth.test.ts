// The mutual-TLS caller middleware: the chain is verified once per connection, and what can
// change while a connection stays open (revocation, dates) is checked on every request.
import assert from 'node:assert/strict';
import type { NextFunction, Request, Response } from 'express';
import { mutualTlsCaller } from '../../src/api/auth.js';
import { describeCertificate } from '../../src/crypto/pki.js';
import { loadMemberIdentity } from '../../src/keys/load.js';
import { sharedConsortium } from '../keys/fixture.js';

/** DER of a PEM certificate. */
function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

describe('api/auth mutualTlsCaller', () => {
  it('when requests share a connection, then the chain is read once and a revocation still stops the next request', async () => {
    const me = await loadMemberIdentity(await sharedConsortium(), 'tencent');
    const serial = describeCertificate(me.tls.certPem).serial;
    let revoked: ReadonlySet<string> = new Set();
    const middleware = mutualTlsCaller(me.caCertPem, () => revoked);
    let certificateReads = 0;
    const socket = {
      getPeerCertificate: () => {
        certificateReads++;
        return { raw: derOf(me.tls.certPem) };
      },
    };
    const call = (): { locals: Record<string, unknown>; passed: unknown[] } => {
      const res = { locals: {} as Record<string, unknown> };
      const passed: unknown[] = [];
      const next: NextFunction = (err?: unknown) => void passed.push(err);
      middleware({ socket } as unknown as Request, res as unknown as Response, next);
      return { locals: res.locals, passed };
    };

    for (let i = 0; i < 3; i++) {
      const { locals, passed } = call();
      assert.deepEqual(locals.caller, { role: 'member', id: 'tencent' });
      assert.deepEqual(passed, [undefined]);
    }
    assert.equal(certificateReads, 1);

    revoked = new Set([serial]);
    assert.throws(() => call(), { code: 'CERT_REVOKED' });

    // Another connection with no certificate is refused on its own.
    const bare = { getPeerCertificate: () => ({}) };
    const passed: unknown[] = [];
    middleware(
      { socket: bare } as unknown as Request,
      { locals: {} } as unknown as Response,
      (err?: unknown) => passed.push(err),
    );
    assert.equal((passed[0] as { code?: string }).code, 'CLIENT_CERT_REQUIRED');
  });
});
