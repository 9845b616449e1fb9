/**
 * The demo's synthetic consortium: four lenders with overlapping borrowers, including a
 * multi-lending applicant known by resident ID at some lenders and only by phone and name at
 * another, and a portfolio for screening. Deterministic for a given seed.
 */
import { join } from 'node:path';
import { makeBorrower, type Borrower } from '../synth/people.js';
import { Prng } from '../synth/prng.js';
import { writeLoanCsv } from '../synth/loans-csv.js';

export const DEMO_MEMBERS = ['tencent', 'ant', 'didi', 'baihe'] as const;
export type DemoMember = (typeof DEMO_MEMBERS)[number];

export interface DemoWorld {
  /** The borrower ant is asked to lend to; holds loans at tencent, didi and baihe. */
  applicant: Borrower;
  /** Borrowers ant screens for multi-lending. */
  portfolio: Borrower[];
  /** CSV path and mapping per member. */
  exports: Record<DemoMember, { csv: string; mapping: string; rows: number; withoutId: number }>;
}

/** Members that know some borrowers only by phone and name use the optional-id mapping. */
const PHONE_ONLY_MEMBER: DemoMember = 'didi';

export async function buildDemoWorld(dir: string, loansPerMember: number, seed = 2026): Promise<DemoWorld> {
  const prng = new Prng(seed);
  const population = Array.from({ length: loansPerMember * 2 }, () => makeBorrower(prng));
  const applicant = makeBorrower(prng);
  const exports = {} as DemoWorld['exports'];
  for (const [i, member] of DEMO_MEMBERS.entries()) {
    const borrowers = Array.from({ length: loansPerMember }, () => prng.pick(population));
    if (member !== 'ant') borrowers.splice(prng.int(0, borrowers.length), 0, applicant);
    const phoneOnly = member === PHONE_ONLY_MEMBER;
    // At didi the applicant and a tenth of the borrowers are known by phone and name only.
    const withoutId = new Set(
      phoneOnly ? [applicant.rid, ...borrowers.filter(() => prng.chance(0.1)).map((b) => b.rid)] : [],
    );
    const csv = join(dir, `${member}-loans.csv`);
    await writeLoanCsv(csv, {
      rows: borrowers.length,
      seed: seed + i,
      brokenRate: 0.01,
      phoneShare: 1,
      prefix: `${member.toUpperCase()}-`,
      borrowers,
      withoutId,
      keepValid: new Set([applicant.rid]),
    });
    exports[member] = {
      csv,
      mapping: phoneOnly ? 'config/mappings/optional-id.json' : 'config/mappings/default.json',
      rows: borrowers.length,
      withoutId: withoutId.size,
    };
  }
  const portfolio = [applicant, ...Array.from({ length: 199 }, () => prng.pick(population))];
  return { applicant, portfolio, exports };
}
