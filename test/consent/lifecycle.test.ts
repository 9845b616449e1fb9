/** The consent state machine (DESIGN §4): every legal and illegal transition, derived expiry, replays. */
import assert from 'node:assert/strict';
import {
  applyTransition,
  consentStatus,
  initialState,
  MAX_REQUEST_SKEW_MS,
} from '../../src/consent/lifecycle.js';
import type { ConsentState, ConsentStatus, LifecycleAction } from '../../src/consent/lifecycle.js';
import { consent, DAY_MS, NOW, rejectsWith } from './fixture.js';
import { requestBody, unsigned } from './requests.js';

const { body } = consent();
const EXPIRY = new Date(body.consentExpiry);
const after = (ms: number, from = NOW) => new Date(from.getTime() + ms);

function act(state: ConsentState, action: LifecycleAction, now: Date): ConsentState {
  return applyTransition(state, unsigned(action, requestBody(body.consentId, now)), now);
}

/** A state with the given status at the returned clock. */
function reach(status: ConsentStatus): { state: ConsentState; now: Date } {
  const active = initialState(body, true);
  const t1 = after(60_000);
  switch (status) {
    case 'ACTIVE':
      return { state: active, now: t1 };
    case 'PAUSED':
      return { state: act(active, 'pause', t1), now: after(60_000, t1) };
    case 'REVOKED':
      return { state: act(active, 'revoke', t1), now: after(60_000, t1) };
    case 'EXPIRED':
      return { state: active, now: after(1, EXPIRY) };
  }
}

