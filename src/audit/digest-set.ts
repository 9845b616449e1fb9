/**
 * The set of disclosures an auditor has seen (issue 6 "no disclosure is duplicated", DESIGN §5):
 * 12-byte digests of (jobId, owner, recordId), packed end to end in insertion order, with an
 * open-addressing index over them. A million disclosures cost 12 MB of keys and 8 MB of index
 * instead of a million strings in a Set, and the state file keeps the packed keys as one base64
 * string (16 characters a disclosure, no quotes or commas).
 *
 * Every key is kept for the life of the log: pruning keys of jobs whose consent interval has
 * passed would let a broker re-disclose a record under an old job id as a fresh use, so the
 * duplicate rule would be weaker than the issue states.
 */

/** Bytes of a disclosure digest (a truncated SHA-256; 96 bits keep accidental collisions out). */
export const DIGEST_BYTES = 12;

export class DigestSet {
  #keys: Uint8Array;
  #count = 0;
  /** Key position + 1 per slot; 0 is an empty slot. Load factor kept at most 1/2. */
  #slots: Int32Array;

  /**
   * The set of the digests packed in `packed` (as `packed()` returns them). Throws RangeError
   * when its length is not a multiple of 12.
   */
  constructor(packed: Uint8Array = new Uint8Array(0)) {
    if (packed.length % DIGEST_BYTES !== 0) {
      throw new RangeError(`packed digests must be a multiple of ${DIGEST_BYTES} bytes`);
    }
    this.#keys = new Uint8Array(packed.length + 1024 * DIGEST_BYTES);
    this.#keys.set(packed);
    this.#count = packed.length / DIGEST_BYTES;
    // Indexed without comparing: a digest listed twice is merely indexed twice, and `add`
    // still finds it.
    this.#slots = new Int32Array(slotsFor(this.#count));
    this.#index();
  }

  get size(): number {
    return this.#count;
  }

  /**
   * Adds the digest at `bytes[offset … offset + 12)`; false when it was already present. The
   * digest is a hash, so its first four bytes index the table directly.
   */
  add(bytes: Uint8Array, offset = 0): boolean {
    const mask = this.#slots.length - 1;
    let slot = readWord(bytes, offset) & mask;
    for (let held = this.#slots[slot] ?? 0; held !== 0; held = this.#slots[slot] ?? 0) {
      if (this.#same(held - 1, bytes, offset)) return false;
      slot = (slot + 1) & mask;
    }
    if ((this.#count + 1) * DIGEST_BYTES > this.#keys.length) {
      const grown = new Uint8Array(this.#keys.length * 2);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    const at = this.#count * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) this.#keys[at + i] = bytes[offset + i] ?? 0;
    this.#slots[slot] = ++this.#count;
    if (this.#count * 2 > this.#slots.length) {
      this.#slots = new Int32Array(this.#slots.length * 2);
      this.#index();
    }
    return true;
  }

  /** The digests in insertion order, packed (a view: copy it to keep it past the next add). */
  packed(): Uint8Array {
    return this.#keys.subarray(0, this.#count * DIGEST_BYTES);
  }

  #same(key: number, bytes: Uint8Array, offset: number): boolean {
    const at = key * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (this.#keys[at + i] !== bytes[offset + i]) return false;
    return true;
  }

  /** Fills the (empty) slots with every key. */
  #index(): void {
    const mask = this.#slots.length - 1;
    for (let key = 0; key < this.#count; key++) {
      let slot = readWord(this.#keys, key * DIGEST_BYTES) & mask;
      while ((this.#slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      this.#slots[slot] = key + 1;
    }
  }
}

function slotsFor(count: number): number {
  let slots = 2048;
  while (slots < count * 2 + 2) slots *= 2;
  return slots;
}

function readWord(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] ?? 0) |
      ((bytes[at + 1] ?? 0) << 8) |
      ((bytes[at + 2] ?? 0) << 16) |
      ((bytes[at + 3] ?? 0) << 24)) >>>
    0
  );
}

/** Base64 characters of one digest: 12 bytes encode to 16 characters with no padding. */
const DIGEST_CHARS = (DIGEST_BYTES / 3) * 4;

/** Packed digests as base64 (RFC 4648 §4; never padded, as 12 bytes are 16 characters). */
export function digestsToBase64(packed: Uint8Array): string {
  return Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64');
}

/**
 * Packed digests from their base64, or undefined unless the text is exactly the canonical
 * encoding of whole digests (checked by re-encoding: linear, where a regular expression over
 * megabytes would overflow the stack).
 */
export function digestsFromBase64(text: string): Uint8Array | undefined {
  if (text.length % DIGEST_CHARS !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
