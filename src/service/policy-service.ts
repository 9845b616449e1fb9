/**
 * Setting an owner policy (DESIGN §3, §7): a signed `policy.set` object, verified against the
 * member's signing certificate, signed by the caller itself, newer than the policy in force,
 * logged as `policy.set` (the signed object itself: ids and rules, no data), then put in force.
 */
import { BrokerError } from '../errors.js';
import type { Party } from '../ingest/manifest.js';
import { checkPolicyVersion, DEFAULT_POLICY, parsePolicyBody, POLICY_TYPE } from '../match/policy.js';
import type { OwnerPolicy } from '../match/policy.js';
import type { FullReceipt, LogAppender } from '../match/ports.js';
import { signedObjectDigest, verifySignedObject } from '../signing/signed-object.js';
import type { VerifyOptions } from '../signing/signed-object.js';
import type { MatchStore } from '../store/match-store.js';

export interface PolicyServiceDeps {
  store: MatchStore;
  log: LogAppender;
  verifyOptions: () => VerifyOptions;
}

export class PolicyService {
  constructor(private readonly deps: PolicyServiceDeps) {}

  /**
   * Verifies, logs and stores `signed`. Throws SIG_*, POLICY_SIGNER_MISMATCH (signed by another
   * member than the caller), POLICY_INVALID, POLICY_STALE, and the log's codes.
   */
  async put(caller: Party, signed: unknown): Promise<{ version: number; receipt: FullReceipt }> {
    const verified = verifySignedObject(signed, { ...this.deps.verifyOptions(), expectedType: POLICY_TYPE });
    if (verified.signer.role !== 'member' || verified.signer.id !== caller.id) {
      throw new BrokerError(
        'POLICY_SIGNER_MISMATCH',
        'a member sets only its own policy, signed with its own key',
        {
          details: { signer: `${verified.signer.role}:${verified.signer.id}` },
        },
      );
    }
    const policy = parsePolicyBody(verified.body, caller.id);
    checkPolicyVersion((await this.deps.store.policy(caller.id))?.version, policy.version);
    const receipt = await this.deps.log.appendEntry(POLICY_TYPE, {
      member: caller.id,
      version: policy.version,
      policyDigest: signedObjectDigest(verified),
      policy: verified,
    });
    const inForce = await this.deps.store.setPolicy(caller.id, {
      version: policy.version,
      policy,
      signed: verified,
      receipt: { index: receipt.index, leafHash: receipt.leafHash },
    });
    if (inForce !== undefined) checkPolicyVersion(inForce, policy.version);
    return { version: policy.version, receipt };
  }

  /** The caller's policy in force (the default when it never set one). */
  async get(caller: Party): Promise<{ policy: OwnerPolicy; custom: boolean }> {
    const stored = await this.deps.store.policy(caller.id);
    return stored
      ? { policy: stored.policy, custom: true }
      : { policy: { member: caller.id, ...DEFAULT_POLICY }, custom: false };
  }
}
