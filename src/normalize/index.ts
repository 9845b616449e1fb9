/** Public API of identifier normalization, schema "cn-credit/1" (DESIGN §2). */
export {
  FIELD_MISSING,
  IDENTIFIER_TYPES,
  NORMALIZE_ERROR_CODES,
  NORMALIZERS,
  SCHEMA,
  isIdentifierType,
  normalizeIdentifier,
} from './schema.js';
export type { IdentifierType } from './schema.js';
export { MAX_RAW_LENGTH } from './guard.js';
export {
  RESIDENT_ID_REGIONS,
  birthDateOfResidentId,
  normalizeResidentId,
  residentIdCheckChar,
} from './resident-id.js';
export { normalizeUscc, usccCheckChar } from './uscc.js';
export { normalizePhone } from './phone.js';
export { normalizeName } from './name.js';
export { normalizeDob } from './dob.js';
export { normalizeEmail } from './email.js';
