/**
 * "Every signed object in the log verifies against a certificate of the consortium CA" (issue 6,
 * DESIGN §7): finds the signed objects an entry carries (signed-fields.ts: any top-level body
 * value with the signed-object shape, so kinds added later are covered too) and verifies each with
 * verifySignedObject at the entry's time. A consent signed by a key the CA never certified has a
 * keyId no consortium certificate carries, and fails here as SIG_UNKNOWN_SIGNER.
 */
import { isBrokerError } from '../errors.js';
import type { LogEntry } from '../ledger/entry.js';
import { verifySignedObject } from '../signing/signed-object.js';
import type { VerifyOptions } from '../signing/signed-object.js';
import { signedFields } from './signed-fields.js';

/**
 * Verifies every signed object of `entry`; returns one message per failure (empty when all
 * verify). Never throws for a bad object: a failure is a finding, not an error.
 */
export function checkSignedObjects(entry: LogEntry, options: VerifyOptions): string[] {
  const failures: string[] = [];
  const at = new Date(entry.at);
  for (const field of signedFields(entry)) {
    try {
      verifySignedObject(entry.body[field], { ...options, at });
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      failures.push(`body.${field}: ${err.code} ${err.message}`);
    }
  }
  return failures;
}
