/**
 * Synthetic loan exports in the default mapping's CSV layout, with a chosen share of deliberately
 * broken rows. Each broken row has exactly one defect, and the generator returns the row number
 * and code that `member prepare` must report for it, so tests can check rejects exactly.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { residentIdCheckChar } from '../normalize/index.js';
import { makeBorrower, writeId, writePhone, type Borrower } from './people.js';
import { Prng } from './prng.js';

export const LOAN_CSV_HEADER =
  'record_id,id_number,phone,name,birth_date,product,status,principal,balance,overdue_days,opened_on';

export interface LoanRow {
  recordId: string;
  borrower: Borrower;
  idNumber: string;
  phone: string;
  name: string;
  birthDate: string;
  product: string;
  status: string;
  principal: string;
  balance: string;
  overdueDays: string;
  openedOn: string;
}

export interface ExpectedReject {
  /** Row number as `member prepare` reports it: the header is row 1. */
  row: number;
  code: string;
}

const PRODUCTS = ['consumer', 'microloan', 'auto', 'mortgage', 'credit_card', 'merchant'];

/** The defects a broken row can carry, each with the code prepare must report. */
const DEFECTS: { code: string; apply: (row: LoanRow, prng: Prng, previousId: string | undefined) => void }[] =
  [
    {
      code: 'RID_CHECKSUM',
      apply: (r) => {
        r.idNumber = r.borrower.rid.slice(0, 17) + (r.borrower.rid[17] === '0' ? '1' : '0');
      },
    },
    {
      code: 'RID_DATE',
      apply: (r) => {
        const body = `${r.borrower.rid.slice(0, 6)}19990230${r.borrower.rid.slice(14, 17)}`;
        r.idNumber = body + residentIdCheckChar(body);
      },
    },
    {
      code: 'RID_FORMAT',
      apply: (r) => {
        r.idNumber = r.borrower.rid.slice(0, 16);
      },
    },
    {
      code: 'PHONE_INVALID',
      apply: (r) => {
        r.phone = '1234567';
      },
    },
    {
      code: 'NAME_INVALID',
      apply: (r) => {
        r.name = `${r.name}3`;
      },
    },
    {
      code: 'FIELD_MISSING',
      apply: (r) => {
        r.idNumber = '';
      },
    },
    {
      code: 'VALUE_INVALID',
      apply: (r) => {
        r.status = 'paid';
      },
    },
    {
      code: 'DOB_MISMATCH',
      apply: (r) => {
        r.birthDate = r.birthDate.startsWith('2000') ? '2001-01-01' : '2000-01-01';
      },
    },
    {
      code: 'DUPLICATE_RECORD_ID',
      apply: (r, _p, previousId) => {
        if (previousId !== undefined) r.recordId = previousId;
      },
    },
  ];

export function makeLoanRow(prng: Prng, recordId: string, borrower: Borrower, phoneShare = 0.95): LoanRow {
  const principal = prng.int(10, 2000) * 100;
  const status = prng.pick(['active', 'active', 'active', 'closed', 'delinquent']);
  return {
    recordId,
    borrower,
    idNumber: writeId(prng, borrower),
    phone: prng.chance(phoneShare) ? writePhone(prng, borrower) : '',
    name: borrower.name,
    birthDate: borrower.dob,
    product: prng.pick(PRODUCTS),
    status,
    principal: String(principal),
    balance: status === 'closed' ? '0' : (principal * prng.next()).toFixed(2),
    overdueDays: status === 'delinquent' ? String(prng.int(31, 400)) : '0',
    openedOn: `${prng.int(2015, 2026)}-${String(prng.int(1, 12)).padStart(2, '0')}-${String(prng.int(1, 28)).padStart(2, '0')}`,
  };
}

function csvLine(r: LoanRow): string {
  return [
    r.recordId,
    r.idNumber,
    r.phone,
    r.name,
    r.birthDate,
    r.product,
    r.status,
    r.principal,
    r.balance,
    r.overdueDays,
    r.openedOn,
  ].join(',');
}

export interface LoanCsvOptions {
  rows: number;
  seed?: number;
  /** Share of rows with one deliberate defect (0..1). */
  brokenRate?: number;
  /** Record id prefix, e.g. the member id. */
  prefix?: string;
  /** Share of rows that carry a phone number (default 0.95). */
  phoneShare?: number;
  /** Rows whose borrower has one of these resident IDs are written without an ID number. */
  withoutId?: ReadonlySet<string>;
  /** Rows whose borrower has one of these resident IDs are never broken. */
  keepValid?: ReadonlySet<string>;
  /** Borrowers to draw from; new ones are made when absent or exhausted. */
  borrowers?: readonly Borrower[];
}

/** Writes a loan CSV and returns the rejects `member prepare` must report for it. */
export async function writeLoanCsv(path: string, opts: LoanCsvOptions): Promise<ExpectedReject[]> {
  const prng = new Prng(opts.seed ?? 1);
  const brokenRate = opts.brokenRate ?? 0.02;
  const out = createWriteStream(path);
  out.write(`${LOAN_CSV_HEADER}\n`);
  const expected: ExpectedReject[] = [];
  let previousId: string | undefined;
  for (let i = 0; i < opts.rows; i++) {
    const borrower = opts.borrowers?.[i] ?? makeBorrower(prng);
    const row = makeLoanRow(
      prng,
      `${opts.prefix ?? 'L'}${String(i + 1).padStart(8, '0')}`,
      borrower,
      opts.phoneShare,
    );
    if (opts.withoutId?.has(borrower.rid)) row.idNumber = '';
    if (previousId !== undefined && !opts.keepValid?.has(borrower.rid) && prng.chance(brokenRate)) {
      const defect = prng.pick(DEFECTS);
      defect.apply(row, prng, previousId);
      expected.push({ row: i + 2, code: defect.code });
    } else {
      previousId = row.recordId;
    }
    if (!out.write(`${csvLine(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return expected;
}
