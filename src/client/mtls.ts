/**
 * What every client of a consortium service shares (broker, log, token authority): a keep-alive
 * https Agent that presents the party's certificate and trusts only the consortium CA, and the
 * reading of an answer, where a non-2xx RFC 9457 problem becomes a BrokerError carrying the
 * server's code, detail, hint, field and details (plus the status and any Retry-After).
 */
import { Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { BrokerError } from '../errors.js';

export interface MtlsIdentity {
  /** The party's certificate and key (PEM). */
  tls: { certPem: string; keyPem: string };
  /** The consortium CA (PEM): the only issuer trusted for the server's certificate. */
  caCertPem: string;
}

export interface MtlsAgentOptions {
  maxSockets: number;
  /**
   * Resume TLS sessions on reconnect (Node's default). Off where the caller checks the server's
   * certificate on each answer: a resumed session carries no peer certificate.
   */
  resumeSessions?: boolean;
}

export function createMtlsAgent(identity: MtlsIdentity, options: MtlsAgentOptions): Agent {
  return new Agent({
    cert: identity.tls.certPem,
    key: identity.tls.keyPem,
    ca: identity.caCertPem,
    keepAlive: true,
    maxSockets: options.maxSockets,
    ...(options.resumeSessions === false ? { maxCachedSessions: 0 } : {}),
  });
}

export interface Answer {
  status: number;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
}

export interface ReadAnswerOptions {
  /** Who answered, for messages: "the broker", "the token authority". */
  peer: string;
  /** Longest body read; past it `tooLarge()` is thrown and the rest is not read. */
  maxBytes?: number;
  tooLarge?: () => Error;
}

/** Reads a whole answer. Throws the server's problem as a BrokerError when the status is not 2xx. */
export async function readAnswer(res: IncomingMessage, options: ReadAnswerOptions): Promise<Answer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      res.destroy();
      throw options.tooLarge?.() ?? new BrokerError('ANSWER_TOO_LARGE', `${options.peer} answered too much`);
    }
    parts.push(chunk as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { status, text, json };
  throw problemError(options.peer, status, json, res.headers['retry-after']);
}

/** The BrokerError for a problem answer (RFC 9457 fields as the broker and the authority send them). */
export function problemError(peer: string, status: number, body: unknown, retryAfter?: string): BrokerError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    detail?: unknown;
    hint?: unknown;
    field?: unknown;
    details?: unknown;
  };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const hint = text(problem.hint);
  const field = text(problem.field);
  const details =
    typeof problem.details === 'object' && problem.details !== null
      ? (problem.details as Record<string, unknown>)
      : {};
  return new BrokerError(
    text(problem.code) ?? `HTTP_${status}`,
    text(problem.detail) ?? `${peer} answered ${status}`,
    {
      ...(hint === undefined ? {} : { hint }),
      ...(field === undefined ? {} : { field }),
      details: { ...details, status, ...(retryAfter === undefined ? {} : { retryAfter }) },
    },
  );
}
