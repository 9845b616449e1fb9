/**
 * The typed client lenders call from their own services (`import { MemberClient } from
 * 'blindbroker'`): mutual TLS (RFC 8446) with the member's TLS certificate, trusting only the
 * consortium CA. Problems (RFC 9457) come back as BrokerError with the server's stable code.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:https';
import type { Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BrokerError } from '../errors.js';
import type { IngestResult } from '../ingest/ingest-batch.js';
import { loadMemberIdentity } from '../keys/load.js';
import { createMtlsAgent, readAnswer } from './mtls.js';
import type { SubmissionSummary } from '../store/record-store.js';

export interface MemberClientOptions {
  /** e.g. https://127.0.0.1:8443 */
  brokerUrl: string;
  tls: { certPem: string; keyPem: string };
  caCertPem: string;
}

export interface SubmitAccepted {
  jobId: string;
  batchId: string;
}

export interface JobStatus {
  jobId: string;
  state: string;
  progress: number;
  attempts: number;
  createdAt: string;
  finishedAt?: string;
  result?: IngestResult;
  failedReason?: string;
}

export interface SubmitOptions {
  /** Called as bytes go out; `total` is known for files. */
  onProgress?: (sentBytes: number, totalBytes: number | undefined) => void;
}

export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
  onProgress?: (job: JobStatus) => void;
}

type Body = Readable | undefined;

export class MemberClient {
  readonly #base: URL;
  readonly #agent: Agent;

  constructor(options: MemberClientOptions) {
    this.#base = new URL(options.brokerUrl);
    this.#agent = createMtlsAgent(options, { maxSockets: 8 });
  }

  /** A client from `keys/members/<id>/`. Throws KEYS_MISSING, KEYS_BAD_ID. */
  static async fromKeys(keysDir: string, memberId: string, brokerUrl: string): Promise<MemberClient> {
    const identity = await loadMemberIdentity(keysDir, memberId);
    return new MemberClient({ brokerUrl, tls: identity.tls, caCertPem: identity.caCertPem });
  }

