/**
 * The auditor's (and a member's) HTTP client for the transparency-log API (DESIGN §5, §7): mutual
 * TLS with the party's TLS certificate, trusting only the consortium CA. It implements LogSource
 * for the audit; every answer is untrusted input, checked for shape here and verified by the
 * caller (checkpoint signature, proofs, replay). Problems (RFC 9457) become BrokerError.
 */
import { request } from 'node:https';
import type { Agent } from 'node:https';
import { createMtlsAgent, readAnswer } from '../client/mtls.js';
import { BrokerError } from '../errors.js';
import { fromBase64Strict } from '../ledger/base64.js';
import { HASH_SIZE } from '../ledger/merkle.js';
import type { LogSource } from './source.js';

export interface LogClientOptions {
  readonly brokerUrl: string;
  readonly tls: { certPem: string; keyPem: string };
  readonly caCertPem: string;
}

/** Largest answer accepted (a page of 1000 entries of at most 64 KiB each would be larger; real pages are not). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

function badAnswer(what: string): BrokerError {
  return new BrokerError('LOG_BAD_ANSWER', `the broker's ${what} answer is malformed`, {
    hint: 'the broker is not serving the log API as documented; report it',
  });
}

function hashes(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value) || value.length > 64) throw badAnswer(what);
  return value.map((h) => {
    const bytes = typeof h === 'string' ? fromBase64Strict(h) : undefined;
    if (bytes === undefined || bytes.length !== HASH_SIZE) throw badAnswer(what);
    return bytes;
  });
}

export class LogClient implements LogSource {
  readonly #base: URL;
  readonly #agent: Agent;

  constructor(options: LogClientOptions) {
    this.#base = new URL(options.brokerUrl);
    this.#agent = createMtlsAgent(options, { maxSockets: 8 });
  }

  /** The latest checkpoint note (with `cosigned`, the one carrying witness cosignatures). Throws BrokerError. */
  async checkpoint(cosigned = false): Promise<string> {
    return (await this.#call('GET', `/v1/log/checkpoint${cosigned ? '?cosigned=1' : ''}`)).text;
  }

  /** Entry texts [start, end). Throws BrokerError, LOG_BAD_ANSWER. */
  async entries(start: number, end: number): Promise<string[]> {
    const value = (await this.#call('GET', `/v1/log/entries?start=${start}&end=${end}`)).json as {
      entries?: unknown;
    };
    const list = value?.entries;
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string')) throw badAnswer('entries');
    return list as string[];
  }

  /** PROOF(from, D[to]). Throws BrokerError, LOG_BAD_ANSWER. */
  async consistency(from: number, to: number): Promise<Uint8Array[]> {
    const value = (await this.#call('GET', `/v1/log/proof/consistency?from=${from}&to=${to}`)).json as {
      proof?: unknown;
    };
    return hashes(value?.proof, 'consistency proof');
  }

  /** PATH(index, D[size]) and the leaf hash the broker holds. Throws BrokerError, LOG_BAD_ANSWER. */
  async inclusion(index: number, size: number): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }> {
    const value = (await this.#call('GET', `/v1/log/proof/inclusion?index=${index}&size=${size}`)).json as {
      leafHash?: unknown;
      proof?: unknown;
    };
    const [leafHash] = hashes([value?.leafHash], 'inclusion proof');
    return { leafHash: leafHash as Uint8Array, proof: hashes(value?.proof, 'inclusion proof') };
  }

  /** Sends a cosigned checkpoint note (auditors only). Throws BrokerError. */
  async sendCosignature(note: string): Promise<void> {
    await this.#call('POST', '/v1/log/cosignatures', note);
  }

  close(): void {
    this.#agent.destroy();
  }

  #call(method: string, path: string, body?: string): Promise<{ text: string; json: unknown }> {
    return new Promise((resolve, reject) => {
      const headers = body === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' };
      const req = request(new URL(path, this.#base), { method, agent: this.#agent, headers }, (res) => {
        readAnswer(res, {
          peer: 'the broker',
          maxBytes: MAX_ANSWER_BYTES,
          tooLarge: () => badAnswer('oversized'),
        }).then(resolve, reject);
      });
      req.on('error', (err) =>
        reject(
          new BrokerError('BROKER_UNREACHABLE', `cannot reach the broker: ${err.message}`, { cause: err }),
        ),
      );
      req.end(body);
    });
  }
}
