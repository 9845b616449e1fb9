import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isBrokerError } from '../../src/errors.js';
import { initKeys } from '../../src/keys/init.js';
import { loadConsortium, loadMemberIdentity, unwrapTokenSecret } from '../../src/keys/load.js';
import { loadMapping } from '../../src/member/mapping.js';
import { openRecordLine } from '../../src/member/open-record.js';
import { residentIdCheckChar } from '../../src/normalize/index.js';
import {
  prepareBatch,
  type BatchManifestBody,
  type HmacSecretSource,
  type PrepareBaseOptions,
} from '../../src/member/prepare.js';
import { signObject, verifySignedObject } from '../../src/signing/signed-object.js';
import { streamingSha256 } from '../../src/crypto/hash.js';
import { LOAN_CSV_HEADER, writeLoanCsv } from '../../src/synth/loans-csv.js';
import { HmacTokenizer } from '../../src/tokenize/hmac-tokenizer.js';
import { findPii, piiSet } from '../../src/privacy/pii-scan.js';

const ROWS = 100_000;

describe('member/prepare', function () {
  this.timeout(180_000);
  let dir: string;
  let base: Omit<PrepareBaseOptions, 'input' | 'output' | 'errors'> & HmacSecretSource;
  let tokenizer: HmacTokenizer;
  let caCertPem: string;
  let signCertPem: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-prepare-'));
    const keys = join(dir, 'keys');
    await initKeys({
      dir: keys,
      consortium: 'test',
      members: ['tencent', 'ant'],
      auditors: ['pboc'],
      operators: ['ops'],
      days: 30,
      force: false,
    });
    const identity = await loadMemberIdentity(keys, 'tencent');
    const secret = await unwrapTokenSecret(keys, 'tencent');
    caCertPem = identity.caCertPem;
    signCertPem = identity.signing.certPem;
    tokenizer = new HmacTokenizer({
      consortiumSecret: secret.secret,
      consortiumId: secret.consortiumId,
      epoch: secret.epoch,
    });
    assert.equal((await loadConsortium(keys)).name, 'test');
    base = {
      member: 'tencent',
      mapping: loadMapping('config/mappings/default.json'),
      consortiumId: secret.consortiumId,
      epoch: secret.epoch,
      tokenSecret: secret.secret,
      signManifest: (body: BatchManifestBody) =>
        signObject('batch.manifest', body, { role: 'member', id: 'tencent', signing: identity.signing }),
    };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function prepareCsv(csv: string, threads = 1) {
    const input = join(dir, `in-${Math.random()}.csv`);
    await writeFile(input, csv);
    const output = join(dir, `out-${Math.random()}.ndjson`);
    const errors = join(dir, `err-${Math.random()}.csv`);
    const summary = await prepareBatch({ ...base, input, output, errors, threads });
    const rejects = parse(await readFile(errors, 'utf8'), { columns: true }) as Record<string, string>[];
    const lines = (await readFile(output, 'utf8')).trimEnd().split('\n');
    return { summary, rejects, lines };
  }

  const validRow = (id: string) =>
    `${id},11010519491231002X,13800138000,张三,1949-12-31,consumer,active,50000,12000.50,0,2024-03-15`;

  it('when the 100k synthetic CSV has ~2% broken rows, then exactly those rows are rejected with their codes, the rest are kept, and no raw PII is in the batch', async () => {
    const input = join(dir, 'loans.csv');
    const expected = await writeLoanCsv(input, { rows: ROWS, seed: 11, brokenRate: 0.02 });
    assert.ok(
      expected.length > ROWS * 0.015 && expected.length < ROWS * 0.025,
      `broken rows: ${expected.length}`,
    );
    const output = join(dir, 'batch.ndjson');
    const errors = join(dir, 'errors.csv');
    const summary = await prepareBatch({ ...base, input, output, errors, threads: 2 });

    assert.equal(summary.rows, ROWS);
    assert.equal(summary.rejected, expected.length);
    assert.equal(summary.accepted, ROWS - expected.length);
    const rejects = parse(await readFile(errors, 'utf8'), { columns: true }) as Record<string, string>[];
    const codesByRow = new Map<number, Set<string>>();
    for (const r of rejects)
      codesByRow.set(Number(r.row), (codesByRow.get(Number(r.row)) ?? new Set()).add(r.code ?? ''));
    assert.equal(codesByRow.size, expected.length);
    for (const e of expected) assert.deepEqual([...(codesByRow.get(e.row) ?? [])], [e.code], `row ${e.row}`);

    const text = await readFile(output, 'utf8');
    const [manifestLine, ...records] = text.trimEnd().split('\n');
    assert.equal(records.length, summary.accepted);
    const manifest = verifySignedObject<BatchManifestBody>(JSON.parse(manifestLine ?? ''), {
      caCertPem,
      certificateFor: (role, id) => (role === 'member' && id === 'tencent' ? signCertPem : undefined),
      expectedType: 'batch.manifest',
    });
    assert.equal(manifest.body.records, summary.accepted);
    const digest = streamingSha256();
    for (const line of records) digest.update(`${line}\n`);
    assert.equal(manifest.body.recordsDigest, digest.digestHex());

    const csvRows = parse(await readFile(input, 'utf8'), { columns: true }) as Record<string, string>[];
    const pii = piiSet(csvRows.map((r) => ({ idNumber: r.id_number, phone: r.phone, name: r.name })));
    assert.deepEqual(findPii(text, pii, 'batch'), []);
  });

  it('when one thread and two threads prepare the same CSV, then records and tokens come out the same and in CSV order', async () => {
    const csv = [LOAN_CSV_HEADER, ...Array.from({ length: 1200 }, (_, i) => validRow(`R${i}`))].join('\n');
    const one = await prepareCsv(csv, 1);
    const two = await prepareCsv(csv, 2);
    const strip = (l: string) => {
      const r = JSON.parse(l) as { recordId: string; tokens: unknown };
      return [r.recordId, r.tokens];
    };
    assert.deepEqual(one.lines.slice(1).map(strip), two.lines.slice(1).map(strip));
    assert.equal(one.summary.accepted, 1200);
  });

  it('when a prepared record is opened with any one of its identifiers, then it decrypts, and with another borrower’s ID it fails', async () => {
    const { lines } = await prepareCsv(`${LOAN_CSV_HEADER}\n${validRow('OPEN1')}`);
    const record: unknown = JSON.parse(lines[1] ?? '');
    for (const [type, raw] of [
      ['cn_rid', '110105 19491231 002x'],
      ['phone', '+86 138-0013-8000'],
      ['name', ' 张 三 '],
    ] as const) {
      const opened = await openRecordLine(record, tokenizer, type, raw);
      assert.deepEqual(opened.groups.status, { status: 'active', overdueDays: 0 });
      assert.deepEqual(opened.groups.amounts, { principal: 50000, balance: 12000.5, product: 'consumer' });
    }
    const otherBody = '31010419800101123';
    const other = otherBody + residentIdCheckChar(otherBody);
    await assert.rejects(openRecordLine(record, tokenizer, 'cn_rid', other), (e) =>
      isBrokerError(e, 'ENVELOPE_DECRYPT'),
    );
  });

  it('when the file is empty, then CSV_EMPTY; when columns are missing, then CSV_MISSING_COLUMNS names them', async () => {
    await assert.rejects(prepareCsv(''), (e) => isBrokerError(e, 'CSV_EMPTY'));
    await assert.rejects(
      prepareCsv('record_id,id_number\nA,1'),
      (e) => isBrokerError(e, 'CSV_MISSING_COLUMNS') && String(e.message).includes('phone'),
    );
  });

  it('when rows are hostile, then each is rejected with its row number and code and the valid rows are kept', async () => {
    const rows = [
      validRow('OK1'),
      validRow('OK1'), // duplicate record id → row 3
      validRow('=cmd|calc').replace('=cmd|calc', '=HYPERLINK("x")'), // formula-like record id → row 4
      validRow('BIG').replace('张三', '张'.repeat(1_000_000)), // huge field → row 5
      validRow('UTF').replace('张三', '张\ufffd'), // undecodable bytes → row 6
      'SHORT,1,2', // wrong column count → row 7
      validRow('-7').replace('11010519491231002X', '11010519491231002Y'), // formula-like id, bad ID → row 8
      validRow('OK2'),
    ];
    const { summary, rejects, lines } = await prepareCsv([LOAN_CSV_HEADER, ...rows].join('\n'));
    assert.equal(summary.accepted, 2);
    assert.deepEqual(
      lines.slice(1).map((l) => (JSON.parse(l) as { recordId: string }).recordId),
      ['OK1', 'OK2'],
    );
    const byRow = new Map(rejects.map((r) => [r.row, r]));
    assert.equal(byRow.get('3')?.code, 'DUPLICATE_RECORD_ID');
    assert.equal(byRow.get('4')?.code, 'RECORD_ID_INVALID');
    assert.equal(byRow.get('4')?.record_id, '', 'an invalid record id is not echoed');
    assert.equal(byRow.get('8')?.code, 'RID_FORMAT');
    assert.equal(byRow.get('8')?.record_id, "'-7", 'a formula-like cell is neutralized');
    assert.equal(byRow.get('5')?.code, 'FIELD_TOO_LONG');
    assert.equal(byRow.get('6')?.code, 'FIELD_ENCODING');
    assert.equal(byRow.get('7')?.code, 'ROW_COLUMNS');
    const errorsText = rejects.map((r) => Object.values(r).join(',')).join('\n');
    assert.ok(!/张|13800138000|11010519491231002X/.test(errorsText), 'the rejects file holds no raw PII');
  });

  it('when the CSV has invalid UTF-8 bytes in a name, then that row is rejected FIELD_ENCODING', async () => {
    const input = join(dir, 'bad-utf8.csv');
    const good = Buffer.from(`${LOAN_CSV_HEADER}\n${validRow('A1')}\n`);
    const bad = Buffer.concat([
      Buffer.from('A2,11010519491231002X,13800138000,'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(',1949-12-31,consumer,active,1,1,0,2024-01-01\n'),
    ]);
    await writeFile(input, Buffer.concat([good, bad]));
    const output = join(dir, 'bad-utf8.ndjson');
    const errors = join(dir, 'bad-utf8-errors.csv');
    const summary = await prepareBatch({ ...base, input, output, errors });
    assert.equal(summary.accepted, 1);
    assert.equal(summary.rejectsByCode.FIELD_ENCODING, 1);
  });
});
