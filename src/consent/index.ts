/** Public API of the consent domain (DESIGN §4, §5): purposes, artefacts, lifecycle, usage, log entries. */
export * from './codes.js';
export { instantMillis, MS_PER_DAY } from './instant.js';
export { FREQUENCY_UNITS, loadPurposeRegistry, parsePurposeRegistry, purposeSpec } from './purposes.js';
export type { Frequency, FrequencyUnit, PurposeRegistry, PurposeSpec } from './purposes.js';
export {
  SUBJECT_COMMITMENT_DOMAIN,
  SUBJECT_SALT_BYTES,
  satisfiesMinimumMatch,
  subjectCommitment,
  subjectTypes,
  tokenizeSubject,
  verifySubjectOpening,
} from './subject.js';
export type { ConsentSubject, SubjectOpening, SubjectTokens } from './subject.js';
export { buildConsent, CONSENT_GRANT_TYPE, parseConsentBody } from './artefact.js';
export type { BuildConsentInput, ConsentBody } from './artefact.js';
export { validateConsent, verifyConsentGrant } from './bounds.js';
export {
  applyTransition,
  CONSENT_REASONS,
  consentStatus,
  initialState,
  LIFECYCLE_REQUEST_TYPES,
  MAX_REQUEST_SKEW_MS,
  parseLifecycleRequest,
} from './lifecycle.js';
export type {
  ConsentReason,
  ConsentState,
  ConsentStatus,
  LifecycleAction,
  LifecycleRequestBody,
  StoredStatus,
} from './lifecycle.js';
export {
  checkUsable,
  frequencyWithin,
  intervalKey,
  mostUsesPer,
  NO_USAGE,
  recordUse,
  USAGE_TIMEZONE,
  usesInInterval,
} from './usage.js';
export type { ConsentUsage, UsableConsent, UseRequest } from './usage.js';
export {
  CONSENT_ENTRY_KINDS,
  consentChangedEntry,
  consentGrantedEntry,
  decodeConsentEntry,
  encodeConsentEntry,
  parseConsentEntry,
} from './log-entries.js';
export type {
  ConsentChangedEntry,
  ConsentEntry,
  ConsentEntryKind,
  ConsentGrantedEntry,
} from './log-entries.js';
