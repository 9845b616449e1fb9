/**
 * Operator overlap statistics (DESIGN §1: the broker may learn re-keyed tokens; members may not
 * learn who holds what): for each pair of members, how many of A's records share an identifier
 * with some record of B, and the reverse. Fed one index bucket at a time (a bucket holds the same
 * index keys at every owner, so pairs are found bucket by bucket); counts below k are shown as
 * "<k" even to the operator, since overlap figures travel in reports. Pure.
 */
import { reportCount } from './small-count.js';
import type { ReportedCount } from './small-count.js';

/** One owner's bucket: index key → record ids ("|"-joined, as stored). */
export type BucketContents = Record<string, string>;

export interface OverlapPair {
  a: string;
  b: string;
  /** A's records that share an identifier with B. */
  aRecords: ReportedCount;
  /** B's records that share an identifier with A. */
  bRecords: ReportedCount;
}

export class OverlapCounter {
  readonly #owners: readonly string[];
  /** "<i>/<j>" → record ids of owners[i] found at owners[j]. */
  readonly #found = new Map<string, Set<string>>();

  constructor(owners: readonly string[]) {
    this.#owners = [...owners].sort();
  }

  get owners(): readonly string[] {
    return this.#owners;
  }

  /** Adds one bucket of every owner, given in the order of `owners`. */
  addBucket(contents: readonly BucketContents[]): void {
    contents.forEach((mine, i) => {
      for (const [key, ids] of Object.entries(mine)) {
        contents.forEach((theirs, j) => {
          if (i === j || theirs[key] === undefined) return;
          let set = this.#found.get(`${i}/${j}`);
          if (!set) this.#found.set(`${i}/${j}`, (set = new Set()));
          for (const id of ids.split('|')) set.add(id);
        });
      }
    });
  }

  /** Every pair (a < b), counts under the small-count rule with threshold k. */
  report(k: number): OverlapPair[] {
    const out: OverlapPair[] = [];
    for (let i = 0; i < this.#owners.length; i++) {
      for (let j = i + 1; j < this.#owners.length; j++) {
        out.push({
          a: this.#owners[i] ?? '',
          b: this.#owners[j] ?? '',
          aRecords: reportCount(this.#found.get(`${i}/${j}`)?.size ?? 0, k),
          bRecords: reportCount(this.#found.get(`${j}/${i}`)?.size ?? 0, k),
        });
      }
    }
    return out;
  }
}
