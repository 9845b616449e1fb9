/**
 * What the member-side matching commands share (DESIGN §2: identifiers are normalized and
 * tokenized at the member, never at the broker): the member's tokenizer from its unwrapped
 * consortium token secret, and a borrower's identifiers from --id-number / --phone / --name.
 */
import { BrokerError } from '../errors.js';
import { unwrapTokenSecret } from '../keys/load.js';
import { normalizeIdentifier } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { HmacTokenizer } from '../tokenize/hmac-tokenizer.js';

export interface BorrowerFlags {
  idNumber?: string;
  phone?: string;
  name?: string;
}

/** The member's hmac tokenizer. Throws KEYS_* when its keys cannot be read. */
export async function memberTokenizer(keysDir: string, member: string): Promise<HmacTokenizer> {
  const secret = await unwrapTokenSecret(keysDir, member);
  return new HmacTokenizer({
    consortiumSecret: secret.secret,
    consortiumId: secret.consortiumId,
    epoch: secret.epoch,
  });
}

/**
 * The borrower's normalized identifiers. Throws the normalizers' codes (RID_CHECKSUM, PHONE_INVALID,
 * …) and USAGE when none is given.
 */
export function borrowerIdentifiers(flags: BorrowerFlags): Partial<Record<IdentifierType, string>> {
  const out: Partial<Record<IdentifierType, string>> = {};
  const given: [IdentifierType, string | undefined][] = [
    ['cn_rid', flags.idNumber],
    ['phone', flags.phone],
    ['name', flags.name],
  ];
  for (const [type, raw] of given) {
    const value = normalizeIdentifier(type, raw);
    if (value !== null) out[type] = value;
  }
  if (Object.keys(out).length === 0) {
    throw new BrokerError('USAGE', 'name the borrower with --id-number, or --phone with --name');
  }
  return out;
}

/** Tokens of `ids` (each identifier type once). */
export function tokensOf(
  tokenizer: HmacTokenizer,
  ids: Partial<Record<IdentifierType, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ids).map(([t, v]) => [t, tokenizer.tokenize(t as IdentifierType, v).token]),
  );
}
