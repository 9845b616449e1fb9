/**
 * The member's local receipts file (DESIGN §5: every write answers with a receipt): one JSON line
 * `{index, leafHash, kind, id, at}` per log entry the member caused, appended by `member submit
 * --wait` and `member consent …`, read by `member receipts verify`. Default `receipts-<member>.jsonl`.
 */
import { appendFile } from 'node:fs/promises';

export function defaultReceiptsFile(member: string): string {
  return `receipts-${member}.jsonl`;
}

/** Appends one receipt; `leafHash` is hex or base64 as the API gave it. Throws fs errors. */
export async function appendReceipt(
  file: string,
  receipt: { index: number; leafHash: string; kind: string; id: string },
): Promise<void> {
  await appendFile(file, `${JSON.stringify({ ...receipt, at: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
}
