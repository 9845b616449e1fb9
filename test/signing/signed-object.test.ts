/** Signed objects (DESIGN §4, §7): round trip, one code per tampered field, key order, hostile input. */
import assert from 'node:assert/strict';
import { describeCertificate } from '../../src/crypto/pki.js';
import type { PartyRole } from '../../src/crypto/pki.js';
import { rsaPssSign } from '../../src/crypto/rsa.js';
import { isBrokerError } from '../../src/errors.js';
import { loadMemberIdentity } from '../../src/keys/load.js';
import type { MemberIdentity } from '../../src/keys/load.js';
import { canonicalBytes } from '../../src/signing/jcs.js';
import { signedObjectDigest, signObject, verifySignedObject } from '../../src/signing/signed-object.js';
import type { SignedObject, VerifyOptions } from '../../src/signing/signed-object.js';
import { toBase64url } from '../../src/util/bytes.js';
import { foreignCa, MEMBERS, sharedConsortium } from '../keys/fixture.js';
import { REFUSED_JSON } from './hostile-json.js';

const body = {
  consentId: 'c-1',
  purpose: 'CREDIT_CHECK',
  dataGroups: ['status', 'amounts'],
  frequency: { unit: 'MONTH', value: 1 },
};

function rejectsWith(code: string, run: () => unknown, certCode?: string): void {
  assert.throws(run, (err) => {
    assert.ok(
      isBrokerError(err, code),
      `expected ${code}, got ${String((err as { code?: string }).code)}: ${String(err)}`,
    );
    if (certCode) assert.equal(err.details?.['certCode'], certCode);
    return true;
  });
}

