/**
 * Test harness for the token authority: a real authority on port 0 over a private copy of the shared
 * test consortium (so rotation and counters never touch the shared one), and a raw mutual-TLS caller
 * for requests the typed client would never send.
 */
import { Writable } from 'node:stream';
import { request } from 'node:https';
import { loadAuditorIdentity, loadBrokerKeys, loadMemberIdentity } from '../../src/keys/load.js';
import { createLogger } from '../../src/ops/logger.js';
import { startTokenAuthority } from '../../src/token-authority/server.js';
import type { RunningTokenAuthority, TokenAuthorityOptions } from '../../src/token-authority/server.js';
import { TokenAuthorityClient } from '../../src/tokenize/authority-client.js';
import { copyConsortium } from '../keys/fixture.js';

export interface Caller {
  certPem: string;
  keyPem: string;
  caCertPem: string;
}

export interface Authority {
  server: RunningTokenAuthority;
  keysDir: string;
  logs: string[];
  client(member: string): Promise<TokenAuthorityClient>;
  stop(): Promise<void>;
}

export async function startAuthority(options: Partial<TokenAuthorityOptions> = {}): Promise<Authority> {
  const keysDir = options.keysDir ?? (await copyConsortium());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await startTokenAuthority({
    threads: 1,
    ...options,
    keysDir,
    port: 0,
    logger: createLogger('info', sink),
  });
  const clients: TokenAuthorityClient[] = [];
  return {
    server,
    keysDir,
    logs,
    async client(member) {
      const c = await TokenAuthorityClient.fromKeys(keysDir, member, server.url);
      clients.push(c);
      return c;
    },
    async stop() {
      clients.forEach((c) => c.close());
      await server.stop();
    },
  };
}

export async function callerFor(keysDir: string, party: string): Promise<Caller> {
  const [role, id = ''] = party.split(':');
  if (role === 'member') {
    const m = await loadMemberIdentity(keysDir, id);
    return { ...m.tls, caCertPem: m.caCertPem };
  }
  if (role === 'auditor') {
    const a = await loadAuditorIdentity(keysDir, id);
    return { ...a.tls, caCertPem: a.caCertPem };
  }
  const b = await loadBrokerKeys(keysDir);
  return { ...b.tls, caCertPem: b.caCertPem };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One request with `caller`'s certificate; JSON in, JSON out. */
export function call(
  url: string,
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, url),
      {
        method,
        cert: caller.certPem,
        key: caller.keyPem,
        ca: caller.caCertPem,
        agent: false,
        headers: payload ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text || '{}') as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
