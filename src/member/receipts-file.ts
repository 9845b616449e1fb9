/**
 * The member's local receipts file (DESIGN §5: every write answers with a receipt): one JSON line
 * `{index, leafHash, kind, id, at}` per log entry the member caused, appended by `member submit
 * --wait` and `member consent …`, read by `member receipts verify`. Default `receipts-<member>.jsonl`.
 */
import { appendFile } from 'node:fs/promises';

function defaultReceiptsFile(member: string): string {
  return `receipts-${member}.jsonl`;
}

/** Appends one receipt; `leafHash` is hex or base64 as the API gave it. Throws fs errors. */
async function appendReceipt(
  file: string,
  receipt: { index: number; leafHash: string; kind: string; id: string },
): Promise<void> {
  await appendFile(file, `${JSON.stringify({ ...receipt, at: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
}

/**
 * Appends the receipt an API answer carried, if it has one ({index, leafHash}), to `file` or the
 * member's default receipts file. Throws fs errors.
 */
export async function keepReceipt(
  target: { file?: string; member: string },
  receipt: unknown,
  kind: string,
  id: string,
): Promise<void> {
  const r = receipt as { index?: unknown; leafHash?: unknown } | undefined;
  if (typeof r?.index !== 'number' || typeof r.leafHash !== 'string') return;
  await appendReceipt(target.file ?? defaultReceiptsFile(target.member), {
    index: r.index,
    leafHash: r.leafHash,
    kind,
    id,
  });
}
