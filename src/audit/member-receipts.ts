/**
 * A member checks that its own writes are in the log (DESIGN §5 "every write answers with a
 * receipt"; RFC 9162 §2.1.3.2): for each receipt it kept ({index, leafHash} as the broker answered
 * its submission, consent or policy), the latest checkpoint is verified under the log's public key
 * from the keys directory, the broker's inclusion proof for that index is verified against it, and
 * the entry served at that index must hash to the receipt's leaf. Receipts file: JSON lines.
 */
import { readFile } from 'node:fs/promises';
import { BrokerError } from '../errors.js';
import { readJsonFile } from '../keys/files.js';
import { loadMemberIdentity } from '../keys/load.js';
import { brokerPaths } from '../keys/layout.js';
import { verifyCheckpoint } from '../ledger/checkpoint.js';
import type { NoteVerifier } from '../ledger/signed-note.js';
import { verifyInclusion } from '../ledger/verify.js';
import { equalBytes, fromBase64url, fromHex } from '../util/bytes.js';
import { LogClient } from './log-client.js';
import { leafHashOfText } from './replay.js';

export interface ReceiptCheck {
  readonly index: number;
  readonly ok: boolean;
  readonly message: string;
}

/** Parses the receipts file: one `{index, leafHash (hex)}` JSON object a line. Throws RECEIPTS_INVALID. */
export function parseReceipts(text: string): Array<{ index: number; leafHash: Uint8Array }> {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      try {
        const value = JSON.parse(line) as { index?: unknown; leafHash?: unknown };
        if (!Number.isSafeInteger(value.index) || (value.index as number) < 0) throw new Error('index');
        return { index: value.index as number, leafHash: fromHex(String(value.leafHash), 32) };
      } catch {
        throw new BrokerError(
          'RECEIPTS_INVALID',
          `receipts line ${i + 1} is not {index, leafHash (64 hex)}`,
          {
            hint: 'keep the receipts the broker answered, one JSON object a line',
          },
        );
      }
    });
}

/**
 * Verifies every receipt in `file` as `memberId`. Throws KEYS_*, RECEIPTS_INVALID, the checkpoint
 * verification codes and the broker's codes for the checkpoint.
 */
export async function verifyMemberReceipts(
  keysDir: string,
  memberId: string,
  brokerUrl: string,
  file: string,
): Promise<ReceiptCheck[]> {
  const receipts = parseReceipts(await readFile(file, 'utf8'));
  const identity = await loadMemberIdentity(keysDir, memberId);
  const pub = (await readJsonFile(brokerPaths(keysDir).logKeyPub)) as { name?: string; publicKey?: string };
  const logKey: NoteVerifier = {
    name: String(pub.name),
    publicKey: fromBase64url(String(pub.publicKey), 32),
  };
  const client = new LogClient({ brokerUrl, tls: identity.tls, caCertPem: identity.caCertPem });
  try {
    const { checkpoint } = verifyCheckpoint(await client.checkpoint(), logKey);
    const size = Number(checkpoint.size);
    const checks: ReceiptCheck[] = [];
    for (const r of receipts) {
      if (r.index >= size) {
        checks.push({
          index: r.index,
          ok: false,
          message: `not yet covered by the checkpoint of size ${size}`,
        });
        continue;
      }
      const [{ proof }, [text]] = await Promise.all([
        client.inclusion(r.index, size),
        client.entries(r.index, r.index + 1),
      ]);
      const proven = verifyInclusion(r.leafHash, r.index, size, proof, checkpoint.root);
      const served = text !== undefined && equalBytes(leafHashOfText(text), r.leafHash);
      checks.push({
        index: r.index,
        ok: proven && served,
        message: !proven
          ? 'the inclusion proof does not lead to the signed root: the entry is not in the log'
          : served
            ? `included in the signed tree of size ${size}`
            : 'included, but the broker serves a different entry text at this index',
      });
    }
    return checks;
  } finally {
    client.close();
  }
}
