/**
 * The demo's second half (DESIGN §4-§6): ant records an applicant's consent, looks the applicant
 * up at the other lenders and opens what is released, screens a portfolio for multi-lending,
 * revokes the consent and is refused, and the auditor verifies the whole log.
 */
import { join } from 'node:path';
import { runAudit } from '../audit/run.js';
import type { Borrower } from '../synth/people.js';
import {
  grantConsent,
  queryBorrower,
  queryRefused,
  revokeConsent,
  screenPortfolio,
  type DemoParties,
} from './flow.js';
import type { Narrator } from './narrator.js';

export interface ConsentedStepsInput {
  parties: DemoParties;
  applicant: Borrower;
  portfolio: readonly Borrower[];
  brokerUrl: string;
  dir: string;
}

const REQUESTER = 'ant';

function describeGroups(groups: Record<string, Record<string, unknown>>): string {
  return Object.entries(groups)
    .map(
      ([g, fields]) =>
        `${g}{${Object.entries(fields)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')}}`,
    )
    .join(' ');
}

/** Runs the consented steps; returns whether each behaved as the design promises. */
export async function runConsentedSteps(say: Narrator, input: ConsentedStepsInput): Promise<boolean> {
  const { parties, applicant } = input;
  const consent = await say.step(
    'ant records the applicant’s consent (loan_underwriting), tokenized and signed at ant',
    () =>
      grantConsent(parties, REQUESTER, applicant, {
        purpose: 'loan_underwriting',
        groups: ['status', 'amounts'],
        perMonth: 5,
        expiryDays: 30,
      }),
    (c) => [`consent ${c.consentId} accepted and sequenced in the log at index ${c.logIndex}`],
  );
  const query = await say.step(
    'ant looks the applicant up at the other lenders and opens the released groups locally',
    () => queryBorrower(parties, REQUESTER, consent.consentId, applicant),
    (q) => [
      `${q.released.length} records released; query.received at log index ${q.queryIndex}, disclosures at ${q.disclosures.join(', ')}`,
      ...q.released.map(
        (r) =>
          `${r.owner} ${r.recordId} matched on ${r.matchedOn.join('+')} (${r.state}): ${describeGroups(r.opened)}`,
      ),
    ],
  );
  const owners = new Set(query.released.map((r) => r.owner));
  const foundEverywhere = ['tencent', 'didi', 'baihe'].every((m) => owners.has(m));

  const screening = await say.step(
    'ant screens a portfolio for multi-lending (aggregate counts only, small counts as <k)',
    async () => {
      const c = await grantConsent(parties, REQUESTER, applicant, {
        purpose: 'portfolio_screening',
        groups: ['status'],
        perMonth: 1,
        expiryDays: 30,
      });
      return screenPortfolio(parties, REQUESTER, c.consentId, input.portfolio);
    },
    (s) => [
      `${s.subjects} subjects screened; ${s.reportedWithOtherLenders} have loans at 3 or more other lenders`,
      `first row: ${JSON.stringify(s.first)}`,
    ],
  );

  const refusal = await say.step(
    'ant revokes the consent; the next lookup is refused',
    async () => {
      const revoked = await revokeConsent(parties, REQUESTER, consent.consentId);
      return {
        status: revoked.status,
        code: await queryRefused(parties, REQUESTER, consent.consentId, applicant),
      };
    },
    (r) => [`consent is now ${r.status}; the lookup was refused with ${r.code}`],
  );

  const audit = await say.step(
    'The auditor (pboc) verifies the log without trusting the broker',
    async () => {
      const options = {
        keysDir: parties.keysDir,
        auditorId: 'pboc',
        brokerUrl: input.brokerUrl,
        statePath: join(input.dir, 'pboc-state.json'),
      };
      const first = await runAudit({ ...options, reportPath: join(input.dir, 'audit-report.html') });
      const second = await runAudit(options);
      return { first, second };
    },
    ({ first, second }) => [
      `checkpoint signature verified; ${first.summary.toSize ?? 0} entries replayed, root recomputed${first.summary.trustOnFirstUse ? ' (first run: trusted this checkpoint on first use)' : ''}`,
      `entries: ${Object.entries(first.summary.entriesByKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
      `disclosures by requester: ${JSON.stringify(first.summary.disclosuresByRequester)}; by owner: ${JSON.stringify(first.summary.disclosuresByOwner)}`,
      `findings: ${first.summary.findings.length}${first.summary.findings
        .slice(0, 3)
        .map((f) => ` [${f.rule} @${String(f.index)}]`)
        .join('')}; state saved: ${first.saved}`,
      `second, incremental run: consistent with the saved checkpoint, ${(second.summary.toSize ?? 0) - second.summary.fromSize} new entries checked, findings: ${second.summary.findings.length}`,
    ],
  );

  return (
    foundEverywhere &&
    screening.subjects === input.portfolio.length &&
    refusal.code === 'CONSENT_REVOKED' &&
    audit.first.summary.findings.length === 0 &&
    audit.second.summary.findings.length === 0
  );
}
