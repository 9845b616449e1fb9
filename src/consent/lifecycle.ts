/**
 * The consent lifecycle (DESIGN §4): states ACTIVE, PAUSED, REVOKED and EXPIRED; pause, resume and
 * revoke are signed requests (`consent.pause|resume|revoke`, body {consentId, requestId, at,
 * reason?}) signed by the consent's requester, and each becomes a log entry.
 *
 * Only ACTIVE, PAUSED and REVOKED are ever stored. EXPIRED is derived from `now` against
 * consentExpiry, so expiry takes effect by itself with no job and no write. REVOKED is terminal and
 * wins over EXPIRED; EXPIRED wins over PAUSED. An expired consent can still be revoked (the
 * borrower's withdrawal is recorded, and owners are told), but not paused or resumed.
 *
 * Replays: a request's `at` must be within MAX_REQUEST_SKEW_MS of `now` and strictly after the
 * last applied request's `at`, so an old resume can never be replayed over a later pause, by the
 * network or by the broker (the auditor replays the same rule with `now` = the entry's acceptedAt).
 * `reason` is a code, never free text: the log is forever, and free text invites PII.
 */
import { z } from 'zod';
import { BrokerError } from '../errors.js';
import type { SignedObject } from '../signing/signed-object.js';
import type { ConsentBody } from './artefact.js';
import { UUID } from './artefact.js';
import { instantMillis, instantSchema } from './instant.js';

export const LIFECYCLE_REQUEST_TYPES = {
  pause: 'consent.pause',
  resume: 'consent.resume',
  revoke: 'consent.revoke',
} as const;
export type LifecycleAction = keyof typeof LIFECYCLE_REQUEST_TYPES;

export const CONSENT_REASONS = [
  'BORROWER_REQUEST',
  'LOAN_DECLINED',
  'LOAN_CLOSED',
  'DISPUTE',
  'FRAUD_SUSPECTED',
  'REGULATOR_ORDER',
  'OTHER',
] as const;
export type ConsentReason = (typeof CONSENT_REASONS)[number];

/** How far a request's `at` may be from the clock of whoever applies it. */
export const MAX_REQUEST_SKEW_MS = 5 * 60_000;

export type StoredStatus = 'ACTIVE' | 'PAUSED' | 'REVOKED';
export type ConsentStatus = StoredStatus | 'EXPIRED';

export interface LifecycleRequestBody {
  consentId: string;
  requestId: string;
  at: string;
  reason?: ConsentReason;
}

export interface ConsentState {
  consentId: string;
  requester: string;
  consentExpiry: string;
  status: StoredStatus;
  /** `at` of the last applied request, or null. */
  lastRequestAt: string | null;
  /** True once the `consent.granted` entry is in a signed checkpoint (DESIGN §4). */
  sequenced: boolean;
}

const requestBodySchema = z
  .object({
    consentId: z.string().regex(UUID, 'must be a lowercase UUID'),
    requestId: z.string().regex(UUID, 'must be a lowercase UUID'),
    at: instantSchema,
    reason: z.enum(CONSENT_REASONS).optional(),
  })
  .strict();

/** The state of a newly accepted consent. */
export function initialState(consent: ConsentBody, sequenced = false): ConsentState {
  const { consentId, requester, consentExpiry } = consent;
  return { consentId, requester, consentExpiry, status: 'ACTIVE', lastRequestAt: null, sequenced };
}

/** The state at `now`, with expiry derived (file comment). Throws RangeError for an invalid Date. */
export function consentStatus(state: ConsentState, now: Date): ConsentStatus {
  const at = now.getTime();
  if (Number.isNaN(at)) throw new RangeError('now is an invalid Date');
  if (state.status === 'REVOKED') return 'REVOKED';
  if (at >= instantMillis(state.consentExpiry)) return 'EXPIRED';
  return state.status;
}

/**
 * The action and body of a lifecycle request (its signature is the caller's to verify with
 * verifySignedObject). Throws CONSENT_MALFORMED for another type or a bad body.
 */
