/**
 * `uscc` normalization for schema "cn-credit/1" (DESIGN §2): the 18-character Unified Social Credit
 * Code of GB 32100-2015.
 *
 * Steps: common guards; NFKC; strip all whitespace; uppercase; 18 characters from the code charset
 * `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z); check character per GB 32100-2015 §4.2:
 * weights W_i = 3^(i-1) mod 31, check value (31 − Σ C_i·W_i mod 31) mod 31 mapped back through the
 * charset. Worked example of the standard: 91350100M000100Y43.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, USCC_FORMAT, USCC_CHECKSUM.
 */
import { BrokerError } from '../errors.js';
import { guardRaw } from './guard.js';

const FIELD = 'uscc';
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const BODY17 = /^[0-9A-HJ-NP-RTUWXY]{17}$/;
const FORM18 = /^[0-9A-HJ-NP-RTUWXY]{18}$/;
const WHITESPACE = /\s+/g;

function formatError(message: string): BrokerError {
  return new BrokerError('USCC_FORMAT', message, {
    field: FIELD,
    hint: 'send the 18-character code: digits and capital letters except I, O, S, V, Z',
  });
}

/**
 * The GB 32100-2015 check character for the first 17 characters of a USCC.
 * Throws USCC_FORMAT unless `first17` is 17 characters of the code charset.
 */
export function usccCheckChar(first17: string): string {
  if (!BODY17.test(first17)) throw formatError('the code body is not 17 characters of the USCC charset');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return CHARSET.charAt((31 - (sum % 31)) % 31);
}

/** Normalizes a USCC. Throws BrokerError with a code from the file comment. */
export function normalizeUscc(raw: string): string {
  guardRaw(raw, FIELD);
  const code = raw.normalize('NFKC').replace(WHITESPACE, '').toUpperCase();
  if (!FORM18.test(code)) {
    throw formatError(`the code has ${code.length} characters or a character outside the USCC charset`);
  }
  if (code.charAt(17) !== usccCheckChar(code.slice(0, 17))) {
    throw new BrokerError('USCC_CHECKSUM', 'the check character of the code does not match', {
      field: FIELD,
      hint: 'the code has a typo: re-enter it from the business licence',
    });
  }
  return code;
}
