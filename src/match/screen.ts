/**
 * Multi-lending screening of one subject (DESIGN §6 `screen`): from the records other lenders hold
 * on the subject (found on any of its tokens), count the other lenders and their active and
 * delinquent loans, from declared metadata (`meta.state`) only: nothing is opened. A record counts
 * only when its matched identifier types meet the purpose's minimum match and its owner's policy
 * lets its records feed aggregate answers for this requester and purpose. Pure.
 */
import { satisfiesMinimumMatch } from '../consent/subject.js';
import type { IdentifierType } from '../normalize/schema.js';
import { decideRelease } from './policy.js';
import type { OwnerPolicy } from './policy.js';
import { reportCount } from './small-count.js';
import type { ReportedCount } from './small-count.js';

/** One record found for a subject: its owner, declared state and the identifier types that matched. */
export interface ScreenHit {
  owner: string;
  state: string;
  matchedOn: readonly IdentifierType[];
}

export interface ScreenRules {
  requester: string;
  purpose: string;
  minimumMatch: readonly (readonly IdentifierType[])[];
  /** Counts below k are reported as "<k". */
  k: number;
  policyOf: (owner: string) => OwnerPolicy | undefined;
}

export interface ScreenCounts {
  otherLenders: number;
  activeLoans: number;
  delinquentLoans: number;
}

export interface ScreenRow {
  ref: string;
  otherLenders: ReportedCount;
  activeLoans: ReportedCount;
  delinquentLoans: ReportedCount;
}

/** The exact counts of one subject (kept inside the broker; only `reportRow` leaves it). */
export function countSubject(hits: readonly ScreenHit[], rules: ScreenRules): ScreenCounts {
  const lenders = new Set<string>();
  let activeLoans = 0;
  let delinquentLoans = 0;
  const allowed = new Map<string, boolean>();
  for (const hit of hits) {
    if (hit.owner === rules.requester || !satisfiesMinimumMatch(hit.matchedOn, rules.minimumMatch)) continue;
    let ok = allowed.get(hit.owner);
    if (ok === undefined) {
      const decision = decideRelease(rules.policyOf(hit.owner), {
        requester: rules.requester,
        purpose: rules.purpose,
        output: 'aggregate',
        groups: [],
      });
      ok = decision.allowed;
      allowed.set(hit.owner, ok);
    }
    if (!ok) continue;
    lenders.add(hit.owner);
    if (hit.state === 'active') activeLoans++;
    else if (hit.state === 'delinquent') delinquentLoans++;
  }
  return { otherLenders: lenders.size, activeLoans, delinquentLoans };
}

/** The reported row of one subject under the small-count rule. */
export function reportRow(ref: string, counts: ScreenCounts, k: number): ScreenRow {
  return {
    ref,
    otherLenders: reportCount(counts.otherLenders, k),
    activeLoans: reportCount(counts.activeLoans, k),
    delinquentLoans: reportCount(counts.delinquentLoans, k),
  };
}
