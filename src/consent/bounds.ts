/**
 * Judging a consent against the purpose registry (DESIGN §4: "a consent outside them is refused
 * with the bound that it broke"). Each fair-use bound is one small named check with its own stable
 * code; the checks run in a fixed order, and `details` of a refusal name the bound, its limit and
 * the consent's value. The same checks run when the broker accepts a grant and when an auditor
 * replays a `consent.granted` entry (with `now` = the entry's acceptedAt).
 */
import { BrokerError } from '../errors.js';
import { verifySignedObject } from '../signing/signed-object.js';
import type { SignedObject, VerifyOptions } from '../signing/signed-object.js';
import { CONSENT_GRANT_TYPE, parseConsentBody } from './artefact.js';
import type { ConsentBody } from './artefact.js';
import { instantMillis, MS_PER_DAY } from './instant.js';
import { purposeSpec } from './purposes.js';
import type { PurposeRegistry, PurposeSpec } from './purposes.js';
import { satisfiesMinimumMatch } from './subject.js';
import { frequencyWithin, mostUsesPer } from './usage.js';

interface Violation {
  code: string;
  message: string;
  field: string;
  bound: string;
  limit: unknown;
  actual: unknown;
}

type BoundCheck = (consent: ConsentBody, spec: Readonly<PurposeSpec>, now: number) => Violation | undefined;

const days = (ms: number): number => ms / MS_PER_DAY;
const start = (c: ConsentBody): number => instantMillis(c.consentStart);
const expiry = (c: ConsentBody): number => instantMillis(c.consentExpiry);

const BOUND_CHECKS: readonly BoundCheck[] = [
  (c) =>
    start(c) < expiry(c)
      ? undefined
      : {
          code: 'CONSENT_START_AFTER_EXPIRY',
          message: 'consentStart must be before consentExpiry',
          field: 'consentStart',
          bound: 'consentStart < consentExpiry',
          limit: c.consentExpiry,
          actual: c.consentStart,
        },
  (c, _spec, now) =>
    expiry(c) > now
      ? undefined
      : {
          code: 'CONSENT_ALREADY_EXPIRED',
          message: 'consentExpiry is not in the future',
          field: 'consentExpiry',
          bound: 'consentExpiry > now',
          limit: new Date(now).toISOString(),
          actual: c.consentExpiry,
        },
  (c, spec, now) =>
    days(start(c) - now) <= spec.maxStartDelayDays
      ? undefined
      : {
          code: 'CONSENT_START_TOO_LATE',
          message: `consentStart is more than ${spec.maxStartDelayDays} day(s) ahead`,
          field: 'consentStart',
          bound: 'maxStartDelayDays',
          limit: spec.maxStartDelayDays,
          actual: days(start(c) - now),
        },
  (c, spec) =>
    days(expiry(c) - start(c)) <= spec.maxExpiryDays
      ? undefined
      : {
          code: 'CONSENT_EXPIRY_TOO_LONG',
          message: `the consent lasts longer than ${spec.maxExpiryDays} days`,
          field: 'consentExpiry',
          bound: 'maxExpiryDays',
          limit: spec.maxExpiryDays,
          actual: days(expiry(c) - start(c)),
        },
  (c, spec) =>
    frequencyWithin(c.frequency, spec.maxFrequency)
      ? undefined
      : {
          code: 'CONSENT_FREQUENCY_TOO_HIGH',
          message:
            `frequency ${c.frequency.value}/${c.frequency.unit} allows up to ` +
            `${mostUsesPer(c.frequency, spec.maxFrequency.unit)} uses per ${spec.maxFrequency.unit}, ` +
            `more than ${spec.maxFrequency.value}`,
          field: 'frequency',
          bound: 'maxFrequency',
          limit: spec.maxFrequency,
          actual: c.frequency,
        },
  (c, spec) => {
    const notAllowed = c.dataGroups.filter((g) => !spec.allowedGroups.includes(g));
    return notAllowed.length === 0
      ? undefined
      : {
          code: 'CONSENT_GROUP_NOT_ALLOWED',
          message: `purpose ${c.purpose} does not allow group(s) ${notAllowed.join(', ')}`,
          field: 'dataGroups',
          bound: 'allowedGroups',
          limit: spec.allowedGroups,
          actual: notAllowed,
        };
  },
  (c, spec) =>
    c.dataLifeDays <= spec.maxDataLifeDays
      ? undefined
      : {
          code: 'CONSENT_DATA_LIFE_TOO_LONG',
          message: `dataLifeDays is more than ${spec.maxDataLifeDays}`,
          field: 'dataLifeDays',
          bound: 'maxDataLifeDays',
          limit: spec.maxDataLifeDays,
          actual: c.dataLifeDays,
        },
  (c, spec) =>
    satisfiesMinimumMatch(c.subject.types, spec.minimumMatch)
      ? undefined
      : {
          code: 'CONSENT_SUBJECT_INSUFFICIENT',
          message: `identifiers ${c.subject.types.join('+')} do not meet the minimum match of ${c.purpose}`,
          field: 'subject.types',
          bound: 'minimumMatch',
          limit: spec.minimumMatch,
          actual: c.subject.types,
        },
];

