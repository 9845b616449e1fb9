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
