/**
 * Standard padded base64 (RFC 4648 §4), which the C2SP signed-note, tlog-checkpoint and
 * tlog-proof formats use (src/util/bytes.ts covers only base64url). Decoding is strict: only
 * canonical encodings are accepted, so one value has exactly one textual form.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes canonical padded base64; returns undefined for anything else (callers pick the error code). */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  return toBase64(bytes) === text ? bytes : undefined;
}