describe('consent/lifecycle', () => {
  const table: [ConsentStatus, LifecycleAction, ConsentStatus | string][] = [
    ['ACTIVE', 'pause', 'PAUSED'],
    ['ACTIVE', 'resume', 'CONSENT_NOT_PAUSED'],
    ['ACTIVE', 'revoke', 'REVOKED'],
    ['PAUSED', 'pause', 'CONSENT_ALREADY_PAUSED'],
    ['PAUSED', 'resume', 'ACTIVE'],
    ['PAUSED', 'revoke', 'REVOKED'],
    ['EXPIRED', 'pause', 'CONSENT_EXPIRED'],
    ['EXPIRED', 'resume', 'CONSENT_EXPIRED'],
    ['EXPIRED', 'revoke', 'REVOKED'],
    ['REVOKED', 'pause', 'CONSENT_REVOKED'],
    ['REVOKED', 'resume', 'CONSENT_REVOKED'],
    ['REVOKED', 'revoke', 'CONSENT_REVOKED'],
  ];
  for (const [from, action, expected] of table) {
    const legal = !expected.startsWith('CONSENT_');
    it(`when a ${from} consent gets ${action}, then ${legal ? `it is ${expected}` : `${expected}`}`, () => {
      const { state, now } = reach(from);
      assert.equal(consentStatus(state, now), from);
      if (legal) {
        const next = act(state, action, now);
        assert.equal(consentStatus(next, now), expected);
        assert.equal(next.lastRequestAt, now.toISOString());
      } else {
        rejectsWith(expected, () => act(state, action, now));
      }
    });
  }

  it('when the expiry passes, then the consent is EXPIRED by itself, with no write', () => {
    const state = initialState(body);
    assert.equal(consentStatus(state, after(-1, EXPIRY)), 'ACTIVE');
    assert.equal(consentStatus(state, EXPIRY), 'EXPIRED');
    assert.equal(state.status, 'ACTIVE');
  });

  it('when a paused consent expires, then it is EXPIRED; a revoked one stays REVOKED', () => {
    assert.equal(consentStatus(reach('PAUSED').state, EXPIRY), 'EXPIRED');
    assert.equal(consentStatus(reach('REVOKED').state, after(400 * DAY_MS, EXPIRY)), 'REVOKED');
  });

  it('when a transition applies, then the input state is unchanged', () => {
    const state = initialState(body, true);
    const copy = structuredClone(state);
    act(state, 'pause', after(1000));
    assert.deepEqual(state, copy);
  });

  it('when the same request is replayed, then CONSENT_REQUEST_STALE', () => {
    const now = after(1000);
    const request = unsigned('pause', requestBody(body.consentId, now));
    const paused = applyTransition(initialState(body), request, now);
    const resumed = act(paused, 'resume', after(2000));
    rejectsWith('CONSENT_REQUEST_STALE', () => applyTransition(resumed, request, after(3000)));
  });

  it('when an old resume is replayed over a later pause, then CONSENT_REQUEST_STALE', () => {
    const t1 = after(1000);
    const paused = act(initialState(body), 'pause', t1);
    const oldResume = unsigned('resume', requestBody(body.consentId, after(2000)));
    const resumed = applyTransition(paused, oldResume, after(2000));
    const pausedAgain = act(resumed, 'pause', after(3000));
    rejectsWith('CONSENT_REQUEST_STALE', () => applyTransition(pausedAgain, oldResume, after(4000)));
  });

  it('when the request time is off the clock by more than the skew, then CONSENT_REQUEST_STALE', () => {
    for (const offset of [MAX_REQUEST_SKEW_MS + 1, -MAX_REQUEST_SKEW_MS - 1]) {
      const request = unsigned('pause', requestBody(body.consentId, after(offset)));
      rejectsWith('CONSENT_REQUEST_STALE', () => applyTransition(initialState(body), request, NOW));
    }
    const within = unsigned('pause', requestBody(body.consentId, after(MAX_REQUEST_SKEW_MS)));
    assert.equal(applyTransition(initialState(body), within, NOW).status, 'PAUSED');
  });

  it('when the request names another consent, then CONSENT_REQUEST_MISMATCH', () => {
    const request = unsigned('pause', requestBody('00000000-0000-4000-8000-999999999999', NOW));
    rejectsWith('CONSENT_REQUEST_MISMATCH', () => applyTransition(initialState(body), request, NOW));
  });

  it('when another member, or a non-member with the same id, signs, then CONSENT_WRONG_REQUESTER', () => {
    for (const signer of [
      { role: 'member', id: 'ant' },
      { role: 'broker', id: 'tencent' },
    ] as const) {
      const request = unsigned('revoke', requestBody(body.consentId, NOW), signer);
      rejectsWith('CONSENT_WRONG_REQUESTER', () => applyTransition(initialState(body), request, NOW));
    }
  });

  const malformed: [string, () => ReturnType<typeof unsigned>][] = [
    [
      'a grant type',
      () => ({ ...unsigned('pause', requestBody(body.consentId, NOW)), type: 'consent.grant' }),
    ],
    [
      'a free-text reason',
      () => unsigned('revoke', { ...requestBody(body.consentId, NOW), reason: 'Zhang San called' }),
    ],
    ['an extra field', () => unsigned('pause', { ...requestBody(body.consentId, NOW), note: 'x' })],
    ['a missing requestId', () => unsigned('pause', { consentId: body.consentId, at: NOW.toISOString() })],
    [
      'a bad date',
      () => unsigned('pause', { ...requestBody(body.consentId, NOW), at: '2026-02-30T00:00:00Z' }),
    ],
    ['a null body', () => unsigned('pause', null)],
  ];
  for (const [label, make] of malformed) {
    it(`when a request has ${label}, then CONSENT_MALFORMED`, () => {
      rejectsWith('CONSENT_MALFORMED', () => applyTransition(initialState(body), make(), NOW));
    });
  }

  it('when a revoke gives a reason code, then it applies', () => {
    const request = unsigned('revoke', requestBody(body.consentId, NOW, { reason: 'BORROWER_REQUEST' }));
    assert.equal(applyTransition(initialState(body), request, NOW).status, 'REVOKED');
  });
});
