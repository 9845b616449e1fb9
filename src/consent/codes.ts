/**
 * The stable error codes of the consent domain (DESIGN §4). Adapters map them to HTTP statuses and
 * exit codes; tests and clients match on them, never on messages. Each fair-use bound of the purpose
 * registry has its own code, so a refusal names the bound that was broken.
 */

/** Refusals of a consent artefact at grant time (validateConsent, verifySubjectOpening). */
export const CONSENT_GRANT_CODES = [
  'CONSENT_MALFORMED',
  'CONSENT_NO_SUBJECT',
  'CONSENT_SUBJECT_INSUFFICIENT',
  'CONSENT_SUBJECT_MISMATCH',
  'CONSENT_UNKNOWN_PURPOSE',
  'CONSENT_START_AFTER_EXPIRY',
  'CONSENT_ALREADY_EXPIRED',
  'CONSENT_START_TOO_LATE',
  'CONSENT_EXPIRY_TOO_LONG',
  'CONSENT_FREQUENCY_TOO_HIGH',
  'CONSENT_GROUP_NOT_ALLOWED',
  'CONSENT_DATA_LIFE_TOO_LONG',
  'CONSENT_SIGNER_MISMATCH',
] as const;

/** Refusals of a pause, resume or revoke request (applyTransition). */
export const CONSENT_TRANSITION_CODES = [
  'CONSENT_MALFORMED',
  'CONSENT_REQUEST_MISMATCH',
  'CONSENT_WRONG_REQUESTER',
  'CONSENT_REQUEST_STALE',
  'CONSENT_REVOKED',
  'CONSENT_EXPIRED',
  'CONSENT_ALREADY_PAUSED',
  'CONSENT_NOT_PAUSED',
] as const;

/** Refusals of a use of a consent by a match or screen job, or by the auditor's replay (checkUsable). */
export const CONSENT_USE_CODES = [
  'CONSENT_NOT_FOUND',
  'CONSENT_WRONG_REQUESTER',
  'CONSENT_NOT_SEQUENCED',
  'CONSENT_REVOKED',
  'CONSENT_EXPIRED',
  'CONSENT_PAUSED',
  'CONSENT_NOT_STARTED',
  'CONSENT_WRONG_PURPOSE',
  'CONSENT_GROUP_NOT_COVERED',
  'CONSENT_SOURCE_NOT_COVERED',
  'CONSENT_FREQUENCY_EXCEEDED',
] as const;

/** Refusals of a consent log entry read back from the log (parseConsentEntry). */
export const CONSENT_ENTRY_CODES = ['CONSENT_ENTRY_INVALID'] as const;

/** Refusals of the purpose registry at start (parsePurposeRegistry, loadPurposeRegistry). */
export const PURPOSE_REGISTRY_CODES = ['PURPOSES_MISSING', 'PURPOSES_INVALID'] as const;

export type ConsentErrorCode =
  | (typeof CONSENT_GRANT_CODES)[number]
  | (typeof CONSENT_TRANSITION_CODES)[number]
  | (typeof CONSENT_USE_CODES)[number]
  | (typeof CONSENT_ENTRY_CODES)[number];
