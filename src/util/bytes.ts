/** Byte helpers shared by every layer: UTF-8, base64url (RFC 4648 §5, no padding) and hex. */
import { BrokerError } from '../errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing BAD_UTF8 on malformed input instead of inserting U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new BrokerError('BAD_UTF8', 'input is not valid UTF-8', { cause, hint: 'send UTF-8 text' });
  }
}

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url. Throws BAD_ENCODING on any other alphabet, on padding, or when
 * `expectedLength` is given and does not match (Node's decoder alone silently skips bad characters).
 */
export function fromBase64url(text: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) {
    throw new BrokerError('BAD_ENCODING', 'value is not unpadded base64url', {
      hint: 'encode binary values as base64url without padding (RFC 4648 §5)',
    });
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (toBase64url(bytes) !== text) {
    throw new BrokerError('BAD_ENCODING', 'value is not canonical base64url');
  }
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new BrokerError('BAD_ENCODING', `expected ${expectedLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** Value of a base64url character (RFC 4648 §5 table 2), or -1 outside the alphabet. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 71;
  if (code >= 48 && code <= 57) return code + 4;
  if (code === 45) return 62;
  return code === 95 ? 63 : -1;
}

/**
 * The number of bytes `text.slice(start)` decodes to when it is canonical unpadded base64url, and
 * -1 otherwise, without decoding it: exactly the inputs fromBase64url accepts (alphabet, a length
 * not ≡ 1 mod 4, zero trailing bits in the last character). For validating bulk values that are
 * stored, never opened (ingest checks every sealed value and token this way).
 */
export function base64urlLength(text: string, start = 0): number {
  const chars = text.length - start;
  if (chars < 0 || chars % 4 === 1 || !BASE64URL.test(start === 0 ? text : text.slice(start))) return -1;
  const rest = chars % 4;
  if (rest !== 0) {
    // 2 chars carry 1 byte + 4 spare bits, 3 chars 2 bytes + 2 spare bits: canonical means zeros.
    const spare = rest === 2 ? 0x0f : 0x03;
    if ((sextet(text.charCodeAt(text.length - 1)) & spare) !== 0) return -1;
  }
  return Math.floor((chars * 3) / 4);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || !HEX.test(text)) {
    throw new BrokerError('BAD_ENCODING', 'value is not lowercase hex');
  }
  const bytes = new Uint8Array(Buffer.from(text, 'hex'));
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new BrokerError('BAD_ENCODING', `expected ${expectedLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
