/**
 * The subject of a consent (DESIGN §4, §5): which borrower it is for, committed to without
 * revealing the borrower's tokens to the log.
 *
 * commitment = hex SHA-256 of the RFC 8785 JCS bytes of
 *   {"domain": "blindbroker/v1/consent-subject", "epoch": E, "salt": base64url(S), "tokens": {type: token}}
 * where S is 32 random bytes chosen by the requester for this consent, E the tokenizer epoch and
 * `tokens` one match token (16 bytes, base64url) per identifier type. JCS sorts the keys, so the
 * bytes are one function of the set of (type, token) pairs.
 *
 * Why a salt: tokens are deterministic, and in hmac mode every member can compute the token of any
 * guessed phone number. An unsalted hash of tokens in the log would let any member (or anyone who
 * learns a token) test whether a person has a consent on record. The 256-bit salt makes the
 * commitment hiding; SHA-256 makes it binding. The signed artefact carries only the commitment,
 * the epoch and the identifier types; the tokens and the salt (the "opening") travel beside it to
 * the broker, which checks them against the commitment and keeps them out of the log. The requester
 * keeps the opening so that it can later prove to an auditor which subject the consent was for.
 */
import { z } from 'zod';
import { sha256 } from '../crypto/hash.js';
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { canonicalBytes } from '../signing/jcs.js';
import { TOKEN_BYTES } from '../tokenize/tokenizer.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import { fromBase64url, toBase64url, toHex } from '../util/bytes.js';

export const SUBJECT_SALT_BYTES = 32;
export const SUBJECT_COMMITMENT_DOMAIN = 'blindbroker/v1/consent-subject';

/** One match token per identifier type (tokenizer output, DESIGN §2). */
export type SubjectTokens = Partial<Record<IdentifierType, string>>;

/** What the signed artefact says about its subject. */
export interface ConsentSubject {
  /** hex SHA-256, see the file comment. */
  commitment: string;
  /** The tokenizer epoch the tokens belong to. */
  epoch: number;
  /** The identifier types the subject's tokens cover (checked against the purpose's minimumMatch). */
  types: IdentifierType[];
}

/** The secret half: sent to the broker beside the signed artefact and kept by the requester. */
export interface SubjectOpening {
  salt: string;
  tokens: SubjectTokens;
}

function isCanonicalBase64url(text: string, length: number): boolean {
  try {
    fromBase64url(text, length);
    return true;
  } catch {
    return false;
  }
}

const tokenSchema = z
  .string()
  .length(Math.ceil((TOKEN_BYTES * 4) / 3))
  .refine((t) => isCanonicalBase64url(t, TOKEN_BYTES), 'must be a 16-byte base64url token');

/** Strict: an own `__proto__` or unknown identifier type is refused, never dropped. */
export const subjectTokensSchema = z
  .object(Object.fromEntries(IDENTIFIER_TYPES.map((type) => [type, tokenSchema.optional()])))
  .strict() as unknown as z.ZodType<SubjectTokens>;

export const subjectOpeningSchema = z
  .object({
    salt: z
      .string()
      .max(64)
      .refine((s) => isCanonicalBase64url(s, SUBJECT_SALT_BYTES), 'must be 32 bytes, base64url'),
    tokens: subjectTokensSchema,
  })
  .strict();

export const HEX_SHA256 = /^[0-9a-f]{64}$/;

export const consentSubjectSchema = z
  .object({
    commitment: z.string().regex(HEX_SHA256, 'must be 64 lowercase hex digits (SHA-256)'),
    epoch: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32),
    types: z
      .array(z.enum(IDENTIFIER_TYPES))
      .max(IDENTIFIER_TYPES.length)
      .refine((list) => new Set(list).size === list.length, 'entries must be unique'),
  })
  .strict();

/** The identifier types present in `tokens`, in schema order. */
export function subjectTypes(tokens: SubjectTokens): IdentifierType[] {
  return IDENTIFIER_TYPES.filter((type) => tokens[type] !== undefined);
}

