/**
 * One `audit verify` run (issue 6, DESIGN §5) as the CLI and tests call it: load what the auditor
 * trusts, read its state file (none: trust on first use), audit the broker's log over mTLS, keep
 * the new state only when the run is clean (written to a temporary file, then renamed, so a crash
 * never leaves half a state), and optionally write the HTML report.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadAuditorContext } from './context.js';
import { LogClient } from './log-client.js';
import { renderHtmlReport } from './report-html.js';
import { formatAuditState, parseAuditState } from './state.js';
import type { AuditState } from './state.js';
import { summarize } from './summary.js';
import type { AuditSummary } from './summary.js';
import { auditLog } from './verify-log.js';
import type { AuditOutcome } from './verify-log.js';

export interface AuditRunOptions {
  readonly keysDir: string;
  readonly auditorId: string;
  readonly brokerUrl: string;
  readonly statePath: string;
  readonly reportPath?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The state kept at `path`, or undefined when there is none. Throws AUDIT_STATE_INVALID. */
export async function readAuditState(path: string): Promise<AuditState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseAuditState(text);
}

/** Writes the state atomically (temp file + rename). Throws fs errors. */
export async function writeAuditState(path: string, state: AuditState): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, formatAuditState(state), { mode: 0o600 });
  await rename(temp, path);
}

/**
 * Runs one audit. Throws KEYS_* for the auditor's keys, AUDIT_STATE_INVALID, BROKER_UNREACHABLE
 * and the broker's problem codes when the checkpoint cannot be fetched at all.
 */
export async function runAudit(
  options: AuditRunOptions,
): Promise<{ outcome: AuditOutcome; summary: AuditSummary; saved: boolean }> {
  const context = await loadAuditorContext(options.keysDir, options.auditorId);
  const previous = await readAuditState(options.statePath);
  const client = new LogClient({
    brokerUrl: options.brokerUrl,
    tls: context.identity.tls,
    caCertPem: context.identity.caCertPem,
  });
  try {
    const outcome = await auditLog(client, previous, {
      logKey: context.logKey,
      verifyOptions: context.verifyOptions,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const summary = summarize(outcome, outcome.rules);
    if (outcome.state) await writeAuditState(options.statePath, outcome.state);
    if (options.reportPath) await writeFile(options.reportPath, renderHtmlReport(summary));
    return { outcome, summary, saved: outcome.state !== undefined };
  } finally {
    client.close();
  }
}
