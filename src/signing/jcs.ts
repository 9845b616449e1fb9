/**
 * JSON Canonicalization Scheme (RFC 8785) through the `canonicalize` package, behind a strict guard:
 * the package silently drops `undefined` and symbols, calls `toJSON`, turns functions into invalid
 * output and recurses without limit. Signed objects (DESIGN §4, §7) must mean exactly one thing, so
 * anything that is not plain JSON data is refused with SIG_MALFORMED instead.
 */
import canonicalize from 'canonicalize';
import { BrokerError } from '../errors.js';
import { utf8 } from '../util/bytes.js';

/** Deeper values are refused: no consent, manifest or policy nests anywhere near this. */
export const MAX_JCS_DEPTH = 64;

function refuse(message: string, path: string): never {
  throw new BrokerError('SIG_MALFORMED', `${message} at ${path}`, {
    field: path,
    hint: 'signed values must be plain JSON: objects, arrays, strings, finite numbers, booleans, null',
  });
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Walks the value iteratively (no stack overflow on hostile depth) and refuses non-JSON data. */
function assertPlainJson(root: unknown): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: root, path: '$', depth: 0 },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path, depth } = item;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) refuse(`non-finite number ${String(value)}`, path);
        continue;
      case 'object':
        break;
      default:
        refuse(`${typeof value} is not JSON`, path);
    }
    if (value === null) continue;
    if (depth >= MAX_JCS_DEPTH) refuse(`nesting deeper than ${MAX_JCS_DEPTH}`, path);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        if (!(i in value)) refuse('sparse array', `${path}[${i}]`);
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      }
    } else if (isPlainObject(value)) {
      if (Object.getOwnPropertySymbols(value).length > 0) refuse('symbol key', path);
      for (const [key, child] of Object.entries(value)) {
        stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
      }
    } else {
      refuse(`${value.constructor?.name ?? 'exotic'} object is not plain JSON`, path);
    }
  }
}

/** The RFC 8785 canonical text of a JSON value. Throws SIG_MALFORMED for anything that is not plain JSON. */
export function canonicalJson(value: unknown): string {
  assertPlainJson(value);
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    // The package refuses lone surrogates (RFC 8785 §3.2.2.2 requires valid Unicode).
    throw new BrokerError('SIG_MALFORMED', `value cannot be canonicalized: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (text === undefined) refuse('value is not JSON', '$');
  return text;
}

/** The UTF-8 bytes of the RFC 8785 canonical form. Throws SIG_MALFORMED. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}