/**
 * Parses a consent body and judges it against the registry at `now`. Returns the body or throws
 * the first bound it broke, with details {purpose, bound, limit, actual}.
 * @throws BrokerError CONSENT_MALFORMED, CONSENT_NO_SUBJECT, CONSENT_UNKNOWN_PURPOSE,
 * CONSENT_START_AFTER_EXPIRY, CONSENT_ALREADY_EXPIRED, CONSENT_START_TOO_LATE,
 * CONSENT_EXPIRY_TOO_LONG, CONSENT_FREQUENCY_TOO_HIGH, CONSENT_GROUP_NOT_ALLOWED,
 * CONSENT_DATA_LIFE_TOO_LONG, CONSENT_SUBJECT_INSUFFICIENT; RangeError for an invalid `now`
 */
export function validateConsent(body: unknown, registry: PurposeRegistry, now: Date): ConsentBody {
  const at = now.getTime();
  if (Number.isNaN(at)) throw new RangeError('now is an invalid Date');
  const consent = parseConsentBody(body);
  const spec = purposeSpec(registry, consent.purpose);
  if (spec === undefined) {
    throw new BrokerError('CONSENT_UNKNOWN_PURPOSE', `unknown purpose ${consent.purpose}`, {
      field: 'purpose',
      details: { purpose: consent.purpose, known: Object.keys(registry.purposes) },
      hint: 'use a purpose code from the purpose registry',
    });
  }
  for (const check of BOUND_CHECKS) {
    const violation = check(consent, spec, at);
    if (violation === undefined) continue;
    const { code, message, field, bound, limit, actual } = violation;
    throw new BrokerError(code, message, {
      field,
      details: { purpose: consent.purpose, bound, limit, actual },
      hint: `stay within ${bound} of purpose ${consent.purpose} (purpose registry ${registry.version})`,
    });
  }
  return consent;
}

/**
 * Verifies a signed `consent.grant` received from anyone (or read back from the log): signature
 * and chain, signer = the member named as requester, then every bound at `now`. Returns it typed.
 * @throws BrokerError SIG_* (verifySignedObject), CONSENT_MALFORMED, CONSENT_SIGNER_MISMATCH, and
 * every code of validateConsent
 */
export function verifyConsentGrant(
  signed: unknown,
  options: VerifyOptions,
  registry: PurposeRegistry,
  now: Date,
): SignedObject<ConsentBody> {
  const verified = verifySignedObject(signed, { ...options, expectedType: CONSENT_GRANT_TYPE });
  const { requester } = parseConsentBody(verified.body);
  const { role, id } = verified.signer;
  if (role !== 'member' || id !== requester) {
    throw new BrokerError('CONSENT_SIGNER_MISMATCH', 'a consent must be signed by its requester', {
      field: 'requester',
      details: { signer: `${role}:${id}`, requester },
      hint: 'sign the consent with the signing key of the requesting member',
    });
  }
  return { ...verified, body: validateConsent(verified.body, registry, now) };
}
