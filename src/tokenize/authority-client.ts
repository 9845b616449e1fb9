/**
 * The member's client of the token authority (DESIGN §2, oprf mode): mutual TLS (RFC 8446) with the
 * member's TLS certificate, trusting only the consortium CA, and refusing any server whose
 * certificate does not name the token-authority role (another consortium party cannot stand in for
 * it). Carries RFC 9497 blinded elements out and evaluated elements plus a batch proof back; problems
 * (RFC 9457) come back as BrokerError with the authority's code and Retry-After.
 */
import { request } from 'node:https';
import type { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ELEMENT_BYTES, PROOF_BYTES } from '../crypto/oprf.js';
import type { EvaluatedBatch } from '../crypto/oprf.js';
import { createMtlsAgent, readAnswer } from '../client/mtls.js';
import { BrokerError } from '../errors.js';
import { loadMemberIdentity } from '../keys/load.js';
import type { PublicOprfKeys } from '../token-authority/key-files.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';

export interface AuthorityClientOptions {
  /** e.g. https://127.0.0.1:8444 */
  url: string;
  tls: { certPem: string; keyPem: string };
  caCertPem: string;
}

/** What the tokenizer needs from an authority (tests substitute a tampering one). */
export interface TokenAuthorityApi {
  keys(): Promise<PublicOprfKeys>;
  evaluate(epoch: number, blinded: Uint8Array[]): Promise<EvaluatedBatch>;
  close(): void;
}

function badResponse(message: string, cause?: unknown): BrokerError {
  return new BrokerError('TA_BAD_RESPONSE', `the token authority answered badly: ${message}`, { cause });
}

export class TokenAuthorityClient implements TokenAuthorityApi {
  readonly #base: URL;
  readonly #agent: Agent;

  constructor(options: AuthorityClientOptions) {
    this.#base = new URL(options.url);
    // A resumed TLS session carries no peer certificate, so the role check below could not run
    // on a reconnect: every new connection makes a full handshake (keep-alive keeps them rare).
    this.#agent = createMtlsAgent(options, { maxSockets: 16, resumeSessions: false });
  }

  /** A client from `keys/members/<id>/`. Throws KEYS_MISSING, KEYS_BAD_ID. */
  static async fromKeys(keysDir: string, memberId: string, url: string): Promise<TokenAuthorityClient> {
    const identity = await loadMemberIdentity(keysDir, memberId);
    return new TokenAuthorityClient({ url, tls: identity.tls, caCertPem: identity.caCertPem });
  }

  /** GET /v1/keys. Throws TA_UNREACHABLE, TA_NOT_AUTHORITY, or the authority's problem code. */
  async keys(): Promise<PublicOprfKeys> {
    return (await this.#call('GET', '/v1/keys')) as PublicOprfKeys;
  }

  /**
   * POST /v1/evaluate. Checks the answer's shape (one 32-byte element per blinded element, a 64-byte
   * proof); the proof itself is verified by the caller. Throws TA_BAD_RESPONSE, TA_UNREACHABLE,
   * TA_NOT_AUTHORITY, or the authority's code (TA_RATE_LIMITED, TA_QUOTA_EXCEEDED, …).
   */
  async evaluate(epoch: number, blinded: Uint8Array[]): Promise<EvaluatedBatch> {
    const body = JSON.stringify({ epoch, blinded: blinded.map(toBase64url) });
    const answer = (await this.#call('POST', '/v1/evaluate', body)) as {
      evaluated?: unknown;
      proof?: unknown;
    };
    if (!Array.isArray(answer?.evaluated) || answer.evaluated.length !== blinded.length) {
      throw badResponse(`expected ${blinded.length} evaluated elements`);
    }
    try {
      return {
        evaluated: answer.evaluated.map((e) => fromBase64url(e as string, ELEMENT_BYTES)),
        proof: fromBase64url(answer.proof as string, PROOF_BYTES),
      };
    } catch (cause) {
      throw badResponse('elements or proof are not base64url of the right length', cause);
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #call(method: string, path: string, body?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const req = request(new URL(path, this.#base), { method, agent: this.#agent, headers }, (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        if (peer.subject?.OU !== 'token-authority') {
          res.destroy();
          reject(
            new BrokerError(
              'TA_NOT_AUTHORITY',
              `the server at ${this.#base.host} is not the token authority`,
            ),
          );
          return;
        }
        readAnswer(res, { peer: 'the token authority' }).then((answer) => resolve(answer.json), reject);
      });
      req.on('error', (err) =>
        reject(
          new BrokerError('TA_UNREACHABLE', `cannot reach the token authority: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      req.end(body);
    });
  }
}
