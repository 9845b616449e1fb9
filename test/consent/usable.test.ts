/**
 * checkUsable (DESIGN §4, §6): the check every match job re-runs when it runs and the auditor
 * replays; each refusal with its own code, in an order that hides state from other members.
 */
import assert from 'node:assert/strict';
import { applyTransition, initialState } from '../../src/consent/lifecycle.js';
import type { ConsentState } from '../../src/consent/lifecycle.js';
import { checkUsable, NO_USAGE, recordUse } from '../../src/consent/usage.js';
import { longConsent as long, rejectsWith, useOf as use } from './fixture.js';
import { requestBody, unsigned } from './requests.js';

const at = (iso: string) => new Date(iso);

describe('consent/usage: checkUsable', () => {
  const body = long({ unit: 'MONTH', value: 1 }, { sources: ['ant', 'didi'] });
  const active = initialState(body, true);
  const now = at('2026-11-05T00:00:00Z');
  const change = (state: ConsentState, action: 'pause' | 'revoke') =>
    applyTransition(state, unsigned(action, requestBody(body.consentId, now)), now);

  it('when everything is in order, then the use is allowed with the uses left', () => {
    assert.deepEqual(checkUsable(body, active, undefined, use(body, now)), {
      interval: '2026-11',
      usesLeft: 1,
    });
  });

  const cases: [string, string, () => unknown][] = [
    ['no consent', 'CONSENT_NOT_FOUND', () => checkUsable(undefined, active, NO_USAGE, use(body, now))],
    ['no state', 'CONSENT_NOT_FOUND', () => checkUsable(body, undefined, NO_USAGE, use(body, now))],
    [
      'the state of another consent',
      'CONSENT_NOT_FOUND',
      () =>
        checkUsable(
          body,
          { ...active, consentId: '00000000-0000-4000-8000-000000000000' },
          NO_USAGE,
          use(body, now),
        ),
    ],
    [
      'another requester',
      'CONSENT_WRONG_REQUESTER',
      () => checkUsable(body, active, NO_USAGE, use(body, now, { requester: 'ant' })),
    ],
    [
      'another requester of a revoked consent (state stays hidden)',
      'CONSENT_WRONG_REQUESTER',
      () => checkUsable(body, change(active, 'revoke'), NO_USAGE, use(body, now, { requester: 'ant' })),
    ],
    [
      'an unsequenced grant',
      'CONSENT_NOT_SEQUENCED',
      () => checkUsable(body, initialState(body), NO_USAGE, use(body, now)),
    ],
    [
      'a revoked consent',
      'CONSENT_REVOKED',
      () => checkUsable(body, change(active, 'revoke'), NO_USAGE, use(body, now)),
    ],
    [
      'a revoked consent after expiry',
      'CONSENT_REVOKED',
      () => checkUsable(body, change(active, 'revoke'), NO_USAGE, use(body, at('2029-01-01T00:00:00Z'))),
    ],
    [
      'an expired consent',
      'CONSENT_EXPIRED',
      () => checkUsable(body, active, NO_USAGE, use(body, at(body.consentExpiry))),
    ],
    [
      'a paused consent',
      'CONSENT_PAUSED',
      () => checkUsable(body, change(active, 'pause'), NO_USAGE, use(body, now)),
    ],
    [
      'a paused consent after expiry',
      'CONSENT_EXPIRED',
      () => checkUsable(body, change(active, 'pause'), NO_USAGE, use(body, at('2029-01-01T00:00:00Z'))),
    ],
    [
      'a consent not started',
      'CONSENT_NOT_STARTED',
      () => checkUsable(body, active, NO_USAGE, use(body, new Date(Date.parse(body.consentStart) - 1))),
    ],
    [
      'another purpose',
      'CONSENT_WRONG_PURPOSE',
      () => checkUsable(body, active, NO_USAGE, use(body, now, { purpose: 'collections' })),
    ],
    [
      'a group not consented',
      'CONSENT_GROUP_NOT_COVERED',
      () => checkUsable(body, active, NO_USAGE, use(body, now, { requestedGroups: ['status', 'contact'] })),
    ],
    [
      'an owner not among the sources',
      'CONSENT_SOURCE_NOT_COVERED',
      () => checkUsable(body, active, NO_USAGE, use(body, now, { sourceOwner: 'baihe' })),
    ],
    [
      'the month’s use spent',
      'CONSENT_FREQUENCY_EXCEEDED',
      () => checkUsable(body, active, recordUse(body, NO_USAGE, at('2026-11-01T00:00:00Z')), use(body, now)),
    ],
  ];
  for (const [label, code, run] of cases) {
    it(`when used with ${label}, then ${code}`, () => rejectsWith(code, run));
  }

  it('when sources is "*", then any owner is covered; without an owner, sources are not checked', () => {
    const open = long({ unit: 'MONTH', value: 1 });
    checkUsable(open, initialState(open, true), NO_USAGE, use(open, now, { sourceOwner: 'baihe' }));
    const noOwner = use(body, now);
    delete noOwner.sourceOwner;
    checkUsable(body, active, NO_USAGE, noOwner);
  });

  it('when last month’s use is on record, then this month is free again', () => {
    const usage = recordUse(body, NO_USAGE, at('2026-10-31T15:00:00Z'));
    assert.equal(checkUsable(body, active, usage, use(body, now)).usesLeft, 1);
  });
});
