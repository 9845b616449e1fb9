/**
 * `member prepare` in oprf mode (DESIGN §2) against a real token authority on port 0: the batch holds
 * the tokens that direct OprfTokenizer calls give, its envelopes open with an identifier tokenized
 * through the authority, and rows are rejected exactly as in hmac mode.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isBrokerError } from '../../src/errors.js';
import { initKeys } from '../../src/keys/init.js';
import { loadConsortium, loadMemberIdentity, unwrapTokenSecret } from '../../src/keys/load.js';
import { loadMapping } from '../../src/member/mapping.js';
import { openRecordLine } from '../../src/member/open-record.js';
import {
  prepareBatch,
  type BatchManifestBody,
  type HmacSecretSource,
  type PrepareBaseOptions,
  type TokenizerSource,
} from '../../src/member/prepare.js';
import { normalizeIdentifier, residentIdCheckChar } from '../../src/normalize/index.js';
import { signObject } from '../../src/signing/signed-object.js';
import { LOAN_CSV_HEADER } from '../../src/synth/loans-csv.js';
import { openMemberTokenizer, type ClosableTokenizer } from '../../src/tokenize/member-tokenizer.js';
import { OprfTokenizer } from '../../src/tokenize/oprf-tokenizer.js';
import { startAuthority, type Authority } from '../token-authority/harness.js';

const NAMES = ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九'];

type Base = Omit<PrepareBaseOptions, 'input' | 'output' | 'errors'>;
type Line = { recordId: string; tokens: Record<string, string>; envelope: unknown };

const validRow = (id: string, rid = '11010519491231002X', phone = '13800138000', name = '张三') =>
  `${id},${rid},${phone},${name},${rid.slice(6, 10)}-${rid.slice(10, 12)}-${rid.slice(12, 14)},consumer,active,50000,12000.50,0,2024-03-15`;

function rid(body: string): string {
  return body + residentIdCheckChar(body);
}

describe('member/prepare in oprf mode', function () {
  this.timeout(120_000);
  let dir: string;
  let authority: Authority;
  let tokenizer: ClosableTokenizer;
  let base: Base;
  let hmac: HmacSecretSource;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-prepare-oprf-'));
    const keysDir = join(dir, 'keys');
    await initKeys({
      dir: keysDir,
      consortium: 'test',
      members: ['tencent', 'ant'],
      auditors: ['pboc'],
      operators: ['ops'],
      days: 30,
      force: false,
      tokenizer: 'oprf',
    });
    authority = await startAuthority({ keysDir });
    // No mode given: consortium.json's `tokenizer: "oprf"` (keys init --tokenizer oprf) decides.
    tokenizer = await openMemberTokenizer(keysDir, 'tencent', {
      authorityUrl: authority.server.url,
      threads: 1,
    });
    const identity = await loadMemberIdentity(keysDir, 'tencent');
    const secret = await unwrapTokenSecret(keysDir, 'tencent');
    hmac = { consortiumId: secret.consortiumId, epoch: secret.epoch, tokenSecret: secret.secret };
    base = {
      member: 'tencent',
      mapping: loadMapping('config/mappings/default.json'),
      signManifest: (body: BatchManifestBody) =>
        signObject('batch.manifest', body, { role: 'member', id: 'tencent', signing: identity.signing }),
    };
  });

  after(async () => {
    await tokenizer?.close();
    await authority?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function prepareCsv(csv: string, source: HmacSecretSource | TokenizerSource, threads = 1) {
    const name = Math.random().toString(36).slice(2);
    const input = join(dir, `${name}.csv`);
    await writeFile(input, csv);
    const output = join(dir, `${name}.ndjson`);
    const errors = join(dir, `${name}.errors.csv`);
    const summary = await prepareBatch({ ...base, ...source, input, output, errors, threads });
    const rejects = parse(await readFile(errors, 'utf8'), { columns: true }) as Record<string, string>[];
    const [manifest, ...records] = (await readFile(output, 'utf8')).trimEnd().split('\n');
    const body = (JSON.parse(manifest ?? '') as { body: BatchManifestBody }).body;
    return { summary, rejects, body, records: records.map((l) => JSON.parse(l) as Line) };
  }

  it('when keys init is given --tokenizer oprf, then consortium.json says oprf and the member tokenizer is oprf', async () => {
    assert.equal((await loadConsortium(authority.keysDir)).tokenizer, 'oprf');
    assert.equal(tokenizer.mode, 'oprf');
  });

  it('when a CSV is prepared in oprf mode on one and two threads, then the tokens are those of direct OprfTokenizer calls and the manifest names oprf and its epoch', async () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      validRow(
        `R${i}`,
        rid(`11010519491231${String(i).padStart(3, '0')}`),
        `13800${String(i).padStart(6, '0')}`,
        NAMES[i % NAMES.length],
      ),
    );
    const csv = [LOAN_CSV_HEADER, ...rows].join('\n');
    const one = await prepareCsv(csv, { tokenizer }, 1);
    const two = await prepareCsv(csv, { tokenizer }, 2);
    assert.equal(one.summary.accepted, 300, JSON.stringify(one.summary.rejectsByCode));
    assert.equal(one.body.tokenizer, 'oprf');
    assert.equal(one.body.epoch, tokenizer.epoch);
    assert.equal(one.summary.tokenizer, 'oprf');
    assert.deepEqual(
      two.records.map((r) => [r.recordId, r.tokens]),
      one.records.map((r) => [r.recordId, r.tokens]),
    );

    const direct = await OprfTokenizer.create({ authority: await authority.client('tencent'), threads: 0 });
    try {
      const csvRows = parse(csv, { columns: true }) as Record<string, string>[];
      const items = csvRows.flatMap((r) =>
        (
          [
            ['cn_rid', r.id_number],
            ['phone', r.phone],
            ['name', r.name],
          ] as const
        ).map(([type, raw]) => ({ type, value: normalizeIdentifier(type, raw) ?? '' })),
      );
      const pairs = await direct.tokenizeBatch(items);
      const expected = csvRows.map((r, i) => [
        r.record_id,
        { cn_rid: pairs[3 * i]?.token, phone: pairs[3 * i + 1]?.token, name: pairs[3 * i + 2]?.token },
      ]);
      assert.deepEqual(
        one.records.map((r) => [r.recordId, r.tokens]),
        expected,
      );
    } finally {
      await direct.close();
    }
  });

  it('when an oprf-prepared record is opened with one of its identifiers through the authority, then it decrypts; with another ID or the hmac tokenizer it fails', async () => {
    const { records } = await prepareCsv(`${LOAN_CSV_HEADER}\n${validRow('OPEN1')}`, { tokenizer });
    const record = records[0];
    for (const [type, raw] of [
      ['cn_rid', '110105 19491231 002x'],
      ['phone', '+86 138-0013-8000'],
      ['name', ' 张 三 '],
    ] as const) {
      const opened = await openRecordLine(record, tokenizer, type, raw);
      assert.deepEqual(opened.groups.status, { status: 'active', overdueDays: 0 });
    }
    await assert.rejects(openRecordLine(record, tokenizer, 'cn_rid', rid('31010419800101123')), (e) =>
      isBrokerError(e, 'ENVELOPE_DECRYPT'),
    );
    const hmacTokenizer = await openMemberTokenizer(authority.keysDir, 'tencent', { mode: 'hmac' });
    await assert.rejects(openRecordLine(record, hmacTokenizer, 'cn_rid', '11010519491231002X'), (e) =>
      isBrokerError(e, 'ENVELOPE_DECRYPT'),
    );
  });

  it('when hostile rows are prepared in oprf mode, then they are rejected exactly as in hmac mode', async () => {
    const rows = [
      validRow('OK1'),
      validRow('OK1'),
      validRow('=cmd|calc').replace('=cmd|calc', '=HYPERLINK("x")'),
      validRow('UTF').replace('张三', '张\ufffd'),
      'SHORT,1,2',
      '"broken,1,2',
      validRow('BADID').replace('11010519491231002X', '11010519491231002Y'),
      validRow('NOPHONE', '11010519491231002X', ''),
      validRow('DOB').replace('1949-12-31', '1950-01-01'),
      validRow('OK2', rid('31010419800101123'), '13900139000', '李四'),
    ];
    const csv = [LOAN_CSV_HEADER, ...rows].join('\n');
    const viaOprf = await prepareCsv(csv, { tokenizer });
    const viaHmac = await prepareCsv(csv, hmac);
    assert.equal(viaHmac.body.tokenizer, 'hmac');
    assert.deepEqual(viaOprf.rejects, viaHmac.rejects);
    assert.deepEqual(viaOprf.summary.rejectsByCode, viaHmac.summary.rejectsByCode);
    assert.deepEqual(
      viaOprf.records.map((r) => r.recordId),
      viaHmac.records.map((r) => r.recordId),
    );
    assert.ok(viaOprf.summary.rejected >= 7, JSON.stringify(viaOprf.summary.rejectsByCode));
  });

  it('when the token authority stops answering, then prepare fails with TA_UNREACHABLE and leaves no batch behind', async () => {
    const second = await startAuthority({ keysDir: authority.keysDir });
    const orphan = await openMemberTokenizer(authority.keysDir, 'ant', {
      authorityUrl: second.server.url,
      threads: 0,
    });
    await second.stop();
    const input = join(dir, 'down.csv');
    const output = join(dir, 'down.ndjson');
    await writeFile(input, `${LOAN_CSV_HEADER}\n${validRow('X1')}`);
    try {
      await assert.rejects(prepareBatch({ ...base, tokenizer: orphan, input, output }), (e) =>
        isBrokerError(e, 'TA_UNREACHABLE'),
      );
    } finally {
      await orphan.close();
    }
    await assert.rejects(stat(output));
    await assert.rejects(stat(`${output}.records.tmp`));
  });
});