/** A signed object as parsed JSON, loosely typed so tests can reach into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wire = Record<string, any>;

/** A JSON copy with one path replaced (the way a tampered object arrives over the wire). */
function tamper(obj: SignedObject<unknown>, change: (o: Wire) => void): unknown {
  const copy = JSON.parse(JSON.stringify(obj)) as Wire;
  change(copy);
  return copy;
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('signing/signed-object', function () {
  this.timeout(120_000);
  let members: MemberIdentity[];
  let tencent: MemberIdentity;
  let signed: SignedObject<typeof body>;
  let options: VerifyOptions;
  /** Resolves by key id alone, the way a cache of all consortium certificates would. */
  let byKeyId: VerifyOptions;

  before(async () => {
    const dir = await sharedConsortium();
    members = await Promise.all(MEMBERS.map((id) => loadMemberIdentity(dir, id)));
    tencent = members[0]!;
    const certs = new Map<string, string>();
    for (const m of members) {
      for (const pem of [m.signing.certPem, m.tls.certPem]) {
        const d = describeCertificate(pem);
        certs.set(d.fingerprint, pem);
      }
    }
    const lookup = (role: PartyRole, id: string, keyId: string) => {
      const pem = certs.get(keyId);
      return pem && describeCertificate(pem).id === id && role === 'member' ? pem : undefined;
    };
    options = { caCertPem: tencent.caCertPem, certificateFor: lookup };
    byKeyId = { caCertPem: tencent.caCertPem, certificateFor: (_role, _id, keyId) => certs.get(keyId) };
    signed = signObject('consent', body, tencent);
  });

  it('when a member signs an object, then it verifies and comes back unchanged', () => {
    assert.equal(signed.alg, 'PS256');
    assert.equal(signed.keyId, describeCertificate(tencent.signing.certPem).fingerprint);
    assert.deepEqual(signed.signer, { role: 'member', id: 'tencent' });
    const received = JSON.parse(JSON.stringify(signed)) as unknown;
    assert.deepEqual(verifySignedObject(received, { ...options, expectedType: 'consent' }), signed);
  });

  it('when keys arrive in another order, then it still verifies and the digest is the same', () => {
    const reordered = reverseKeys(JSON.parse(JSON.stringify(signed))) as SignedObject<typeof body>;
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(signed));
    verifySignedObject(reordered, options);
    assert.equal(signedObjectDigest(reordered), signedObjectDigest(signed));
    assert.match(signedObjectDigest(signed), /^[0-9a-f]{64}$/);
  });

  it('when the object is re-signed, then the digest changes (PSS is randomized)', () => {
    assert.notEqual(signedObjectDigest(signObject('consent', body, tencent)), signedObjectDigest(signed));
  });

  const fieldTampers: [string, string, (o: Wire) => void][] = [
    ['type', 'SIG_INVALID', (o) => (o['type'] = 'policy')],
    ['body value', 'SIG_INVALID', (o) => (o['body'].purpose = 'MARKETING')],
    ['body array element', 'SIG_INVALID', (o) => (o['body'].dataGroups[1] = 'contact')],
    ['nested body number', 'SIG_INVALID', (o) => (o['body'].frequency.value = 2)],
    ['body key added', 'SIG_INVALID', (o) => (o['body'].extra = true)],
    ['body key removed', 'SIG_INVALID', (o) => delete o['body'].dataGroups],
    ['signer.id', 'SIG_UNKNOWN_SIGNER', (o) => (o['signer'].id = 'ant')],
    ['signer.role', 'SIG_UNKNOWN_SIGNER', (o) => (o['signer'].role = 'auditor')],
    ['keyId', 'SIG_UNKNOWN_SIGNER', (o) => (o['keyId'] = '0'.repeat(64))],
    ['alg', 'SIG_MALFORMED', (o) => (o['alg'] = 'RS256')],
    [
      'sig (one character)',
      'SIG_INVALID',
      (o) => (o['sig'] = `${o['sig'].startsWith('A') ? 'B' : 'A'}${o['sig'].slice(1)}`),
    ],
    ['sig (truncated)', 'SIG_INVALID', (o) => (o['sig'] = o['sig'].slice(0, 100))],
    ['sig (not base64url)', 'SIG_INVALID', (o) => (o['sig'] = `${o['sig'].slice(1)}+`)],
    ['extra top-level field', 'SIG_MALFORMED', (o) => (o['note'] = 'x')],
    ['missing field', 'SIG_MALFORMED', (o) => delete o['keyId']],
    ['signer extra field', 'SIG_MALFORMED', (o) => (o['signer'].org = 'x')],
  ];
  for (const [field, code, change] of fieldTampers) {
    it(`when one field is tampered with (${field}), then verification fails with ${code}`, () => {
      rejectsWith(code, () => verifySignedObject(tamper(signed, change), options));
    });
  }

  it('when signer or keyId point at another member’s certificate, then verification fails with SIG_SIGNER_MISMATCH', () => {
    const ant = describeCertificate(members[1]!.signing.certPem).fingerprint;
    rejectsWith('SIG_SIGNER_MISMATCH', () =>
      verifySignedObject(
        tamper(signed, (o) => (o['keyId'] = ant)),
        byKeyId,
      ),
    );
    rejectsWith('SIG_SIGNER_MISMATCH', () =>
      verifySignedObject(
        tamper(signed, (o) => (o['signer'].id = 'ant')),
        byKeyId,
      ),
    );
  });

  it('when the expected type differs, then verification fails with SIG_TYPE', () => {
    rejectsWith('SIG_TYPE', () => verifySignedObject(signed, { ...options, expectedType: 'batch-manifest' }));
  });

  it('when a TLS certificate is used to sign, then signing and verification fail with SIG_SIGNER_MISMATCH', () => {
    rejectsWith('SIG_SIGNER_MISMATCH', () =>
      signObject('consent', body, { ...tencent, signing: tencent.tls }),
    );
    const unsigned = {
      type: 'consent',
      body,
      signer: signed.signer,
      keyId: describeCertificate(tencent.tls.certPem).fingerprint,
      alg: 'PS256',
    };
    const forged = {
      ...unsigned,
      sig: toBase64url(rsaPssSign(tencent.tls.keyPem, canonicalBytes(unsigned))),
    };
    rejectsWith('SIG_SIGNER_MISMATCH', () => verifySignedObject(forged, options));
  });

  it('when the signing certificate is revoked, expired or from another CA, then it fails with SIG_CERT_UNTRUSTED', async () => {
    const serial = describeCertificate(tencent.signing.certPem).serial;
    rejectsWith(
      'SIG_CERT_UNTRUSTED',
      () => verifySignedObject(signed, { ...options, revokedSerials: new Set([serial]) }),
      'CERT_REVOKED',
    );
    rejectsWith(
      'SIG_CERT_UNTRUSTED',
      () => verifySignedObject(signed, { ...options, at: new Date(Date.now() + 900 * 86_400_000) }),
      'CERT_EXPIRED',
    );
    const other = await foreignCa();
    rejectsWith(
      'SIG_CERT_UNTRUSTED',
      () => verifySignedObject(signed, { ...options, caCertPem: other.certPem }),
      'CERT_UNTRUSTED',
    );
  });

  it('when the resolver knows no certificate or returns garbage, then it fails with SIG_UNKNOWN_SIGNER', () => {
    rejectsWith('SIG_UNKNOWN_SIGNER', () =>
      verifySignedObject(signed, { ...options, certificateFor: () => undefined }),
    );
    rejectsWith('SIG_UNKNOWN_SIGNER', () =>
      verifySignedObject(signed, { ...options, certificateFor: () => 'not a pem' }),
    );
  });

  for (const input of [null, 'consent', 42, [], [{ type: 'consent' }], true]) {
    it(`when the input is ${JSON.stringify(input)?.slice(0, 20)}, then it fails with SIG_MALFORMED`, () => {
      rejectsWith('SIG_MALFORMED', () => verifySignedObject(input, options));
    });
  }

  for (const h of REFUSED_JSON) {
    it(`when the body holds ${h.label}, then signing and verification fail with SIG_MALFORMED`, () => {
      rejectsWith('SIG_MALFORMED', () => signObject('consent', h.value(), tencent));
      rejectsWith('SIG_MALFORMED', () => verifySignedObject({ ...signed, body: h.value() }, options));
    });
  }

  it('when the object is larger than 1 MiB, then signing and verification fail with SIG_MALFORMED', () => {
    const huge = { s: 'x'.repeat(2 << 20) };
    rejectsWith('SIG_MALFORMED', () => signObject('consent', huge, tencent));
    rejectsWith('SIG_MALFORMED', () => verifySignedObject({ ...signed, body: huge }, options));
  });

  it('when the body has a __proto__ key, then it is signed as data and removing it breaks the signature', () => {
    const hostile = JSON.parse('{"__proto__": {"admin": true}, "consentId": "c-2"}') as Record<
      string,
      unknown
    >;
    const obj = signObject('consent', hostile, tencent);
    const received = JSON.parse(JSON.stringify(obj)) as SignedObject<Record<string, unknown>>;
    const verified = verifySignedObject<Record<string, unknown>>(received, options);
    assert.ok(Object.hasOwn(verified.body, '__proto__'));
    assert.equal((verified.body as { admin?: unknown }).admin, undefined);
    rejectsWith('SIG_INVALID', () =>
      verifySignedObject(
        tamper(obj, (o) => delete o['body']['__proto__']),
        options,
      ),
    );
    const polluted = JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(obj).slice(1)}`) as unknown;
    rejectsWith('SIG_MALFORMED', () => verifySignedObject(polluted, options));
  });

  it('when the object arrives as deeply nested JSON text, then it fails with SIG_MALFORMED', () => {
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown;
    rejectsWith('SIG_MALFORMED', () => verifySignedObject({ ...signed, body: deep }, options));
  });
});
