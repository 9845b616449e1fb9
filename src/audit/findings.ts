/**
 * Audit findings (DESIGN §5 "an auditor … replays everything"): each names the entry index it is
 * about (null only for a finding about the checkpoint itself), the rule that failed and a message
 * that says what was seen. Rule names are stable strings, as sigstore's named checks.
 */

export const AUDIT_RULES = [
  'checkpoint.signature',
  'log.consistency',
  'log.dense-index',
  'log.replay',
  'entry.format',
  'entry.signature',
  'consent.entry',
  'consent.lifecycle',
  'consent.missing',
  'consent.inactive',
  'consent.coverage',
  'consent.frequency',
  'disclosure.duplicate',
] as const;

export type AuditRule = (typeof AUDIT_RULES)[number];

export interface Finding {
  /** The entry index the finding is about; null for the checkpoint as a whole. */
  readonly index: number | null;
  readonly rule: AuditRule;
  readonly message: string;
}

/** Sorts findings by index (checkpoint findings first), then rule, for stable reports. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => (a.index ?? -1) - (b.index ?? -1) || a.rule.localeCompare(b.rule));
}
