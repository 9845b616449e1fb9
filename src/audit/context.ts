/**
 * What an auditor trusts, loaded from its keys directory (DESIGN §1, §7): its TLS identity and
 * witness key, the log's Ed25519 public key (C2SP signed-note verifier, the checkpoint origin),
 * and the consortium CA with the members' signing certificates listed in consortium.json, against
 * which every signed object in the log is verified. Nothing comes from the broker.
 */
import type { AuditorIdentity } from '../keys/load.js';
import { loadAuditorIdentity } from '../keys/load.js';
import type { NoteVerifier } from '../ledger/signed-note.js';
import { memberVerifyOptions } from '../service/member-signatures.js';
import type { VerifyOptions } from '../signing/signed-object.js';

export interface AuditorContext {
  readonly identity: AuditorIdentity;
  readonly logKey: NoteVerifier;
  readonly verifyOptions: VerifyOptions;
}

/**
 * Loads the auditor's context. Signatures are checked at each entry's time; certificate
 * revocation is not applied (the revocation list carries no revocation time, so it cannot say
 * whether a signature predates it). Throws KEYS_MISSING, KEYS_MALFORMED, KEYS_BAD_ID.
 */
export async function loadAuditorContext(keysDir: string, auditorId: string): Promise<AuditorContext> {
  const identity = await loadAuditorIdentity(keysDir, auditorId);
  const options = await memberVerifyOptions(keysDir, identity.caCertPem, () => new Set());
  return { identity, logKey: identity.logKey, verifyOptions: options() };
}
