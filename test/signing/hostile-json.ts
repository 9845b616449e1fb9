/**
 * Hostile values for every JSON-accepting signer and verifier (STYLE.md: a shared hostile-input list,
 * after sigstore-js malformed tests). `refused` values are not plain JSON and must fail with
 * SIG_MALFORMED; `accepted` ones are odd but legal JSON and must canonicalize.
 */

export interface HostileValue {
  readonly label: string;
  readonly value: () => unknown;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
}

function cyclic(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value['self'] = value;
  return value;
}

export const REFUSED_JSON: readonly HostileValue[] = [
  { label: 'NaN', value: () => ({ n: NaN }) },
  { label: 'Infinity', value: () => [Infinity] },
  { label: '-Infinity', value: () => ({ a: { b: -Infinity } }) },
  { label: 'undefined property', value: () => ({ a: undefined }) },
  { label: 'undefined at the top', value: () => undefined },
  { label: 'undefined array element', value: () => [1, undefined] },
  { label: 'sparse array', value: () => [1, , 3] }, // eslint-disable-line no-sparse-arrays
  { label: 'function', value: () => ({ f: () => 1 }) },
  { label: 'toJSON method', value: () => ({ toJSON: () => 'other' }) },
  { label: 'BigInt', value: () => ({ n: 1n }) },
  { label: 'symbol value', value: () => ({ s: Symbol('x') }) },
  { label: 'symbol key', value: () => ({ [Symbol('x')]: 1 }) },
  { label: 'Date', value: () => ({ at: new Date(0) }) },
  { label: 'Map', value: () => new Map([['a', 1]]) },
  { label: 'Uint8Array', value: () => ({ bytes: new Uint8Array(2) }) },
  {
    label: 'class instance',
    value: () =>
      new (class Point {
        x = 1;
      })(),
  },
  { label: 'boxed string', value: () => ({ s: new String('x') }) },
  { label: 'cycle', value: cyclic },
  { label: 'nesting 65 deep', value: () => nested(65) },
  { label: 'nesting 100000 deep', value: () => nested(100_000) },
  { label: 'lone high surrogate', value: () => ({ s: '\uD800' }) },
  { label: 'lone low surrogate key', value: () => ({ '\uDC00': 1 }) },
];

export const ACCEPTED_JSON: readonly HostileValue[] = [
  {
    label: '__proto__ own key from JSON.parse',
    value: () => JSON.parse('{"__proto__": {"admin": true}}') as unknown,
  },
  { label: 'constructor and prototype keys', value: () => ({ constructor: 1, prototype: { toString: 2 } }) },
  { label: 'null-prototype object', value: () => Object.assign(Object.create(null) as object, { a: 1 }) },
  { label: 'empty key', value: () => ({ '': '' }) },
  { label: 'nesting 63 deep', value: () => nested(63) },
  { label: '2 MiB string', value: () => ({ s: 'x'.repeat(2 << 20) }) },
  { label: 'NUL and U+2028 in strings', value: () => ['\u0000', '\u2028'] },
  { label: 'Number.MAX_VALUE and -0', value: () => [Number.MAX_VALUE, -0] },
];
