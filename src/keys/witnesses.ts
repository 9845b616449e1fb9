/**
 * The auditors' witness keys (C2SP tlog-cosignature Ed25519 keys, DESIGN §5) as listed in
 * consortium.json: what the broker verifies a posted cosignature against.
 */
import type { NoteVerifier } from '../ledger/signed-note.js';
import { fromBase64url } from '../util/bytes.js';
import { BrokerError } from '../errors.js';
import { loadConsortium } from './load.js';

/** Auditor id → witness verifier. Throws KEYS_MISSING, KEYS_MALFORMED. */
export async function loadWitnessKeys(dir: string): Promise<Map<string, NoteVerifier>> {
  const consortium = await loadConsortium(dir);
  const out = new Map<string, NoteVerifier>();
  for (const auditor of consortium.auditors) {
    try {
      out.set(auditor.id, { name: auditor.witnessKey.name, publicKey: fromBase64url(auditor.witnessKey.publicKey, 32) });
    } catch (cause) {
      throw new BrokerError('KEYS_MALFORMED', `consortium.json: the witness key of ${auditor.id} is not 32 bytes`, { cause });
    }
  }
  return out;
}
