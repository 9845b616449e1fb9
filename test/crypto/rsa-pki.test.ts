/** RSA-OAEP-256 / RSA-PSS wrappers (RFC 8017) and forge certificate issuance (RFC 5280) details. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  createConsortiumCa,
  describeCertificate,
  issueCertificate,
  verifyCertificateChain,
} from '../../src/crypto/pki.js';
import type { CertificateAuthority } from '../../src/crypto/pki.js';
import {
  generateRsaKeyPair,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaPssSign,
  rsaPssVerify,
} from '../../src/crypto/rsa.js';
import type { RsaKeyPair } from '../../src/crypto/rsa.js';
import { isBrokerError } from '../../src/errors.js';
import { utf8 } from '../../src/util/bytes.js';

describe('crypto/rsa and crypto/pki', function () {
  this.timeout(60_000);
  let ca: CertificateAuthority;
  let pair: RsaKeyPair;
  let certPem: string;

  before(async () => {
    const [caPair, leaf] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    ca = { certPem: createConsortiumCa({ consortium: 'demo', ...caPair }), keyPem: caPair.privateKeyPem };
    pair = leaf;
    certPem = issueCertificate(ca, {
      id: 'broker',
      role: 'broker',
      consortium: 'demo',
      purposes: ['tls-server'],
      publicKeyPem: leaf.publicKeyPem,
    });
  });

  it('when data is wrapped with an OAEP label, then only the same key and label unwrap it', () => {
    const secret = new Uint8Array(32).fill(9);
    const wrapped = rsaOaepEncrypt(certPem, secret, utf8('ctx-1'));
    assert.deepEqual(rsaOaepDecrypt(pair.privateKeyPem, wrapped, utf8('ctx-1')), secret);
    assert.throws(
      () => rsaOaepDecrypt(pair.privateKeyPem, wrapped, utf8('ctx-2')),
      (err) => isBrokerError(err, 'DECRYPT_FAILED'),
    );
    assert.throws(
      () => rsaOaepDecrypt(ca.keyPem, wrapped, utf8('ctx-1')),
      (err) => isBrokerError(err, 'DECRYPT_FAILED'),
    );
  });

  it('when a PSS signature is checked, then it verifies with the certificate and fails on any change', () => {
    const sig = rsaPssSign(pair.privateKeyPem, utf8('hello'));
    assert.equal(sig.length, 256);
    assert.ok(rsaPssVerify(certPem, utf8('hello'), sig));
    assert.ok(rsaPssVerify(pair.publicKeyPem, utf8('hello'), sig));
    assert.ok(!rsaPssVerify(certPem, utf8('hellp'), sig));
    assert.ok(!rsaPssVerify(certPem, utf8('hello'), sig.subarray(1)));
    assert.throws(
      () => rsaPssVerify('garbage', utf8('x'), sig),
      (err) => isBrokerError(err, 'KEY_MALFORMED'),
    );
  });

  it('when OpenSSL reads an issued certificate, then it is SHA-256 signed with the expected SAN and a positive serial', () => {
    const x509 = new X509Certificate(certPem);
    assert.ok(x509.checkIssued(new X509Certificate(ca.certPem)));
    assert.ok(x509.verify(new X509Certificate(ca.certPem).publicKey));
    assert.match(x509.subjectAltName ?? '', /URI:urn:blindbroker:broker:broker/);
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
    assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(
      x509.fingerprint256.replace(/:/g, '').toLowerCase(),
      describeCertificate(certPem).fingerprint,
    );
    assert.equal(x509.serialNumber.toLowerCase(), describeCertificate(certPem).serial);
    assert.ok(Number.parseInt(describeCertificate(certPem).serial.slice(0, 2), 16) < 0x80);
    assert.ok(x509.ca === false && new X509Certificate(ca.certPem).ca);
  });

  it('when a certificate is read, then describe and chain checks agree and bad input is CERT_MALFORMED', () => {
    const d = verifyCertificateChain(certPem, ca.certPem);
    assert.deepEqual([d.role, d.id, d.consortium, d.purpose], ['broker', 'broker', 'demo', 'tls-server']);
    for (const bad of [
      '',
      'not pem',
      certPem + certPem,
      certPem.replace(/\n[^\n]+\n-----END/, '\n-----END'),
    ]) {
      assert.throws(
        () => describeCertificate(bad),
        (err) => isBrokerError(err, 'CERT_MALFORMED'),
      );
    }
    assert.throws(
      () => verifyCertificateChain(ca.certPem, certPem),
      (err) => isBrokerError(err, 'CERT_UNTRUSTED'),
    );
  });
});