/**
 * The subject commitment (file comment). Throws SIG_MALFORMED when a token is not a string (JCS
 * refuses non-JSON), RangeError when the salt is not 32 bytes.
 */
export function subjectCommitment(epoch: number, salt: Uint8Array, tokens: SubjectTokens): string {
  if (salt.length !== SUBJECT_SALT_BYTES) throw new RangeError(`salt must be ${SUBJECT_SALT_BYTES} bytes`);
  const sorted: SubjectTokens = {};
  for (const type of subjectTypes(tokens)) sorted[type] = tokens[type];
  return toHex(
    sha256(
      canonicalBytes({ domain: SUBJECT_COMMITMENT_DOMAIN, epoch, salt: toBase64url(salt), tokens: sorted }),
    ),
  );
}

/** True when `types` contains every identifier of at least one of the combinations. */
export function satisfiesMinimumMatch(
  types: readonly IdentifierType[],
  minimumMatch: readonly (readonly IdentifierType[])[],
): boolean {
  return minimumMatch.some((combination) => combination.every((type) => types.includes(type)));
}

/**
 * Checks an opening (hostile input from the API request) against the signed subject and returns
 * its tokens. Throws CONSENT_MALFORMED when the opening is not {salt, tokens}, CONSENT_NO_SUBJECT
 * when it holds no token, CONSENT_SUBJECT_MISMATCH when its types or commitment differ.
 */
export function verifySubjectOpening(subject: ConsentSubject, opening: unknown): SubjectTokens {
  const parsed = subjectOpeningSchema.safeParse(opening);
  if (!parsed.success) {
    throw new BrokerError('CONSENT_MALFORMED', 'the subject opening is not {salt, tokens}', {
      field: 'subject',
      details: { issues: parsed.error.issues.slice(0, 10).map((i) => i.path.join('.') || '(root)') },
      hint: 'send the salt and tokens that buildConsent returned beside the signed consent',
    });
  }
  const { salt, tokens } = parsed.data;
  const types = subjectTypes(tokens);
  if (types.length === 0) {
    throw new BrokerError('CONSENT_NO_SUBJECT', 'the subject opening holds no token', { field: 'subject' });
  }
  const declared = new Set(subject.types);
  if (types.length !== declared.size || types.some((t) => !declared.has(t))) {
    throw new BrokerError('CONSENT_SUBJECT_MISMATCH', 'the subject tokens do not match subject.types', {
      field: 'subject.types',
      details: { declared: [...declared], sent: types },
    });
  }
  if (subjectCommitment(subject.epoch, fromBase64url(salt), tokens) !== subject.commitment) {
    throw new BrokerError('CONSENT_SUBJECT_MISMATCH', 'the subject tokens do not open subject.commitment', {
      field: 'subject.commitment',
      hint: 'send the exact salt and tokens the consent was built with',
    });
  }
  return tokens;
}

/**
 * Tokenizes a borrower's normalized identifiers (null or absent values are skipped: nulls never
 * join, DESIGN §2). Throws CONSENT_NO_SUBJECT when no identifier is given, and whatever the
 * tokenizer throws (TOKEN_INPUT).
 */
export async function tokenizeSubject(
  identifiers: Partial<Record<IdentifierType, string | null>>,
  tokenizer: Tokenizer,
): Promise<{ epoch: number; tokens: SubjectTokens }> {
  const items = IDENTIFIER_TYPES.flatMap((type) => {
    const value = identifiers[type];
    return typeof value === 'string' && value.length > 0 ? [{ type, value }] : [];
  });
  if (items.length === 0) {
    throw new BrokerError('CONSENT_NO_SUBJECT', 'a consent needs at least one identifier of its subject', {
      hint: 'give the borrower resident ID number, or phone and name',
    });
  }
  const pairs = await tokenizer.tokenizeBatch(items);
  const tokens: SubjectTokens = {};
  items.forEach((item, i) => {
    const pair = pairs[i];
    if (pair !== undefined) tokens[item.type] = pair.token;
  });
  return { epoch: tokenizer.epoch, tokens };
}
