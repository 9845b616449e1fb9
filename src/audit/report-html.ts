/**
 * The self-contained HTML audit report (issue 6 "Reports"): one file, inline CSS, no script, no
 * external asset. Everything that came from the log (ids, purposes, messages) is hostile text and
 * is HTML-escaped before it is written.
 */
import type { AuditSummary } from './summary.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body =
    rows.length === 0
      ? `<tr><td colspan="${headers.length}">none</td></tr>`
      : rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const sorted = (m: Record<string, number>): Array<[string, number]> =>
  Object.entries(m).sort(([a], [b]) => a.localeCompare(b));

/** The report page for `s`, generated at `now`. */
export function renderHtmlReport(s: AuditSummary, now = new Date()): string {
  const clean = s.findings.length === 0;
  const consentRows = Object.entries(s.consentsByPurpose)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([purpose, byStatus]) => sorted(byStatus).map(([status, n]) => [purpose, status, n]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>blindbroker audit report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
.clean{color:#060}.dirty{color:#a00}.note{background:#fff6d0;padding:.5em}
</style></head><body>
<h1>blindbroker audit report</h1>
<p>Generated ${escapeHtml(now.toISOString())}. Entries ${escapeHtml(s.fromSize)} → ${escapeHtml(s.toSize ?? '?')}.</p>
${s.trustOnFirstUse ? '<p class="note">No earlier checkpoint was kept: this run trusted the current checkpoint on first use.</p>' : ''}
<h2 class="${clean ? 'clean' : 'dirty'}">${clean ? 'Clean: no findings' : `${s.findings.length} finding(s)`}</h2>
${table(
  ['entry index', 'rule', 'message'],
  s.findings.map((f) => [f.index ?? 'checkpoint', f.rule, f.message]),
)}
<h2>Entries by kind</h2>
${table(['kind', 'entries'], sorted(s.entriesByKind))}
<h2>Consents by purpose</h2>
${table(['purpose', 'status', 'consents'], consentRows)}
<h2>Disclosures by requester</h2>
${table(['requester', 'disclosures'], sorted(s.disclosuresByRequester))}
<h2>Disclosures by owner</h2>
${table(['owner', 'disclosures'], sorted(s.disclosuresByOwner))}
</body></html>
`;
}
