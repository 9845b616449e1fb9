/**
 * OpenAPI 3.1 paths and schemas of consents, owner policies, matching, screening, the usage feed
 * and overlap statistics (DESIGN §3, §4, §6; src/api/routes/consents.ts, matching.ts). Spread into
 * the document by openapi.ts; test/api/openapi.test.ts checks they match the routes.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: '#/components/responses/Problem' }]));
const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const jsonBody = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const anyObject = { type: 'object' };
const reported = { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^<[0-9]+$' }] };

const lifecycle = (action: string) => ({
  post: {
    summary: `${action} a consent: a signed consent.${action} {consentId, requestId, at, reason?}, logged`,
    parameters: [pathParam('consentId')],
    requestBody: jsonBody(ref('SignedObject')),
    responses: {
      '200': json(
        {
          type: 'object',
          properties: { consentId: { type: 'string' }, status: { type: 'string' }, receipt: ref('Receipt') },
        },
        'applied and logged',
      ),
      ...problems(400, 403, 404, 409, 503),
    },
  },
});

const jobQuery = (what: string) => ({
  get: {
    summary: `State, progress and (once completed) result of one of the caller's ${what} jobs`,
    parameters: [pathParam('jobId')],
    responses: { '200': json(ref('Job'), 'the job'), ...problems(403, 404, 503) },
  },
});

export const matchingPaths: Record<string, unknown> = {
  '/v1/consents': {
    post: {
      summary:
        'Register a consent: {consent: signed consent.grant, subject: {salt, tokens}}; logged as consent.granted',
      requestBody: jsonBody({
        type: 'object',
        required: ['consent', 'subject'],
        properties: { consent: ref('SignedObject'), subject: anyObject },
      }),
      responses: {
        '201': json(
          { type: 'object', properties: { consentId: { type: 'string' }, receipt: ref('Receipt') } },
          'usable now',
        ),
        ...problems(400, 403, 409, 422, 503),
      },
    },
    get: {
      summary: "The caller's consents with status and usage (count in the current interval, total, last use)",
      responses: {
        '200': json(
          { type: 'object', properties: { consents: { type: 'array', items: anyObject } } },
          'consents',
        ),
        ...problems(403, 503),
      },
    },
  },
  '/v1/consents/{consentId}/pause': lifecycle('pause'),
  '/v1/consents/{consentId}/resume': lifecycle('resume'),
  '/v1/consents/{consentId}/revoke': lifecycle('revoke'),
  '/v1/policy': {
    put: {
      summary: "Set the caller's owner policy: a signed policy.set whose body is a Policy; logged",
      requestBody: jsonBody(ref('SignedObject')),
      responses: {
        '200': json(
          { type: 'object', properties: { version: { type: 'integer' }, receipt: ref('Receipt') } },
          'in force',
        ),
        ...problems(400, 403, 409, 503),
      },
    },
    get: {
      summary: "The caller's policy in force (custom: false for the default)",
      responses: {
        '200': json(
          { type: 'object', properties: { policy: ref('Policy'), custom: { type: 'boolean' } } },
          'policy',
        ),
        ...problems(403, 503),
      },
    },
  },
  '/v1/matches': {
    post: {
      summary:
        'Consented lookup of one subject (a match job); ?wait=SECONDS answers the result inline when done',
      parameters: [
        { name: 'wait', in: 'query', required: false, schema: { type: 'number', minimum: 0, maximum: 30 } },
      ],
      requestBody: jsonBody(ref('MatchRequest')),
      responses: {
        '200': json(ref('MatchResult'), 'completed within wait: every disclosure is sequenced'),
        '202': json(
          { type: 'object', properties: { jobId: { type: 'string' } } },
          'queued; poll GET /v1/matches/{jobId}',
        ),
        ...problems(400, 403, 404, 409, 429, 503),
      },
    },
  },
  '/v1/matches/{jobId}': jobQuery('match'),
  '/v1/screens': {
    post: {
      summary:
        'Screen a portfolio under an aggregate (portfolio_screening) consent: NDJSON lines {ref, tokens}',
      parameters: [{ name: 'consentId', in: 'query', required: true, schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
      responses: {
        '202': json({ type: 'object', properties: { jobId: { type: 'string' } } }, 'queued'),
        ...problems(400, 403, 413, 415, 503),
      },
    },
  },
  '/v1/screens/{jobId}': jobQuery('screen'),
  '/v1/screens/{jobId}/rows': {
    get: {
      summary: 'Rows of a completed screening job, NDJSON of ScreenRow (counts below k shown as "<k")',
      parameters: [pathParam('jobId')],
      responses: {
        '200': { description: 'NDJSON', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
        ...problems(403, 404, 409, 503),
      },
    },
  },
  '/v1/events': {
    get: {
      summary:
        "The caller's usage feed: releases of its records and revocations of consents they were released under",
      parameters: [
        { name: 'after', in: 'query', required: false, schema: { type: 'string', default: '0' } },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      ],
      responses: {
        '200': json(
          {
            type: 'object',
            properties: { events: { type: 'array', items: anyObject }, cursor: { type: 'string' } },
          },
          'events, oldest first',
        ),
        ...problems(400, 403, 503),
      },
    },
  },
  '/v1/stats/overlap': {
    get: {
      summary:
        'Operator: pairwise member overlap (records sharing an identifier), counts under k shown as "<k"',
      responses: { '200': json(anyObject, 'pairs'), ...problems(403, 503) },
    },
  },
};

export const matchingSchemas: Record<string, unknown> = {
  SignedObject: {
    type: 'object',
    required: ['type', 'body', 'signer', 'keyId', 'alg', 'sig'],
    properties: {
      type: { type: 'string' },
      body: anyObject,
      signer: anyObject,
      keyId: { type: 'string' },
      alg: { const: 'PS256' },
      sig: { type: 'string' },
    },
  },
  Receipt: {
    type: 'object',
    properties: {
      index: { type: 'integer' },
      leafHash: { type: 'string' },
      checkpoint: { type: 'string' },
      proof: { type: 'string' },
    },
  },
  Policy: {
    type: 'object',
    required: [
      'member',
      'version',
      'allowedPurposes',
      'allowedRecipients',
      'excludedRecipients',
      'groupsByPurpose',
      'dataLifeDays',
      'output',
    ],
    properties: {
      member: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
      allowedPurposes: { oneOf: [{ const: '*' }, { type: 'array', items: { type: 'string' } }] },
      allowedRecipients: { oneOf: [{ const: '*' }, { type: 'array', items: { type: 'string' } }] },
      excludedRecipients: { type: 'array', items: { type: 'string' } },
      groupsByPurpose: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      dataLifeDays: { type: 'integer' },
      output: {
        type: 'object',
        properties: { records: { type: 'boolean' }, aggregate: { type: 'boolean' } },
      },
    },
  },
  MatchRequest: {
    type: 'object',
    required: ['consentId', 'tokens', 'groups'],
    properties: {
      consentId: { type: 'string' },
      tokens: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'identifier type → token',
      },
      groups: { type: 'array', items: { type: 'string' } },
      purpose: { type: 'string' },
    },
  },
  MatchResult: {
    type: 'object',
    properties: {
      jobId: { type: 'string' },
      consentId: { type: 'string' },
      purpose: { type: 'string' },
      query: ref('Receipt'),
      released: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            owner: { type: 'string' },
            recordId: { type: 'string' },
            meta: anyObject,
            matchedOn: { type: 'array', items: { type: 'string' } },
            envelope: {
              type: 'object',
              description: 'envelope bb1 with the released groups and supplied types’ slots',
            },
            retainUntil: { type: 'string', format: 'date-time' },
            disclosure: ref('Receipt'),
          },
        },
      },
    },
  },
  ScreenRow: {
    type: 'object',
    properties: {
      ref: { type: 'string' },
      otherLenders: reported,
      activeLoans: reported,
      delinquentLoans: reported,
    },
  },
};
