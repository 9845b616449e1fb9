/**
 * Hostile consent artefacts (DESIGN §4; STYLE: a malformed-input suite per parser, after
 * sigstore-js): every one is refused with CONSENT_MALFORMED, quickly, and none crashes the parser.
 */
import assert from 'node:assert/strict';
import { parseConsentBody } from '../../src/consent/artefact.js';
import { validateConsent } from '../../src/consent/bounds.js';
import { HOSTILE_STRINGS } from '../fixtures/hostile.js';
import { consent, NOW, REGISTRY, rejectsWith, wire } from './fixture.js';

type Edit = (o: Record<string, unknown>) => void;
const subject = (o: Record<string, unknown>) => o['subject'] as Record<string, unknown>;
const MILLION = Array.from({ length: 1_000_000 }, () => 'status');

const HOSTILE_BODIES: [string, () => unknown][] = [
  ['null', () => null],
  ['an array', () => [consent().body]],
  ['a string', () => JSON.stringify(consent().body)],
  ['an empty object', () => ({})],
  ...(
    [
      ['an extra field', (o) => (o['note'] = 'x')],
      ['the tokens inside the subject', (o) => (subject(o)['tokens'] = { cn_rid: 'AAECAwQFBgcICQoLDA0ODw' })],
      ['a missing field', (o) => delete o['txnId']],
      ['consentId not a UUID', (o) => (o['consentId'] = 'c-1')],
      ['consentId uppercase', (o) => (o['consentId'] = String(o['consentId']).toUpperCase())],
      ['requester with a colon', (o) => (o['requester'] = 'member:tencent')],
      ['purpose as a number', (o) => (o['purpose'] = 1)],
      ['dataGroups as a string', (o) => (o['dataGroups'] = 'status')],
      ['dataGroups empty', (o) => (o['dataGroups'] = [])],
      ['dataGroups duplicated', (o) => (o['dataGroups'] = ['status', 'status'])],
      ['dataGroups of a million', (o) => (o['dataGroups'] = MILLION)],
      ['sources of a million', (o) => (o['sources'] = MILLION)],
      ['sources empty', (o) => (o['sources'] = [])],
      ['sources "all"', (o) => (o['sources'] = 'all')],
      ['frequency value 0', (o) => (o['frequency'] = { unit: 'MONTH', value: 0 })],
      ['frequency value 1.5', (o) => (o['frequency'] = { unit: 'MONTH', value: 1.5 })],
      ['frequency value as a string', (o) => (o['frequency'] = { unit: 'MONTH', value: '1' })],
      ['frequency unit WEEK', (o) => (o['frequency'] = { unit: 'WEEK', value: 1 })],
      ['frequency with an extra key', (o) => (o['frequency'] = { unit: 'MONTH', value: 1, burst: 9 })],
      ['dataLifeDays 0', (o) => (o['dataLifeDays'] = 0)],
      ['dataLifeDays 1e309 (Infinity once parsed)', (o) => (o['dataLifeDays'] = Number.POSITIVE_INFINITY)],
      ['dataLifeDays negative', (o) => (o['dataLifeDays'] = -1)],
      ['evidenceDigest uppercase', (o) => (o['evidenceDigest'] = 'AB'.repeat(32))],
      ['evidenceDigest short', (o) => (o['evidenceDigest'] = 'ab'.repeat(31))],
      ['subject commitment short', (o) => (subject(o)['commitment'] = 'ab')],
      ['subject epoch 0', (o) => (subject(o)['epoch'] = 0)],
      ['subject type unknown', (o) => (subject(o)['types'] = ['passport'])],
      ['subject types duplicated', (o) => (subject(o)['types'] = ['cn_rid', 'cn_rid'])],
      ['txnId with a space', (o) => (o['txnId'] = 'LN 1')],
      ['txnId of 65 characters', (o) => (o['txnId'] = 'A'.repeat(65))],
      ['consentStart 2026-02-30', (o) => (o['consentStart'] = '2026-02-30T00:00:00Z')],
      ['consentStart 2027-02-29 (not a leap year)', (o) => (o['consentStart'] = '2027-02-29T00:00:00Z')],
      ['consentStart at 24:00', (o) => (o['consentStart'] = '2026-11-05T24:00:00Z')],
      ['consentStart leap second', (o) => (o['consentStart'] = '2026-12-31T23:59:60Z')],
      ['consentStart with an offset', (o) => (o['consentStart'] = '2026-11-05T10:00:00+08:00')],
      ['consentStart date only', (o) => (o['consentStart'] = '2026-11-05')],
      ['consentStart lowercase', (o) => (o['consentStart'] = '2026-11-05t02:00:00z')],
      ['consentExpiry as epoch millis', (o) => (o['consentExpiry'] = 1_790_000_000_000)],
      ['consentExpiry with microseconds', (o) => (o['consentExpiry'] = '2026-12-01T00:00:00.000001Z')],
    ] as [string, Edit][]
  ).map(([label, edit]): [string, () => unknown] => [label, () => wire(consent().body, edit)]),
  ['__proto__ key', () => JSON.parse(JSON.stringify(consent().body).replace('{', '{"__proto__":{"x":1},'))],
  [
    '__proto__ in the subject',
    () =>
      JSON.parse(
        JSON.stringify(consent().body).replace('"subject":{', '"subject":{"__proto__":{"tokens":1},'),
      ),
  ],
  ['constructor key', () => wire(consent().body, (o) => (o['constructor'] = {}))],
];

describe('consent/malformed', () => {
  for (const [label, make] of HOSTILE_BODIES) {
    it(`when the body has ${label}, then CONSENT_MALFORMED`, () => {
      const body = make();
      const started = Date.now();
      rejectsWith('CONSENT_MALFORMED', () => validateConsent(body, REGISTRY, NOW));
      assert.ok(Date.now() - started < 2000, 'refused quickly');
    });
  }

  it('when a string field holds any shared hostile string, then CONSENT_MALFORMED', () => {
    // Plain tokens ("constructor", "1e309", "0000-00-00") are well-formed txnIds or ids.
    const hostile = HOSTILE_STRINGS.filter(({ value }) => !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(value));
    for (const field of ['consentId', 'requester', 'purpose', 'txnId', 'consentStart', 'evidenceDigest']) {
      for (const { label, value } of hostile) {
        assert.throws(
          () => parseConsentBody(wire(consent().body, (o) => (o[field] = value))),
          { code: 'CONSENT_MALFORMED' },
          `${field}: ${label}`,
        );
      }
    }
  });

  it('when the purpose is an inherited property name, then it is an unknown purpose', () => {
    for (const purpose of ['constructor', 'prototype', 'hasOwnProperty', '__proto__', 'toString']) {
      assert.throws(
        () =>
          validateConsent(
            wire(consent().body, (o) => (o['purpose'] = purpose)),
            REGISTRY,
            NOW,
          ),
        (err: { code?: string }) =>
          err.code === 'CONSENT_UNKNOWN_PURPOSE' || err.code === 'CONSENT_MALFORMED',
        purpose,
      );
    }
  });

  it('when a refusal lists issues, then it lists at most 10 with short paths', () => {
    const body = wire(consent().body, (o) => (o['dataGroups'] = Array.from({ length: 5000 }, (_, i) => i)));
    try {
      parseConsentBody(body);
      assert.fail('expected a refusal');
    } catch (err) {
      const issues = (err as { details: { issues: string[] } }).details.issues;
      assert.ok(issues.length <= 10);
      assert.ok((err as Error).message.length < 2000);
    }
  });
});
