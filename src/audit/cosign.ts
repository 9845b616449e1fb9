/**
 * `audit cosign` (DESIGN §5 "may cosign (witness) checkpoints"; C2SP tlog-cosignature): the
 * auditor verifies the latest checkpoint under the log key, proves it consistent (RFC 9162
 * §2.1.4.2) with the checkpoint its last clean `audit verify` kept, and only then adds its
 * Ed25519 cosignature/v1 line and sends the note to the broker. Without a kept checkpoint it
 * refuses: a witness vouches for consistency with what it has seen, and it has seen nothing.
 */
import { BrokerError } from '../errors.js';
import { fromBase64Strict } from '../ledger/base64.js';
import { verifyCheckpoint } from '../ledger/checkpoint.js';
import { cosignCheckpoint } from '../ledger/cosignature.js';
import { loadAuditorContext } from './context.js';
import { LogClient } from './log-client.js';
import { readAuditState } from './run.js';
import { checkConsistency } from './verify-log.js';

export interface CosignOptions {
  readonly keysDir: string;
  readonly auditorId: string;
  readonly brokerUrl: string;
  readonly statePath: string;
}

/**
 * Cosigns the broker's latest checkpoint. Throws AUDIT_NO_STATE without a kept checkpoint,
 * LOG_INCONSISTENT when the checkpoint does not extend it, the checkpoint verification codes,
 * and the broker's codes for the POST.
 */
export async function cosignLatest(options: CosignOptions): Promise<{ size: number; note: string }> {
  const context = await loadAuditorContext(options.keysDir, options.auditorId);
  const state = await readAuditState(options.statePath);
  if (state === undefined) {
    throw new BrokerError('AUDIT_NO_STATE', `no audit state at ${options.statePath}`, {
      hint: 'run `blindbroker audit verify` first: a witness cosigns only what extends what it verified',
    });
  }
  const client = new LogClient({
    brokerUrl: options.brokerUrl,
    tls: context.identity.tls,
    caCertPem: context.identity.caCertPem,
  });
  try {
    const text = await client.checkpoint();
    const { checkpoint } = verifyCheckpoint(text, context.logKey);
    const signed = { size: Number(checkpoint.size), root: checkpoint.root };
    const root = fromBase64Strict(state.root) ?? new Uint8Array(0);
    const problem = await checkConsistency(client, state.size, root, signed);
    if (problem !== undefined) {
      throw new BrokerError('LOG_INCONSISTENT', problem, {
        hint: 'do not cosign; run `blindbroker audit verify` and report the finding',
      });
    }
    const note = cosignCheckpoint(text, context.identity.witnessKey);
    await client.sendCosignature(note);
    return { size: signed.size, note };
  } finally {
    client.close();
  }
}
