/**
 * The OpenAPI 3.1 description of the broker API. test/api/openapi.test.ts checks that it lists
 * exactly the routes Express registers. Every error is an RFC 9457 problem document.
 */
import { matchingPaths, matchingSchemas } from './openapi-matching.js';

const problem = {
  description: 'RFC 9457 problem document with a stable `code`',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: '#/components/responses/Problem' }]));

const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const int = (name: string) => ({
  name,
  in: 'query',
  required: true,
  schema: { type: 'integer', minimum: 0 },
});

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'blindbroker broker API',
      version: '0.1.0',
      description:
        'Mutual TLS: every call presents a consortium client certificate (OU = role, CN = id). ' +
        'No response ever carries a token or an index key.',
    },
    servers: [{ url: 'https://127.0.0.1:8443' }],
    security: [{ mutualTLS: [] }],
    paths: {
      '/v1/submissions': {
        post: {
          summary: 'Submit a signed batch (NDJSON: manifest line, then one record per line); streamed',
          requestBody: {
            required: true,
            content: { 'application/x-ndjson': { schema: { type: 'string' } } },
          },
          responses: {
            '202': json({ $ref: '#/components/schemas/Accepted' }, 'staged and queued for ingest'),
            ...errors(400, 403, 413, 415, 503),
          },
        },
        get: {
          summary: "The caller's submissions with their counts, newest first",
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  submissions: { type: 'array', items: { $ref: '#/components/schemas/Submission' } },
                },
              },
              'submissions',
            ),
            ...errors(403, 503),
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'State, progress, counts and failure reason of one of the caller’s jobs',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json({ $ref: '#/components/schemas/Job' }, 'the job'),
            ...errors(403, 404, 503),
          },
        },
      },
      '/v1/records/{recordId}': {
        delete: {
          summary: 'Withdraw one of the caller’s records (its index entries go too)',
          parameters: [{ name: 'recordId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'withdrawn' }, ...errors(400, 403, 404, 503) },
        },
      },
      // transparency log (DESIGN §5; src/api/routes/log.ts)
      '/v1/log/checkpoint': {
        get: {
          summary:
            'The latest signed checkpoint (C2SP tlog-checkpoint signed note), any role; ?cosigned=1 for the latest one carrying witness cosignatures',
          parameters: [
            { name: 'cosigned', in: 'query', required: false, schema: { type: 'string', enum: ['1'] } },
          ],
          responses: {
            '200': {
              description: 'signed note text',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errors(503),
          },
        },
      },
      '/v1/log/cosignatures': {
        post: {
          summary:
            'Auditor only: a checkpoint note with the caller’s C2SP tlog-cosignature line; the broker serves it at GET /v1/log/checkpoint?cosigned=1',
          requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
          responses: {
            '200': json(
              { type: 'object', properties: { size: { type: 'integer' }, witnesses: { type: 'integer' } } },
              'cosignature kept',
            ),
            ...errors(400, 403, 409, 503),
          },
        },
      },
      '/v1/log/entries': {
        get: {
          summary: 'Canonical (RFC 8785) entry texts [start, end), end ≤ checkpoint size, ≤ 1000 a page',
          parameters: [int('start'), int('end')],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  start: { type: 'integer' },
                  end: { type: 'integer' },
                  entries: { type: 'array', items: { type: 'string' } },
                },
              },
              'leaf i = SHA-256(0x00 ‖ UTF-8 of entries[i - start])',
            ),
            ...errors(400, 503),
          },
        },
      },
      '/v1/log/proof/inclusion': {
        get: {
          summary: 'RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of `size` ≤ checkpoint size',
          parameters: [int('index'), int('size')],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  index: { type: 'integer' },
                  size: { type: 'integer' },
                  leafHash: { type: 'string', contentEncoding: 'base64' },
                  proof: { type: 'array', items: { type: 'string', contentEncoding: 'base64' } },
                },
              },
              'audit path, leaf sibling first',
            ),
            ...errors(400, 503),
          },
        },
      },
      '/v1/log/proof/consistency': {
        get: {
          summary: 'RFC 9162 §2.1.4 consistency proof between tree sizes 1 ≤ from ≤ to ≤ checkpoint size',
          parameters: [int('from'), int('to')],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  from: { type: 'integer' },
                  to: { type: 'integer' },
                  proof: { type: 'array', items: { type: 'string', contentEncoding: 'base64' } },
                },
              },
              'consistency proof',
            ),
            ...errors(400, 503),
          },
        },
      },
      ...matchingPaths,
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json({ type: 'object' }, 'alive') } } },
      '/readyz': {
        get: {
          summary: 'Readiness: Redis reachable',
          responses: { '200': json({ type: 'object' }, 'ready'), ...errors(503) },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'text exposition',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } },
      },
    },
    components: {
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: 'consortium CA client certificate' } },
      responses: { Problem: problem },
      schemas: {
        ...matchingSchemas,
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string' },
            hint: { type: 'string' },
            field: { type: 'string' },
            details: { type: 'object' },
          },
        },
        Accepted: {
          type: 'object',
          required: ['jobId', 'batchId'],
          properties: { jobId: { type: 'string' }, batchId: { type: 'string', format: 'uuid' } },
        },
        Reject: {
          type: 'object',
          required: ['line', 'code', 'message'],
          properties: {
            line: { type: 'integer' },
            code: { type: 'string' },
            field: { type: 'string' },
            recordId: { type: 'string' },
            message: { type: 'string' },
          },
        },
        IngestResult: {
          type: 'object',
          properties: {
            batchId: { type: 'string' },
            member: { type: 'string' },
            records: { type: 'integer' },
            accepted: { type: 'integer' },
            rejected: { type: 'integer' },
            rejects: { type: 'array', items: { $ref: '#/components/schemas/Reject' } },
            rejectsTruncated: { type: 'boolean' },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
        Job: {
          type: 'object',
          required: ['jobId', 'state', 'progress'],
          properties: {
            jobId: { type: 'string' },
            queue: { type: 'string' },
            state: {
              type: 'string',
              enum: [
                'waiting',
                'active',
                'delayed',
                'completed',
                'failed',
                'prioritized',
                'waiting-children',
                'unknown',
              ],
            },
            progress: { type: 'number' },
            attempts: { type: 'integer' },
            createdAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
            result: { $ref: '#/components/schemas/IngestResult' },
            failedReason: { type: 'string', description: '"CODE: message"' },
          },
        },
        Submission: {
          type: 'object',
          properties: {
            batchId: { type: 'string' },
            state: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            records: { type: 'integer' },
            accepted: { type: 'integer' },
            rejected: { type: 'integer' },
            withdrawn: { type: 'integer' },
            purged: { type: 'integer' },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
