/**
 * Owner policy (DESIGN §3 "Owner policy", §6): per member, versioned, signed as a `policy.set`
 * object and logged. It says which purposes may see the owner's records, which recipients may (an
 * allow-list, or "*") and which may never (a competitor), which field groups each purpose may see,
 * how long a recipient may keep what it got, and which outputs its records feed (record-level
 * releases, aggregate screening counts). The broker releases only consent ∩ purpose ∩ policy.
 *
 * A member that never set a policy gets DEFAULT_POLICY: the consortium's purpose registry alone
 * decides (joining the consortium is agreeing to it). Pure: no I/O, no request, no job.
 */
import { z } from 'zod';
import { BrokerError } from '../errors.js';

export const POLICY_TYPE = 'policy.set';
const PARTY_ID = /^[a-z][a-z0-9-]{1,31}$/;
const PURPOSE = /^[a-z][a-z0-9_]{1,63}$/;
const GROUP = /^[a-z][a-zA-Z0-9_]{0,31}$/;

const idList = (pattern: RegExp, max: number) =>
  z
    .array(z.string().regex(pattern))
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'entries must be unique');

const policySchema = z
  .object({
    member: z.string().regex(PARTY_ID),
    /** Strictly increasing per member: a replayed or reordered policy is refused. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    allowedPurposes: z.union([z.literal('*'), idList(PURPOSE, 64)]),
    allowedRecipients: z.union([z.literal('*'), idList(PARTY_ID, 1024)]),
    excludedRecipients: idList(PARTY_ID, 1024),
    /** Groups each purpose may see; a purpose not listed gets the groups its registry entry allows. */
    groupsByPurpose: z.record(z.string().regex(PURPOSE), idList(GROUP, 16)),
    /** Longest a recipient may keep released data, in days (the consent's dataLife may be shorter). */
    dataLifeDays: z.number().int().min(1).max(3660),
    output: z
      .object({
        /** Release sealed records to record-level purposes. */
        records: z.boolean(),
        /** Count this owner's records in screening answers. */
        aggregate: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type OwnerPolicy = z.infer<typeof policySchema>;

/** What applies to a member that never set a policy. */
export const DEFAULT_POLICY: Omit<OwnerPolicy, 'member'> = Object.freeze({
  version: 0,
  allowedPurposes: '*',
  allowedRecipients: '*',
  excludedRecipients: [],
  groupsByPurpose: {},
  dataLifeDays: 3660,
  output: { records: true, aggregate: true },
});

/**
 * Validates a policy body as hostile input. Throws BrokerError POLICY_INVALID naming every bad path,
 * POLICY_SIGNER_MISMATCH when `member` is not the signer.
 */
export function parsePolicyBody(body: unknown, signer: string): OwnerPolicy {
  const result = policySchema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BrokerError('POLICY_INVALID', `invalid policy: ${issues.join('; ')}`, {
      details: { issues },
      hint: 'see the Policy schema in /openapi.json',
    });
  }
  // z.record drops an own "__proto__" key silently; a policy must mean exactly what it says.
  if (
    Object.keys((body as { groupsByPurpose: object }).groupsByPurpose).length !==
    Object.keys(result.data.groupsByPurpose).length
  ) {
    throw new BrokerError(
      'POLICY_INVALID',
      'invalid policy: groupsByPurpose has a key that is not a purpose code',
    );
  }
  if (result.data.member !== signer) {
    throw new BrokerError(
      'POLICY_SIGNER_MISMATCH',
      `the policy names ${result.data.member} but ${signer} signed it`,
      {
        field: 'member',
        hint: 'a member sets only its own policy',
      },
    );
  }
  return result.data;
}

/** Throws POLICY_STALE unless `next` is newer than the policy in force. */
export function checkPolicyVersion(current: number | undefined, next: number): void {
  if (current !== undefined && next <= current) {
    throw new BrokerError(
      'POLICY_STALE',
      `policy version ${next} is not newer than version ${current} in force`,
      {
        field: 'version',
        details: { current },
        hint: `send version ${current + 1} or higher`,
      },
    );
  }
}

export interface ReleaseQuestion {
  requester: string;
  purpose: string;
  output: 'records' | 'aggregate';
  /** Groups the consent covers and the requester asked for (already within the purpose's). */
  groups: readonly string[];
}

/** Why an owner's policy withholds its records; shown to nobody but the logs and the owner. */
export type WithheldReason =
  | 'PURPOSE_NOT_ALLOWED'
  | 'RECIPIENT_EXCLUDED'
  | 'RECIPIENT_NOT_ALLOWED'
  | 'OUTPUT_NOT_ALLOWED'
  | 'NO_GROUP_ALLOWED';

export type PolicyDecision =
  { allowed: true; groups: string[]; dataLifeDays: number } | { allowed: false; reason: WithheldReason };

/** What `policy` (or the default, when undefined) lets `question.requester` see. */
export function decideRelease(policy: OwnerPolicy | undefined, question: ReleaseQuestion): PolicyDecision {
  const p = policy ?? DEFAULT_POLICY;
  if (p.excludedRecipients.includes(question.requester))
    return { allowed: false, reason: 'RECIPIENT_EXCLUDED' };
  if (p.allowedRecipients !== '*' && !p.allowedRecipients.includes(question.requester)) {
    return { allowed: false, reason: 'RECIPIENT_NOT_ALLOWED' };
  }
  if (p.allowedPurposes !== '*' && !p.allowedPurposes.includes(question.purpose)) {
    return { allowed: false, reason: 'PURPOSE_NOT_ALLOWED' };
  }
  if (!p.output[question.output]) return { allowed: false, reason: 'OUTPUT_NOT_ALLOWED' };
  const permitted = Object.hasOwn(p.groupsByPurpose, question.purpose)
    ? p.groupsByPurpose[question.purpose]
    : undefined;
  const groups =
    permitted === undefined ? [...question.groups] : question.groups.filter((g) => permitted.includes(g));
  if (question.output === 'records' && groups.length === 0)
    return { allowed: false, reason: 'NO_GROUP_ALLOWED' };
  return { allowed: true, groups, dataLifeDays: p.dataLifeDays };
}
