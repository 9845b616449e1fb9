/**
 * `email` normalization for schema "cn-credit/1" (DESIGN §2): a practical subset of the RFC 5321
 * address syntax, not the full RFC 5322 grammar (quoted local parts and IP-literal domains are
 * rejected; nobody's credit file depends on them).
 *
 * Steps: common guards; NFKC; trim; lowercase (the whole address: providers treat the local part
 * case-insensitively, and case must not break a match). Then: exactly one `@`; local part 1–64
 * characters of letters, digits, marks, ``!#$%&'*+/=?^_`{|}~-`` and dots (no leading, trailing or
 * doubled dot); the domain, if not ASCII, converted to A-labels (UTS #46 via node:url, so `例子.中国`
 * and its punycode form join); at least two labels of 1–63 letters, digits and inner hyphens, a
 * top-level label that is not all digits; at most 254 characters in all.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, EMAIL_INVALID.
 */
import { domainToASCII } from 'node:url';
import { BrokerError } from '../errors.js';
import { guardRaw } from './guard.js';

const FIELD = 'email';
const MAX_TOTAL = 254;
const MAX_LOCAL = 64;
const LOCAL = /^[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ALL_DIGITS = /^\d+$/;
const ASCII = /^[\x20-\x7e]*$/;

function invalid(message: string): BrokerError {
  return new BrokerError('EMAIL_INVALID', message, {
    field: FIELD,
    hint: 'send one address of the form name@example.com',
  });
}

function normalizeDomain(domain: string): string {
  const ascii = ASCII.test(domain) ? domain : domainToASCII(domain);
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw invalid('the domain of the address is not a valid host name with a dot');
  }
  if (ALL_DIGITS.test(labels[labels.length - 1] ?? '')) {
    throw invalid('the top-level domain of the address is numeric');
  }
  return ascii;
}

/** Normalizes an e-mail address. Throws BrokerError (codes above). */
export function normalizeEmail(raw: string): string {
  guardRaw(raw, FIELD);
  const text = raw.normalize('NFKC').trim().toLowerCase();
  const at = text.indexOf('@');
  if (at < 0 || text.indexOf('@', at + 1) >= 0) throw invalid('the address must contain exactly one @');
  const local = text.slice(0, at);
  if (local.length === 0 || local.length > MAX_LOCAL || !LOCAL.test(local)) {
    throw invalid(`the local part (before @) is empty, over ${MAX_LOCAL} characters, or malformed`);
  }
  const address = `${local}@${normalizeDomain(text.slice(at + 1))}`;
  if (address.length > MAX_TOTAL) throw invalid(`the address is longer than ${MAX_TOTAL} characters`);
  return address;
}
