/** `keys init` and the loaders (DESIGN §7): layout, file modes, refusing to overwrite, --force. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeCertificate, keyMatchesCertificate } from '../../src/crypto/pki.js';
import { isBrokerError } from '../../src/errors.js';
import { initKeys } from '../../src/keys/init.js';
import * as layout from '../../src/keys/layout.js';
import {
  loadAuditorIdentity,
  loadBrokerKeys,
  loadConsortium,
  loadMemberIdentity,
  loadTokenAuthority,
  unwrapTokenSecret,
} from '../../src/keys/load.js';
import { equalBytes } from '../../src/util/bytes.js';
import { MEMBERS, removeTempDirs, sharedConsortium, tempDir } from './fixture.js';

const small = { consortium: 'test', members: ['aa', 'bb'], auditors: [], operators: [], days: 30, force: false };

async function mode(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o777;
}

describe('keys init', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = await sharedConsortium();
  });
  after(removeTempDirs);

  it('when a consortium is made, then every party file of the layout exists', async () => {
    const c = await loadConsortium(dir);
    assert.deepEqual(
      c.members.map((m) => m.id),
      MEMBERS,
    );
    const files = [
      layout.consortiumPath(dir),
      ...Object.values(layout.caPaths(dir)),
      ...Object.values(layout.brokerPaths(dir)),
      ...MEMBERS.flatMap((id) => Object.values(layout.memberPaths(dir, id))),
      ...Object.values(layout.auditorPaths(dir, 'cbirc')),
      ...Object.values(layout.operatorPaths(dir, 'ops')),
      ...Object.values(layout.tokenAuthorityPaths(dir)),
    ];
    for (const file of files) await fs.access(file);
    assert.equal(c.schema, 'cn-credit/1');
    assert.equal(c.tokenizer, 'hmac');
    assert.equal(c.epoch, 1);
    assert.equal(c.logKey.name, 'blindbroker.demo/log');
  });

  it('when a consortium is made, then private files are 0600 and directories 0700', async () => {
    const m = layout.memberPaths(dir, 'ant');
    for (const file of [m.key, m.signKey, m.encKey, m.tokenSecret, layout.caPaths(dir).key]) {
      assert.equal(await mode(file), 0o600, file);
    }
    for (const file of [layout.brokerPaths(dir).indexKey, layout.brokerPaths(dir).logKey]) {
      assert.equal(await mode(file), 0o600, file);
    }
    for (const d of [dir, m.dir, path.dirname(m.dir), layout.caPaths(dir).dir]) assert.equal(await mode(d), 0o700, d);
    assert.equal(await mode(m.cert), 0o644);
  });

  it('when certificates are read, then CN, OU and purpose match their place', async () => {
    const member = await loadMemberIdentity(dir, 'didi');
    assert.deepEqual(
      [member.tls, member.signing, member.encryption].map(({ certPem }) => {
        const d = describeCertificate(certPem);
        return `${d.role}:${d.id}:${d.purpose ?? ''}`;
      }),
      ['member:didi:tls-client', 'member:didi:signing', 'member:didi:encryption'],
    );
    assert.ok(keyMatchesCertificate(member.signing.keyPem, member.signing.certPem));
    assert.ok(!keyMatchesCertificate(member.tls.keyPem, member.signing.certPem));
    const ta = await loadTokenAuthority(dir);
    assert.deepEqual(describeCertificate(ta.tls.certPem).purposes, ['tls-server', 'tls-client']);
  });

  it('when members unwrap the token secret, then all get the same 32 bytes and the consortium id', async () => {
    const c = await loadConsortium(dir);
    const secrets = await Promise.all(MEMBERS.map((id) => unwrapTokenSecret(dir, id)));
    for (const s of secrets) {
      assert.equal(s.secret.length, 32);
      assert.ok(equalBytes(s.secret, secrets[0]!.secret));
      assert.equal(s.consortiumId, c.consortiumId);
      assert.equal(s.epoch, 1);
    }
  });

  it('when the token secret is looked for outside members, then no file holds it in clear', async () => {
    const secret = Buffer.from((await unwrapTokenSecret(dir, 'ant')).secret);
    const forms = [secret.toString('base64url'), secret.toString('hex'), secret.toString('base64')];
    const files = await fs.readdir(dir, { recursive: true });
    for (const rel of files) {
      const file = path.join(dir, rel);
      if (!(await fs.stat(file)).isFile()) continue;
      const text = await fs.readFile(file, 'utf8');
      for (const form of forms) assert.ok(!text.includes(form), `${rel} holds the token secret`);
    }
  });

  it('when the broker, auditor and token authority load, then they get their keys and no token secret', async () => {
    const broker = await loadBrokerKeys(dir);
    assert.equal(broker.indexKey.length, 32);
    assert.equal(broker.logKey.name, 'blindbroker.demo/log');
    assert.equal(broker.revokedSerials.size, 0);
    const auditor = await loadAuditorIdentity(dir, 'cbirc');
    assert.ok(equalBytes(auditor.logKey.publicKey, broker.logKey.publicKey));
    assert.equal(auditor.witnessKey.name, 'blindbroker.demo/witness/cbirc');
    const ta = await loadTokenAuthority(dir);
    assert.equal(describeCertificate(ta.tls.certPem).role, 'token-authority');
    for (const d of [layout.brokerPaths(dir).dir, layout.auditorPaths(dir, 'cbirc').dir]) {
      assert.ok(!(await fs.readdir(d)).some((f) => f.includes('token-secret')));
    }
  });

  it('when a member is unknown, then loading fails with KEYS_MISSING naming the path', async () => {
    await assert.rejects(loadMemberIdentity(dir, 'nobody'), (err) => {
      assert.ok(isBrokerError(err, 'KEYS_MISSING'));
      assert.match(String(err.details?.['path']), /members\/nobody/);
      assert.match(err.hint ?? '', /keys init/);
      return true;
    });
  });

  it('when an id is malformed, then init and loaders fail with KEYS_BAD_ID', async () => {
    const target = await tempDir();
    for (const members of [['Tencent'], ['a'], ['../etc'], ['x'.repeat(33)], ['aa', 'aa']]) {
      await assert.rejects(initKeys({ ...small, dir: target, members }), (err) => isBrokerError(err, 'KEYS_BAD_ID'));
    }
    await assert.rejects(initKeys({ ...small, dir: target, consortium: 'Bad Name' }), (err) =>
      isBrokerError(err, 'KEYS_BAD_ID'),
    );
    await assert.rejects(loadMemberIdentity(dir, '../broker'), (err) => isBrokerError(err, 'KEYS_BAD_ID'));
    assert.deepEqual(await fs.readdir(target), []);
  });

  it('when a consortium exists, then init refuses without --force and replaces it with --force', async () => {
    const target = await tempDir();
    await fs.writeFile(path.join(target, 'README.md'), 'kept\n');
    const first = await initKeys({ ...small, dir: target });
    await assert.rejects(initKeys({ ...small, dir: target }), (err) => {
      assert.ok(isBrokerError(err, 'KEYS_EXIST'));
      assert.match(err.hint ?? '', /--force/);
      return true;
    });
    const second = await initKeys({ ...small, dir: target, members: ['cc'], force: true });
    assert.notEqual(second.consortiumId, first.consortiumId);
    assert.deepEqual(await fs.readdir(path.join(target, 'members')), ['cc']);
    assert.equal(await fs.readFile(path.join(target, 'README.md'), 'utf8'), 'kept\n');
    assert.ok(!(await fs.readdir(target)).some((f) => f.startsWith('.init-')));
  });
});
