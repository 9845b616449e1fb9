/**
 * The audit report's content (issue 6 "Reports"): consents by purpose and status, disclosures by
 * requester and by owner, entries by kind, and the findings. Pure: computed from the rules state
 * and the outcome, rendered by report-text.ts and report-html.ts.
 */
import { consentStatus } from '../consent/lifecycle.js';
import type { Finding } from './findings.js';
import type { AuditOutcome } from './verify-log.js';
import type { RulesState } from './rules.js';

export interface AuditSummary {
  readonly trustOnFirstUse: boolean;
  readonly fromSize: number;
  readonly toSize: number | undefined;
  readonly entriesByKind: Record<string, number>;
  /** purpose → status → count, status at the report's time. */
  readonly consentsByPurpose: Record<string, Record<string, number>>;
  readonly disclosuresByRequester: Record<string, number>;
  readonly disclosuresByOwner: Record<string, number>;
  readonly findings: readonly Finding[];
}

function add(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

/** Summarises a run; `rules` is the state the rules reached (the outcome's, or the kept one). */
export function summarize(
  outcome: AuditOutcome,
  rules: RulesState | undefined,
  now = new Date(),
): AuditSummary {
  const consentsByPurpose: Record<string, Record<string, number>> = {};
  for (const c of Object.values(rules?.consents ?? {})) {
    const byStatus = (consentsByPurpose[c.body.purpose] ??= {});
    add(byStatus, consentStatus(c.state, now));
  }
  const disclosuresByRequester: Record<string, number> = {};
  const disclosuresByOwner: Record<string, number> = {};
  for (const [flow, n] of Object.entries(rules?.flows ?? {})) {
    const [requester = '?', owner = '?'] = flow.split(' → ');
    add(disclosuresByRequester, requester, n);
    add(disclosuresByOwner, owner, n);
  }
  return {
    trustOnFirstUse: outcome.trustOnFirstUse,
    fromSize: outcome.fromSize,
    toSize: outcome.toSize,
    entriesByKind: { ...(rules?.counts ?? {}) },
    consentsByPurpose,
    disclosuresByRequester,
    disclosuresByOwner,
    findings: outcome.findings,
  };
}

/** The terminal summary, one line per figure. */
export function summaryText(s: AuditSummary): string {
  const lines: string[] = [];
  if (s.trustOnFirstUse) {
    lines.push(
      'NOTE: no earlier checkpoint was kept: this run trusts the current checkpoint on first use (TOFU).',
    );
  }
  lines.push(`log entries checked: ${s.fromSize} → ${s.toSize ?? '?'}`);
  const table = (title: string, m: Record<string, number>): void => {
    lines.push(`${title}:`);
    const keys = Object.keys(m).sort();
    if (keys.length === 0) lines.push('  (none)');
    for (const k of keys) lines.push(`  ${k}: ${m[k]}`);
  };
  table('entries by kind', s.entriesByKind);
  lines.push('consents by purpose:');
  if (Object.keys(s.consentsByPurpose).length === 0) lines.push('  (none)');
  for (const [purpose, byStatus] of Object.entries(s.consentsByPurpose).sort()) {
    lines.push(
      `  ${purpose}: ${Object.entries(byStatus)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  table('disclosures by requester', s.disclosuresByRequester);
  table('disclosures by owner', s.disclosuresByOwner);
  lines.push(s.findings.length === 0 ? 'findings: none (clean)' : `findings: ${s.findings.length}`);
  for (const f of s.findings) lines.push(`  [${f.index ?? 'checkpoint'}] ${f.rule}: ${f.message}`);
  return lines.join('\n');
}
