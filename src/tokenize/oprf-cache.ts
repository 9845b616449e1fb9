/**
 * The member's cache of OPRF results (DESIGN §2: each identifier is evaluated once per epoch): in
 * memory, and optionally in a JSON-lines file (0600) whose first line binds it to one suite, epoch
 * and authority public key, so a rotated or replaced key never serves stale tokens. Entries map
 * SHA-256(OPRF input) to the 32-byte PRK of RFC 5869 §2.2 that token and seal key derive from.
 * The hash keeps identifiers out of the file's plain text, but it does not protect them (they are
 * guessable): the file holds seal keys and belongs with the member's own data.
 */
import { promises as fs } from 'node:fs';
import { sha256 } from '../crypto/hash.js';
import { OPRF_SUITE } from '../crypto/oprf.js';
import { PRIVATE_FILE_MODE } from '../keys/files.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';

interface Header {
  v: 1;
  suite: string;
  epoch: number;
  publicKey: string;
}

export class OprfCache {
  readonly #entries = new Map<string, Uint8Array>();
  readonly #fresh: string[] = [];
  readonly #file: string | undefined;
  readonly #header: Header;
  #headerWritten = false;

  private constructor(file: string | undefined, header: Header) {
    this.#file = file;
    this.#header = header;
  }

  /** Opens (or starts) the cache for one epoch and key; a file for another epoch or key is replaced. */
  static async open(file: string | undefined, epoch: number, publicKey: Uint8Array): Promise<OprfCache> {
    const cache = new OprfCache(file, { v: 1, suite: OPRF_SUITE, epoch, publicKey: toBase64url(publicKey) });
    if (file === undefined) return cache;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return cache;
      throw err;
    }
    const [first, ...lines] = text.split('\n');
    if (first !== JSON.stringify(cache.#header)) return cache;
    cache.#headerWritten = true;
    for (const line of lines) {
      if (line.length === 0) continue;
      try {
        const { k, p } = JSON.parse(line) as { k: string; p: string };
        cache.#entries.set(k, fromBase64url(p, 32));
      } catch {
        // A torn last line (crash mid-append) loses one entry, which is evaluated again.
      }
    }
    return cache;
  }

  static keyOf(input: Uint8Array): string {
    return toBase64url(sha256(input));
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Uint8Array | undefined {
    return this.#entries.get(key);
  }

  set(key: string, prk: Uint8Array): void {
    if (!this.#entries.has(key)) this.#fresh.push(key);
    this.#entries.set(key, prk);
  }

  /** Appends the entries added since the last flush to the file (if any). */
  async flush(): Promise<void> {
    if (this.#file === undefined || (this.#fresh.length === 0 && this.#headerWritten)) return;
    const lines = this.#fresh
      .splice(0)
      .map((k) => JSON.stringify({ k, p: toBase64url(this.#entries.get(k) as Uint8Array) }));
    if (!this.#headerWritten) {
      await fs.writeFile(this.#file, `${JSON.stringify(this.#header)}\n`, { mode: PRIVATE_FILE_MODE });
      await fs.chmod(this.#file, PRIVATE_FILE_MODE);
      this.#headerWritten = true;
    }
    if (lines.length > 0) await fs.appendFile(this.#file, `${lines.join('\n')}\n`);
  }
}
