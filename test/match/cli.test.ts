/** The member CLI over a real broker: consent grant, query (opened locally), screen (CSV in, CSV out). */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';
import { submitLoans } from './world.js';

async function run(args: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const status = await main(['node', 'blindbroker', ...args]);
    return { status, out };
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}

describe('member CLI: consent, query, screen', function () {
  this.timeout(120_000);
  let broker: Broker;

  before(async () => {
    broker = await startBroker();
    await submitLoans(broker, 'ant', [
      { recordId: 'ant-1', ids: { cn_rid: '11010519491231002X' }, state: 'delinquent' },
    ]);
  });
  after(async () => {
    await broker?.stop();
  });

  it('when a member grants a consent and queries, then it prints the other member’s record opened locally', async () => {
    const common = ['--member', 'tencent', '--broker', broker.server.url, '--keys', broker.keysDir, '--json'];
    const granted = await run([
      'member',
      'consent',
      'grant',
      ...common,
      '--purpose',
      'loan_underwriting',
      '--id-number',
      '11010519491231002X',
      '--frequency',
      '2/MONTH',
      '--evidence',
      'cd'.repeat(32),
    ]);
    assert.equal(granted.status, 0);
    const { consentId } = JSON.parse(granted.out) as { consentId: string };
    const queried = await run([
      'member',
      'query',
      ...common,
      '--consent',
      consentId,
      '--id-number',
      '11010519491231002x',
    ]);
    assert.equal(queried.status, 0);
    const out = JSON.parse(queried.out) as {
      records: Array<{ owner: string; groups: Record<string, Record<string, unknown>> }>;
    };
    assert.equal(out.records[0]?.owner, 'ant');
    assert.equal(out.records[0]?.groups.status?.status, 'delinquent');
    const listed = await run(['member', 'consent', 'list', ...common]);
    assert.ok(
      (JSON.parse(listed.out) as Array<{ consentId: string; usage: { total: number } }>).some(
        (c) => c.consentId === consentId && c.usage.total === 1,
      ),
    );
  });

  it('when a member screens a CSV, then it writes one counted row per applicant', async () => {
    const common = ['--member', 'tencent', '--broker', broker.server.url, '--keys', broker.keysDir, '--json'];
    const granted = await run([
      'member',
      'consent',
      'grant',
      ...common,
      '--purpose',
      'portfolio_screening',
      '--groups',
      'status',
      '--id-number',
      '11010519491231002X',
      '--evidence',
      'cd'.repeat(32),
    ]);
    const { consentId } = JSON.parse(granted.out) as { consentId: string };
    const dir = await mkdtemp(join(tmpdir(), 'bb-screen-'));
    await writeFile(
      join(dir, 'in.csv'),
      'id_number,phone,name\n11010519491231002X,,\n110105198001010016,,\nbad,,\n',
    );
    const screened = await run([
      'member',
      'screen',
      ...common,
      '--consent',
      consentId,
      '--in',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'out.csv'),
    ]);
    assert.equal(screened.status, 1, 'exit 1: a row was not sent');
    assert.equal((JSON.parse(screened.out) as { rejected: number }).rejected, 1);
    assert.equal(
      await readFile(join(dir, 'out.csv'), 'utf8'),
      'row,other_lenders,active_loans,delinquent_loans\n1,<3,<3,<3\n2,<3,<3,<3\n',
    );
  });
});
