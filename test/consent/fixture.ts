/**
 * Shared fixtures of the consent suites (DESIGN §4): the real purpose registry from config/, a
 * fixed clock, a consent body inside every bound of a purpose, and an assertion on error codes.
 */
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import { buildConsent } from '../../src/consent/artefact.js';
import type { BuildConsentInput, ConsentBody } from '../../src/consent/artefact.js';
import { loadPurposeRegistry } from '../../src/consent/purposes.js';
import type { Frequency, PurposeRegistry } from '../../src/consent/purposes.js';
import type { UseRequest } from '../../src/consent/usage.js';
import type { SubjectOpening } from '../../src/consent/subject.js';

export const REGISTRY: PurposeRegistry = loadPurposeRegistry('config/purposes.json');
export const NOW = new Date('2026-11-05T02:00:00.000Z');
export const DAY_MS = 86_400_000;

/** Three fixed 16-byte tokens (base64url) and a fixed 32-byte salt. */
export const TOKENS = {
  cn_rid: 'AAECAwQFBgcICQoLDA0ODw',
  phone: 'EBESExQVFhcYGRobHB0eHw',
  name: 'ICEiIyQlJicoKSorLC0uLw',
};
export const SALT = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
export const EVIDENCE = 'ab'.repeat(32);

export function input(overrides: Partial<BuildConsentInput> = {}): BuildConsentInput {
  return {
    requester: 'tencent',
    purpose: 'loan_underwriting',
    subject: { epoch: 1, tokens: { ...TOKENS } },
    dataGroups: ['status', 'amounts'],
    sources: '*',
    consentStart: NOW,
    consentExpiry: new Date(NOW.getTime() + 30 * DAY_MS),
    frequency: { unit: 'MONTH', value: 5 },
    dataLifeDays: 180,
    evidenceDigest: EVIDENCE,
    txnId: 'LN-2026-000123',
    consentId: '7a1c6f0e-3b2d-4e5f-8a9b-0c1d2e3f4a5b',
    salt: SALT,
    ...overrides,
  };
}

/** A loan_underwriting consent inside every bound, with its opening. */
export function consent(overrides: Partial<BuildConsentInput> = {}): {
  body: ConsentBody;
  opening: SubjectOpening;
} {
  return buildConsent(input(overrides));
}

/** A JSON copy (the way a body arrives over the wire), changed by `edit`. */
export function wire(body: unknown, edit: (o: Record<string, unknown>) => void = () => {}): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  edit(copy);
  return copy;
}

export function rejectsWith(code: string, run: () => unknown): void {
  assert.throws(run, (err) => {
    assert.ok(
      isBrokerError(err, code),
      `expected ${code}, got ${String((err as { code?: string }).code)}: ${String(err)}`,
    );
    return true;
  });
}

/** A consent valid from 2026-01-01 to 2028-12-31 (bounds are not checked by these suites). */
export function longConsent(frequency: Frequency, extra: Partial<BuildConsentInput> = {}): ConsentBody {
  return consent({
    consentStart: new Date('2026-01-01T00:00:00Z'),
    consentExpiry: new Date('2028-12-31T00:00:00Z'),
    frequency,
    ...extra,
  }).body;
}

/** A use of `body` by its requester, for status from owner ant. */
export function useOf(body: ConsentBody, now: Date, extra: Partial<UseRequest> = {}): UseRequest {
  return {
    now,
    requester: body.requester,
    purpose: body.purpose,
    requestedGroups: ['status'],
    sourceOwner: 'ant',
    ...extra,
  };
}