  /**
   * Uploads a batch file (path) or stream. Throws BrokerError with the server's code (BODY_TOO_LARGE,
   * MANIFEST_INVALID, REDIS_UNAVAILABLE, …) or BROKER_UNREACHABLE.
   */
  async submitBatch(
    source: string | Readable | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: SubmitOptions = {},
  ): Promise<SubmitAccepted> {
    let total: number | undefined;
    let body: Readable;
    if (typeof source === 'string') {
      total = (await stat(source)).size;
      body = createReadStream(source, { highWaterMark: 256 * 1024 });
    } else body = source instanceof Readable ? source : Readable.from(source);
    let sent = 0;
    body.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      options.onProgress?.(sent, total);
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (total !== undefined) headers['content-length'] = String(total);
    return (await this.#call('POST', '/v1/submissions', headers, body)) as SubmitAccepted;
  }

  /** Throws JOB_NOT_FOUND for a job that is not the caller's. */
  async getJob(jobId: string): Promise<JobStatus> {
    return (await this.#call('GET', `/v1/jobs/${encodeURIComponent(jobId)}`)) as JobStatus;
  }

  /** Polls until the job completed or failed; throws JOB_TIMEOUT past timeoutMs (default 10 min). */
  async waitForJob(jobId: string, options: WaitOptions = {}): Promise<JobStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const job = await this.getJob(jobId);
      options.onProgress?.(job);
      if (job.state === 'completed' || job.state === 'failed') return job;
      if (Date.now() > deadline) throw new BrokerError('JOB_TIMEOUT', `job ${jobId} did not finish in time`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }

  async listSubmissions(): Promise<SubmissionSummary[]> {
    return ((await this.#call('GET', '/v1/submissions')) as { submissions: SubmissionSummary[] }).submissions;
  }

  /** Withdraws one record; throws RECORD_NOT_FOUND when the caller holds none with that id. */
  async withdraw(recordId: string): Promise<void> {
    await this.#call('DELETE', `/v1/records/${encodeURIComponent(recordId)}`);
  }

  /**
   * Registers a consent: `consent` is the signed `consent.grant`, `subject` its opening {salt,
   * tokens}. Throws SIG_*, CONSENT_* grant codes, CONSENT_CONFLICT.
   */
  async grantConsent(consent: unknown, subject: unknown): Promise<{ consentId: string; receipt: unknown }> {
    return (await this.#json('POST', '/v1/consents', { consent, subject })) as {
      consentId: string;
      receipt: unknown;
    };
  }

  /** Sends a signed consent.pause|resume|revoke. Throws CONSENT_* lifecycle codes. */
  async changeConsent(
    consentId: string,
    action: 'pause' | 'resume' | 'revoke',
    request: unknown,
  ): Promise<{ consentId: string; status: string; receipt: unknown }> {
    return (await this.#json('POST', `/v1/consents/${encodeURIComponent(consentId)}/${action}`, request)) as {
      consentId: string;
      status: string;
      receipt: unknown;
    };
  }

  /** The caller's consents with state and usage. */
  async listConsents(): Promise<unknown[]> {
    return ((await this.#call('GET', '/v1/consents')) as { consents: unknown[] }).consents;
  }

  /** Puts a signed `policy.set` in force. Throws SIG_*, POLICY_INVALID, POLICY_STALE. */
  async putPolicy(signed: unknown): Promise<{ version: number; receipt: unknown }> {
    return (await this.#json('PUT', '/v1/policy', signed)) as { version: number; receipt: unknown };
  }

  /**
   * A consented lookup; with `waitSeconds` > 0 answers the result inline when the job finishes in
   * time (else `{jobId}`). Throws the job's code (CONSENT_*, MATCH_*) when it failed.
   */
  async match(
    request: { consentId: string; tokens: Record<string, string>; groups: string[]; purpose?: string },
    waitSeconds = 10,
  ): Promise<unknown> {
    return this.#json('POST', `/v1/matches?wait=${waitSeconds}`, request);
  }

  /** A match job's state and, once completed, its result. Throws JOB_NOT_FOUND. */
  async getMatch(jobId: string): Promise<JobStatus & { result?: unknown }> {
    return (await this.#call('GET', `/v1/matches/${encodeURIComponent(jobId)}`)) as JobStatus;
  }

  /** Uploads a screening portfolio (NDJSON of {ref, tokens}) under a consent; returns the job id. */
  async screen(consentId: string, ndjson: string | Iterable<Uint8Array>): Promise<{ jobId: string }> {
    const body = Readable.from(typeof ndjson === 'string' ? [Buffer.from(ndjson)] : ndjson);
    return (await this.#call(
      'POST',
      `/v1/screens?consentId=${encodeURIComponent(consentId)}`,
      { 'content-type': 'application/x-ndjson' },
      body,
    )) as { jobId: string };
  }

  /** A screening job's state and progress. Throws JOB_NOT_FOUND. */
  async getScreen(jobId: string): Promise<JobStatus> {
    return (await this.#call('GET', `/v1/screens/${encodeURIComponent(jobId)}`)) as JobStatus;
  }

  /** The reported rows of a completed screening job. Throws JOB_NOT_FINISHED. */
  async screenRows(jobId: string): Promise<unknown[]> {
    const text = (await this.#call(
      'GET',
      `/v1/screens/${encodeURIComponent(jobId)}/rows`,
      {},
      undefined,
      true,
    )) as string;
    return text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as unknown);
  }

  /** The caller's usage feed after `after` (a cursor it returned, or "0"). */
  async events(
    after = '0',
    limit = 100,
  ): Promise<{ events: Array<Record<string, unknown>>; cursor: string }> {
    const q = `after=${encodeURIComponent(after)}&limit=${limit}`;
    return (await this.#call('GET', `/v1/events?${q}`)) as {
      events: Array<Record<string, unknown>>;
      cursor: string;
    };
  }

  /** Operator only: pairwise member overlap counts. */
  async overlap(): Promise<unknown> {
    return this.#call('GET', '/v1/stats/overlap');
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #json(method: string, path: string, value: unknown): Promise<unknown> {
    const body = Readable.from([Buffer.from(JSON.stringify(value))]);
    return this.#call(method, path, { 'content-type': 'application/json' }, body);
  }

  #call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Body,
    text = false,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = request(new URL(path, this.#base), { method, agent: this.#agent, headers }, (res) => {
        answered = true;
        readResponse(res, text).then(resolve, reject);
      });
      req.on('error', (err) => {
        // Once the broker has answered (e.g. 413 before the whole body was sent), a reset on the
        // upload side is expected and the answer stands.
        if (!answered)
          reject(
            new BrokerError('BROKER_UNREACHABLE', `cannot reach the broker: ${err.message}`, { cause: err }),
          );
      });
      if (body) {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      } else req.end();
    });
  }
}

async function readResponse(res: IncomingMessage, asText = false): Promise<unknown> {
  const answer = await readAnswer(res, { peer: 'the broker' });
  if (answer.status === 204) return undefined;
  return asText ? answer.text : answer.json;
}
