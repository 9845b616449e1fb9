// DESIGN §5 log API: checkpoint, entries, inclusion and consistency proofs over HTTP, with
// problem+json LOG_RANGE for hostile parameters. The router runs on port 0 behind a stand-in
// for the mTLS caller middleware (test/keys/mtls.test.ts covers mutual TLS itself).
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { problemHandler } from '../../src/api/problem.js';
import { logRouter } from '../../src/api/routes/log.js';
import { fromBase64Strict } from '../../src/ledger/base64.js';
import { verifyCheckpoint } from '../../src/ledger/checkpoint.js';
import { createEntry, entryLeafHash } from '../../src/ledger/entry.js';
import { LogReader } from '../../src/ledger/log-reader.js';
import { readRoot } from '../../src/ledger/proofs.js';
import { Sequencer } from '../../src/ledger/sequencer.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js';
import { createLogger } from '../../src/ops/logger.js';
import { openTestLog } from './redis-log.js';
import type { TestLog } from './redis-log.js';

const b64 = (list: string[]): Uint8Array[] => list.map((h) => fromBase64Strict(h) as Uint8Array);

describe('api/routes/log (real Redis, port 0)', () => {
  let log: TestLog;
  let server: Server;
  let base: string;
  const get = (path: string) => fetch(`${base}${path}`);

  before(async () => {
    log = await openTestLog();
    const sequencer = new Sequencer(log.store);
    for (let n = 0; n < 10; n++) await log.store.enqueue(createEntry('disclosure', { n }));
    while ((await sequencer.step()) > 0);
    await log.checkpointer.tick();
    const app = express();
    app.use((_req, res, next) => {
      res.locals.caller = { role: 'auditor', id: 'pboc' };
      next();
    });
    const reader = new LogReader(log.store, log.checkpoints);
    app.use(logRouter(() => reader));
    app.use(problemHandler(createLogger('silent'), () => true));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await log.close();
  });

  it('when an auditor reads the log, then checkpoint, entries and proofs verify together', async () => {
    const res = await get('/v1/log/checkpoint');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const { checkpoint } = verifyCheckpoint(await res.text(), log.logKey);
    assert.equal(checkpoint.size, 10n);
    const page = (await (await get('/v1/log/entries?start=0&end=10')).json()) as { entries: string[] };
    assert.equal(page.entries.length, 10);
    for (let index = 0; index < 10; index++) {
      const body = (await (await get(`/v1/log/proof/inclusion?index=${index}&size=10`)).json()) as {
        proof: string[];
      };
      const leaf = entryLeafHash(page.entries[index] as string);
      assert.ok(verifyInclusion(leaf, index, 10, b64(body.proof), checkpoint.root));
    }
    const consistency = (await (await get('/v1/log/proof/consistency?from=3&to=10')).json()) as {
      proof: string[];
    };
    const root3 = await readRoot(log.store, 3);
    assert.ok(verifyConsistency(3, 10, b64(consistency.proof), root3, checkpoint.root));
  });

  for (const [path, field] of [
    ['/v1/log/entries?start=0', 'end'],
    ['/v1/log/entries?start=-1&end=2', 'start'],
    ['/v1/log/entries?start=01&end=2', 'start'],
    ['/v1/log/entries?start=0&end=2&end=3', 'end'],
    ['/v1/log/entries?start=0&end=11', 'end'],
    ['/v1/log/entries?start=5&end=5', 'start'],
    ['/v1/log/entries?start=0&end=99999999999999999', 'end'],
    ['/v1/log/proof/inclusion?index=10&size=10', 'index'],
    ['/v1/log/proof/inclusion?index=0&size=11', 'size'],
    ['/v1/log/proof/inclusion?index=1e3&size=10', 'index'],
    ['/v1/log/proof/consistency?from=0&to=10', 'from'],
    ['/v1/log/proof/consistency?from=4&to=3', 'from'],
    ['/v1/log/proof/consistency?from=1&to=0x10', 'to'],
  ] as const) {
    it(`when the log is asked ${path}, then it answers 400 LOG_RANGE about ${field}`, async () => {
      const res = await get(path);
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as { code: string; field?: string };
      assert.equal(problem.code, 'LOG_RANGE');
      assert.equal(problem.field, field);
    });
  }
});
