/**
 * Opening a sealed record at a member (DESIGN §3): the member names the borrower with one of its
 * identifiers, tokenizes it locally (hmac or oprf mode), and the sealKey unwraps that identifier's
 * subject slot.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { openEnvelope, type OpenedRecord } from '../envelope/open.js';
import { BrokerError } from '../errors.js';
import { normalizeIdentifier, type IdentifierType } from '../normalize/index.js';
import type { TokenPair, Tokenizer } from '../tokenize/tokenizer.js';

/** Finds one record line by id in a batch file (manifest first, then records). */
export async function findRecordLine(batchPath: string, recordId: string): Promise<unknown> {
  const lines = createInterface({ input: createReadStream(batchPath), crlfDelay: Infinity });
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    if (!line.includes(recordId)) continue;
    const parsed: unknown = JSON.parse(line);
    if ((parsed as { recordId?: unknown }).recordId === recordId) {
      lines.close();
      return parsed;
    }
  }
  throw new BrokerError('RECORD_NOT_FOUND', `no record ${recordId} in ${batchPath}`, {
    hint: 'check --record-id',
  });
}

/**
 * Opens a record line with one identifier of its subject.
 * @throws BrokerError with the normalizer's code for a malformed identifier, ENVELOPE_NO_SLOT when
 *   the record has no slot for that identifier type, ENVELOPE_DECRYPT when the identifier is not the
 *   record's subject (or was sealed under another tokenizer epoch), ENVELOPE_MALFORMED for a damaged
 *   line, and what the tokenizer throws (TA_* in oprf mode)
 */
export async function openRecordLine(
  line: unknown,
  tokenizer: Tokenizer,
  type: IdentifierType,
  raw: string,
): Promise<OpenedRecord> {
  const normalized = normalizeIdentifier(type, raw);
  if (normalized === null) throw new BrokerError('FIELD_MISSING', `no ${type} given`, { field: type });
  const envelope = (line as { envelope?: unknown } | null)?.envelope;
  const [pair] = await tokenizer.tokenizeBatch([{ type, value: normalized }]);
  return openEnvelope(envelope, { type, sealKey: (pair as TokenPair).sealKey });
}
