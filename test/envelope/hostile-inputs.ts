// Hostile values for the envelope parser (DESIGN §3): each must be refused wherever an envelope,
// a group, a string id or a sealed value is expected. Could move to test/fixtures/ for other parsers.

const HUGE = 'A'.repeat(1 << 20);

/** Never a valid JSON object, string id or sealed value. */
export const HOSTILE_NON_STRINGS: readonly (readonly [string, unknown])[] = [
  ['undefined', undefined],
  ['null', null],
  ['zero', 0],
  ['NaN', Number.NaN],
  ['true', true],
  ['bigint', 1n],
  ['symbol', Symbol('x')],
  ['function', () => 0],
  ['empty array', []],
  ['array of objects', [{}]],
  ['Date', new Date(0)],
  ['Map', new Map([['a', 1]])],
  ['Uint8Array', new Uint8Array(8)],
  ['class instance', new (class Thing {})()],
  ['object with Array prototype', Object.create(Array.prototype) as unknown],
  ['boxed string', Object('bb1.AAAA') as unknown],
];

/** Never a valid sealed value ("bb1." + base64url of the right length). */
export const HOSTILE_SEALED_STRINGS: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['prefix only', 'bb1.'],
  ['no prefix', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['uppercase prefix', `BB1.${'A'.repeat(80)}`],
  ['standard base64 alphabet', `bb1.${'+/'.repeat(40)}`],
  ['padding', `bb1.${'A'.repeat(78)}==`],
  ['whitespace', `bb1.${'A'.repeat(40)} ${'A'.repeat(39)}`],
  ['non-ASCII', `bb1.${'Ａ'.repeat(80)}`],
  ['huge', `bb1.${HUGE}`],
  ['huge without prefix', HUGE],
];

/** Never a valid owner or recordId. */
export const HOSTILE_IDS: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['huge', HUGE],
  ['pipe', 'a|b'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['lone surrogate', 'a\ud800'],
];
