/** `keys verify` and `keys revoke` (DESIGN §7): a clean consortium passes; each kind of damage is a named finding. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { describeCertificate, issueCertificate } from '../../src/crypto/pki.js';
import { rsaPublicKeyPem } from '../../src/crypto/rsa.js';
import { isBrokerError } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import * as layout from '../../src/keys/layout.js';
import { loadRevocationList, revokeCertificates } from '../../src/keys/revocation.js';
import { wrapTokenSecret } from '../../src/keys/token-secret.js';
import { verifyKeys } from '../../src/keys/verify.js';
import { copyConsortium, foreignCa, issueFor, removeTempDirs, sharedConsortium } from './fixture.js';

function codesAt(report: { findings: { code: string; path: string }[] }, fragment: string): string[] {
  return report.findings.filter((f) => f.path.includes(fragment)).map((f) => f.code);
}

/** Runs the CLI with stdout captured. */
async function cli(args: string[]): Promise<{ status: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    const status = await main(['node', 'blindbroker', ...args]);
    return { status, out };
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}

describe('keys verify', function () {
  this.timeout(120_000);

  before(async () => {
    await sharedConsortium();
  });
  after(removeTempDirs);

  it('when the consortium is untouched, then verify finds nothing and the CLI exits 0', async () => {
    const dir = await sharedConsortium();
    const report = await verifyKeys(dir);
    assert.deepEqual(report.findings, []);
    assert.equal(report.certificates.length, 17);
    const { status, out } = await cli(['keys', 'verify', '--dir', dir, '--json']);
    assert.equal(status, 0);
    assert.equal((JSON.parse(out) as { ok: boolean }).ok, true);
  });

  it('when a member holds another member’s certificate, then verify reports wrong place, fingerprint and key', async () => {
    const dir = await copyConsortium();
    await fs.copyFile(layout.memberPaths(dir, 'ant').cert, layout.memberPaths(dir, 'tencent').cert);
    const report = await verifyKeys(dir);
    assert.deepEqual(codesAt(report, 'members/tencent/').sort(), ['KEYS_FINGERPRINT', 'KEYS_MISMATCH', 'KEYS_WRONG_PLACE']);
    const { status, out } = await cli(['keys', 'verify', '--dir', dir]);
    assert.equal(status, 1);
    assert.match(out, /KEYS_WRONG_PLACE/);
  });

  it('when a certificate comes from another CA, then verify reports CERT_UNTRUSTED', async () => {
    const dir = await copyConsortium();
    const other = await issueFor(await foreignCa(), 'member', 'didi', ['signing']);
    const p = layout.memberPaths(dir, 'didi');
    await fs.writeFile(p.signCert, other.certPem);
    await fs.writeFile(p.signKey, other.keyPem);
    assert.deepEqual(codesAt(await verifyKeys(dir), 'sign-cert.pem'), ['CERT_UNTRUSTED', 'KEYS_FINGERPRINT']);
  });

  it('when a party is revoked, then its certificates are reported CERT_REVOKED and no others', async () => {
    const dir = await copyConsortium();
    const { status } = await cli(['keys', 'revoke', '--dir', dir, '--party', 'member:didi', '--json']);
    assert.equal(status, 0);
    const report = await verifyKeys(dir);
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['CERT_REVOKED', 'CERT_REVOKED', 'CERT_REVOKED'],
    );
    assert.ok(report.findings.every((f) => f.path.includes('members/didi/')));
    assert.equal((await loadRevocationList(dir)).size, 3);
  });

  it('when one serial is revoked twice, then the list holds it once and says nothing was added', async () => {
    const dir = await copyConsortium();
    const serial = describeCertificate(await fs.readFile(layout.brokerPaths(dir).cert, 'utf8')).serial;
    assert.deepEqual((await revokeCertificates(dir, { serial })).added, [serial]);
    assert.deepEqual((await revokeCertificates(dir, { serial: serial.toUpperCase() })).added, []);
    assert.deepEqual([...(await loadRevocationList(dir))], [serial]);
    await assert.rejects(revokeCertificates(dir, { serial: 'zz' }), (err) => isBrokerError(err, 'KEYS_BAD_SERIAL'));
    await assert.rejects(revokeCertificates(dir, { party: 'ghost:x1' }), (err) => isBrokerError(err, 'KEYS_BAD_PARTY'));
  });

  it('when the revocation list is edited, then its signature fails with KEYS_REVOCATION_INVALID', async () => {
    const dir = await copyConsortium();
    const file = layout.caPaths(dir).revoked;
    const list = JSON.parse(await fs.readFile(file, 'utf8')) as { serials: string[] };
    list.serials.push('01');
    await fs.writeFile(file, JSON.stringify(list));
    await assert.rejects(loadRevocationList(dir), (err) => isBrokerError(err, 'KEYS_REVOCATION_INVALID'));
    assert.deepEqual(codesAt(await verifyKeys(dir), 'revoked.json'), ['KEYS_REVOCATION_INVALID']);
  });

  it('when the CA key is offline, then revoke fails with KEYS_MISSING and verify still passes', async () => {
    const dir = await copyConsortium();
    await fs.rm(layout.caPaths(dir).key);
    await assert.rejects(revokeCertificates(dir, { party: 'member:ant' }), (err) => isBrokerError(err, 'KEYS_MISSING'));
    const report = await verifyKeys(dir);
    assert.deepEqual(report.findings, []);
    assert.equal(report.caKeyOnline, false);
  });

  it('when a certificate was issued backdated and has run out, then verify reports CERT_EXPIRED', async () => {
    const dir = await copyConsortium();
    const ca = layout.caPaths(dir);
    const p = layout.memberPaths(dir, 'baihe');
    const keyPem = await fs.readFile(p.key, 'utf8');
    const expired = issueCertificate(
      { certPem: await fs.readFile(ca.cert, 'utf8'), keyPem: await fs.readFile(ca.key, 'utf8') },
      {
        id: 'baihe',
        role: 'member',
        consortium: 'demo',
        purposes: ['tls-client'],
        publicKeyPem: rsaPublicKeyPem(keyPem),
        notBefore: new Date(Date.now() - 30 * 86_400_000),
        days: 1,
      },
    );
    await fs.writeFile(p.cert, expired);
    assert.deepEqual(codesAt(await verifyKeys(dir), 'members/baihe/cert.pem'), ['CERT_EXPIRED', 'KEYS_FINGERPRINT']);
  });

  it('when verify runs at a date after the validity, then every certificate is CERT_EXPIRED', async () => {
    const dir = await sharedConsortium();
    const report = await verifyKeys(dir, { at: new Date(Date.now() + 900 * 86_400_000) });
    assert.equal(report.findings.filter((f) => f.code === 'CERT_EXPIRED').length, 17);
  });

  it('when one member holds a different token secret, then verify reports KEYS_TOKEN_SECRET', async () => {
    const dir = await copyConsortium();
    const c = JSON.parse(await fs.readFile(layout.consortiumPath(dir), 'utf8')) as { consortiumId: string };
    const p = layout.memberPaths(dir, 'ant');
    const wrapped = wrapTokenSecret(await fs.readFile(p.encCert, 'utf8'), new Uint8Array(32).fill(7), {
      consortium: 'demo',
      consortiumId: c.consortiumId,
      epoch: 1,
    });
    await fs.writeFile(p.tokenSecret, JSON.stringify(wrapped), { mode: 0o600 });
    const report = await verifyKeys(dir);
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]?.code, 'KEYS_TOKEN_SECRET');
    assert.doesNotMatch(JSON.stringify(report), /wrapped/);
  });

  it('when a token secret is wrapped to another member, then verify reports KEYS_TOKEN_SECRET', async () => {
    const dir = await copyConsortium();
    await fs.copyFile(layout.memberPaths(dir, 'ant').tokenSecret, layout.memberPaths(dir, 'didi').tokenSecret);
    assert.deepEqual(codesAt(await verifyKeys(dir), 'members/didi/'), ['KEYS_TOKEN_SECRET']);
  });

  it('when a private key is world-readable, then verify reports KEYS_PERMISSIONS', async () => {
    const dir = await copyConsortium();
    await fs.chmod(layout.memberPaths(dir, 'ant').signKey, 0o644);
    assert.deepEqual(codesAt(await verifyKeys(dir), 'sign-key.pem'), ['KEYS_PERMISSIONS']);
  });

  it('when the published log key differs from the broker’s, then verify reports KEYS_LOG_KEY', async () => {
    const dir = await copyConsortium();
    const file = layout.brokerPaths(dir).logKeyPub;
    await fs.writeFile(file, JSON.stringify({ name: 'blindbroker.demo/log', publicKey: 'A'.repeat(43) }));
    assert.deepEqual(codesAt(await verifyKeys(dir), 'log-key.pub'), ['KEYS_LOG_KEY']);
  });

  it('when a file is missing, then verify reports KEYS_MISSING with its path', async () => {
    const dir = await copyConsortium();
    await fs.rm(layout.memberPaths(dir, 'tencent').encKey);
    const report = await verifyKeys(dir);
    assert.ok(report.findings.some((f) => f.code === 'KEYS_MISSING' && f.path.endsWith('tencent/enc-key.pem')));
  });
});
