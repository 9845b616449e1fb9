/**
 * The consortium PKI in Node's TLS (DESIGN §7): forge-issued SHA-256 certificates work for mutual TLS,
 * the peer certificate names the caller, and a certificate from another CA is refused.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import * as layout from '../../src/keys/layout.js';
import { loadBrokerKeys, loadMemberIdentity } from '../../src/keys/load.js';
import { foreignCa, issueFor, sharedConsortium } from './fixture.js';

interface Client {
  certPem: string;
  keyPem: string;
  caCertPem: string;
}

function get(port: number, client: Client): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'localhost',
        port,
        path: '/',
        cert: client.certPem,
        key: client.keyPem,
        ca: client.caCertPem,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('mutual TLS with consortium certificates', function () {
  this.timeout(120_000);
  let server: https.Server;
  let port: number;
  let dir: string;
  let handled = 0;

  before(async () => {
    dir = await sharedConsortium();
    const broker = await loadBrokerKeys(dir);
    server = https.createServer(
      {
        cert: broker.tls.certPem,
        key: broker.tls.keyPem,
        ca: broker.caCertPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        handled += 1;
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.end(`${String(peer.subject.OU)}:${String(peer.subject.CN)}`);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('when a member presents its TLS certificate, then the broker accepts it and sees its role and id', async () => {
    const member = await loadMemberIdentity(dir, 'tencent');
    const res = await get(port, { ...member.tls, caCertPem: member.caCertPem });
    assert.deepEqual(res, { status: 200, body: 'member:tencent' });
  });

  it('when a client presents a certificate from another CA, then the handshake is refused', async () => {
    const member = await loadMemberIdentity(dir, 'tencent');
    const stranger = await issueFor(await foreignCa(), 'member', 'tencent', ['tls-client']);
    const served = handled;
    await assert.rejects(get(port, { ...stranger, caCertPem: member.caCertPem }));
    assert.equal(handled, served, 'the request handler never ran');
  });

  it('when a client presents no certificate, then the handshake is refused', async () => {
    const caCertPem = await fs.readFile(layout.caPaths(dir).cert, 'utf8');
    await assert.rejects(
      new Promise((resolve, reject) => {
        https.get({ host: 'localhost', port, ca: caCertPem, agent: false }, resolve).on('error', reject);
      }),
    );
  });

  it('when a client trusts another CA, then it refuses the broker', async () => {
    const member = await loadMemberIdentity(dir, 'ant');
    const other = await foreignCa();
    await assert.rejects(get(port, { ...member.tls, caCertPem: other.certPem }), /self[- ]signed|unable to verify/i);
  });
});