export function parseLifecycleRequest(request: SignedObject<unknown>): {
  action: LifecycleAction;
  body: LifecycleRequestBody;
} {
  const entry = Object.entries(LIFECYCLE_REQUEST_TYPES).find(([, type]) => type === request.type);
  if (entry === undefined) {
    throw new BrokerError('CONSENT_MALFORMED', `${String(request.type)} is not a consent lifecycle request`, {
      field: 'type',
      hint: `use one of ${Object.values(LIFECYCLE_REQUEST_TYPES).join(', ')}`,
    });
  }
  const result = requestBodySchema.safeParse(request.body);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.').slice(0, 80) || '(root)'}: ${i.message}`);
    throw new BrokerError('CONSENT_MALFORMED', `malformed ${request.type}: ${issues.join('; ')}`, {
      details: { issues },
      hint: 'send {consentId, requestId, at, reason?} with reason one of ' + CONSENT_REASONS.join(', '),
    });
  }
  return { action: entry[0] as LifecycleAction, body: result.data };
}

function refuse(code: string, message: string, state: ConsentState, hint?: string): never {
  throw new BrokerError(code, message, {
    details: { consentId: state.consentId },
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Which actions each status allows, and what each leads to. */
const TRANSITIONS: Readonly<Record<ConsentStatus, Partial<Record<LifecycleAction, StoredStatus>>>> = {
  ACTIVE: { pause: 'PAUSED', revoke: 'REVOKED' },
  PAUSED: { resume: 'ACTIVE', revoke: 'REVOKED' },
  EXPIRED: { revoke: 'REVOKED' },
  REVOKED: {},
};

function refuseIllegal(status: ConsentStatus, action: LifecycleAction, state: ConsentState): never {
  if (status === 'REVOKED') refuse('CONSENT_REVOKED', 'the consent is revoked, which is final', state);
  if (status === 'EXPIRED') {
    refuse('CONSENT_EXPIRED', `an expired consent cannot be ${action}d`, state, 'grant a new consent');
  }
  if (action === 'pause') refuse('CONSENT_ALREADY_PAUSED', 'the consent is already paused', state);
  refuse('CONSENT_NOT_PAUSED', 'only a paused consent can be resumed', state);
}

/**
 * Applies one signed lifecycle request (signature already verified) at `now` and returns the new
 * state; the input state is not changed.
 * @throws BrokerError CONSENT_MALFORMED, CONSENT_REQUEST_MISMATCH (another consent),
 * CONSENT_WRONG_REQUESTER (not signed by the consent's requester), CONSENT_REQUEST_STALE (replayed,
 * out of order or off the clock), CONSENT_REVOKED, CONSENT_EXPIRED, CONSENT_ALREADY_PAUSED,
 * CONSENT_NOT_PAUSED; RangeError for an invalid `now`
 */
export function applyTransition(
  state: ConsentState,
  request: SignedObject<unknown>,
  now: Date,
): ConsentState {
  const status = consentStatus(state, now);
  const { action, body } = parseLifecycleRequest(request);
  if (body.consentId !== state.consentId) {
    refuse('CONSENT_REQUEST_MISMATCH', `the request is for consent ${body.consentId}`, state);
  }
  if (request.signer.role !== 'member' || request.signer.id !== state.requester) {
    refuse('CONSENT_WRONG_REQUESTER', 'only the requester of a consent can change it', state);
  }
  const at = instantMillis(body.at);
  if (Math.abs(at - now.getTime()) > MAX_REQUEST_SKEW_MS) {
    refuse(
      'CONSENT_REQUEST_STALE',
      `the request time ${body.at} is off the clock`,
      state,
      'sign a fresh request',
    );
  }
  if (state.lastRequestAt !== null && at <= instantMillis(state.lastRequestAt)) {
    refuse(
      'CONSENT_REQUEST_STALE',
      'the request is not newer than the last one applied',
      state,
      'sign a fresh request',
    );
  }
  const next = TRANSITIONS[status][action];
  if (next === undefined) refuseIllegal(status, action, state);
  return { ...state, status: next, lastRequestAt: body.at };
}
