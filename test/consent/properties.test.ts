/**
 * Property tests of the fair-use bounds (DESIGN §4), over every purpose of the shipped registry:
 * any consent within its purpose's bounds validates; widening any single bound past the registry's
 * is refused with that bound's own code.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildConsent } from '../../src/consent/artefact.js';
import type { BuildConsentInput } from '../../src/consent/artefact.js';
import { validateConsent } from '../../src/consent/bounds.js';
import { FREQUENCY_UNITS, GROUP_NAME, MAX_FREQUENCY_VALUE } from '../../src/consent/purposes.js';
import type { Frequency, PurposeSpec } from '../../src/consent/purposes.js';
import { mostUsesPer } from '../../src/consent/usage.js';
import { satisfiesMinimumMatch } from '../../src/consent/subject.js';
import { IDENTIFIER_TYPES } from '../../src/normalize/schema.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { toBase64url, toHex } from '../../src/util/bytes.js';
import { DAY_MS, NOW, REGISTRY, rejectsWith, wire } from './fixture.js';

const token = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toBase64url);

function tokensFor(types: readonly IdentifierType[]): fc.Arbitrary<Partial<Record<IdentifierType, string>>> {
  return fc
    .tuple(...types.map(() => token))
    .map((list) => Object.fromEntries(types.map((t, i) => [t, list[i]])));
}

/** Subject types that meet the purpose's minimum match: one combination plus any extras. */
function goodTypes(spec: PurposeSpec): fc.Arbitrary<IdentifierType[]> {
  return fc
    .tuple(fc.constantFrom(...spec.minimumMatch), fc.subarray([...IDENTIFIER_TYPES]))
    .map(([combo, extra]) => IDENTIFIER_TYPES.filter((t) => combo.includes(t) || extra.includes(t)));
}

function goodFrequency(max: Frequency): fc.Arbitrary<Frequency> {
  return fc.constantFrom(...FREQUENCY_UNITS).chain((unit) => {
    const most = Math.floor(max.value / mostUsesPer({ unit, value: 1 }, max.unit));
    return most >= 1 ? fc.integer({ min: 1, max: most }).map((value) => ({ unit, value })) : fc.constant(max);
  });
}

/** A build input within every bound of `spec`, at NOW. */
function withinBounds(purpose: string, spec: PurposeSpec): fc.Arbitrary<BuildConsentInput> {
  const duration = fc.integer({ min: 1000, max: spec.maxExpiryDays * DAY_MS });
  return fc
    .record({
      duration,
      startOffset: fc.integer({ min: -spec.maxExpiryDays * DAY_MS, max: spec.maxStartDelayDays * DAY_MS }),
      types: goodTypes(spec),
      frequency: goodFrequency(spec.maxFrequency),
      dataGroups: fc.subarray([...spec.allowedGroups], { minLength: 1 }),
      sources: fc.oneof(
        fc.constant('*' as const),
        fc.uniqueArray(fc.constantFrom('ant', 'didi', 'baihe', 'p2p-one'), { minLength: 1 }),
      ),
      dataLifeDays: fc.integer({ min: 1, max: spec.maxDataLifeDays }),
      evidence: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex),
      salt: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      epoch: fc.integer({ min: 1, max: 1000 }),
      txnId: fc.stringMatching(/^[A-Z]{2}-[0-9]{4}-[a-z0-9]{1,20}$/),
    })
    .filter((r) => r.startOffset + r.duration > 0)
    .chain((r) =>
      tokensFor(r.types).map((tokens) => {
        const start = NOW.getTime() + r.startOffset;
        return {
          requester: 'tencent',
          purpose,
          subject: { epoch: r.epoch, tokens },
          dataGroups: r.dataGroups,
          sources: r.sources,
          consentStart: new Date(start),
          consentExpiry: new Date(start + r.duration),
          frequency: r.frequency,
          dataLifeDays: r.dataLifeDays,
          evidenceDigest: r.evidence,
          txnId: r.txnId,
          salt: r.salt,
        };
      }),
    );
}

/** Each bound, and how to push one build input past it. */
const WIDENINGS: [
  string,
  (spec: PurposeSpec) => fc.Arbitrary<(i: BuildConsentInput) => BuildConsentInput>,
][] = [
  [
    'CONSENT_EXPIRY_TOO_LONG',
    (spec) =>
      fc.integer({ min: 1, max: 1000 * DAY_MS }).map((extra) => (i) => ({
        ...i,
        consentExpiry: new Date(i.consentStart.getTime() + spec.maxExpiryDays * DAY_MS + extra),
      })),
  ],
  [
    'CONSENT_START_TOO_LATE',
    (spec) =>
      fc.integer({ min: 1, max: 1000 * DAY_MS }).map((extra) => (i) => {
        const start = NOW.getTime() + spec.maxStartDelayDays * DAY_MS + extra;
        const duration = i.consentExpiry.getTime() - i.consentStart.getTime();
        return { ...i, consentStart: new Date(start), consentExpiry: new Date(start + duration) };
      }),
  ],
  [
    'CONSENT_FREQUENCY_TOO_HIGH',
    (spec) =>
      fc.constantFrom(...FREQUENCY_UNITS).chain((unit) => {
        const least =
          Math.floor(spec.maxFrequency.value / mostUsesPer({ unit, value: 1 }, spec.maxFrequency.unit)) + 1;
        return fc
          .integer({ min: least, max: MAX_FREQUENCY_VALUE })
          .map((value) => (i: BuildConsentInput) => ({ ...i, frequency: { unit, value } }));
      }),
  ],
  [
    'CONSENT_GROUP_NOT_ALLOWED',
    (spec) =>
      fc
        .stringMatching(GROUP_NAME)
        .filter((g) => !spec.allowedGroups.includes(g))
        .map((group) => (i) => ({ ...i, dataGroups: [...i.dataGroups, group] })),
  ],
  [
    'CONSENT_DATA_LIFE_TOO_LONG',
    (spec) =>
      fc
        .integer({ min: spec.maxDataLifeDays + 1, max: 3660 })
        .map((dataLifeDays) => (i) => ({ ...i, dataLifeDays })),
  ],
  [
    'CONSENT_SUBJECT_INSUFFICIENT',
    (spec) =>
      fc
        .subarray([...IDENTIFIER_TYPES], { minLength: 1 })
        .filter((types) => !satisfiesMinimumMatch(types, spec.minimumMatch))
        .chain(tokensFor)
        .map((tokens) => (i) => ({ ...i, subject: { epoch: i.subject.epoch, tokens } })),
  ],
];

describe('consent/properties', () => {
  for (const [purpose, spec] of Object.entries(REGISTRY.purposes)) {
    it(`when a ${purpose} consent is within every bound, then it validates unchanged`, () => {
      fc.assert(
        fc.property(withinBounds(purpose, spec), (i) => {
          const { body } = buildConsent(i);
          assert.deepEqual(validateConsent(wire(body), REGISTRY, NOW), body);
        }),
      );
    });

    for (const [code, widen] of WIDENINGS) {
      it(`when one ${purpose} bound is widened, then it is refused with ${code}`, () => {
        fc.assert(
          fc.property(withinBounds(purpose, spec), widen(spec), (i, change) => {
            rejectsWith(code, () => validateConsent(wire(buildConsent(change(i)).body), REGISTRY, NOW));
          }),
        );
      });
    }
  }
});
