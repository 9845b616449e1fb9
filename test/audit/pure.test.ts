/**
 * The audit's pure pieces (RFC 9162 §2.1.1 leaf hashing, RFC 8785 canonical check, state file
 * parsing, HTML escaping): fast paths agree with the ledger's reference functions, and hostile
 * input is refused or escaped.
 */
import assert from 'node:assert/strict';
import { parseEntryFast } from '../../src/audit/fast-entry.js';
import { escapeHtml, renderHtmlReport } from '../../src/audit/report-html.js';
import { leafHashOfText } from '../../src/audit/replay.js';
import { parseAuditState } from '../../src/audit/state.js';
import { isBrokerError } from '../../src/errors.js';
import { createEntry, entryLeafHash, parseEntry } from '../../src/ledger/entry.js';

const TEXTS = [
  createEntry('disclosure', { jobId: 'j', owner: 'ant', groups: ['status'], n: 1.5 }),
  createEntry('key.rotated', { name: '张伟\u2028', emoji: '😀', esc: 'a"b\\c\n' }),
  createEntry('policy.set', { '10': 1, '2': 2, b: { z: 1, a: [{ y: 2, x: 1 }] } }),
];

describe('audit pure checks', () => {
  it('when an entry is canonical, then the fast path parses it as parseEntry does and hashes the same leaf', () => {
    for (const text of TEXTS) {
      assert.deepEqual(parseEntryFast(text), parseEntry(text));
      assert.deepEqual(leafHashOfText(text), entryLeafHash(text));
    }
  });

  it('when an entry is not canonical, then the fast path refuses it with LOG_BAD_ENTRY', () => {
    const base = TEXTS[0] as string;
    const hostile = [
      base.replace('{', '{ '),
      base.replace('"jobId":"j"', '"jobId":"j","jobId":"k"'),
      base.replace('"groups"', '"zzz":1,"groups"'),
      base.replace('"disclosure"', '"unknown.kind"'),
      '[]',
      'not json',
      base.replace(/"at":"[^"]+"/, '"at":"2026-13-45T00:00:00.000Z"'),
    ];
    for (const text of hostile) {
      assert.throws(
        () => parseEntryFast(text),
        (err) => isBrokerError(err, 'LOG_BAD_ENTRY'),
        text,
      );
    }
  });

  it('when the state file is malformed, then AUDIT_STATE_INVALID names the problem', () => {
    for (const text of ['', '{}', '{"version":1}', JSON.stringify({ version: 2 })]) {
      assert.throws(
        () => parseAuditState(text),
        (err) => isBrokerError(err, 'AUDIT_STATE_INVALID'),
      );
    }
  });

  it('when log text holds markup, then the HTML report escapes it and loads nothing external', () => {
    assert.equal(escapeHtml('<script>"&\''), '&lt;script&gt;&quot;&amp;&#39;');
    const html = renderHtmlReport({
      trustOnFirstUse: true,
      fromSize: 0,
      toSize: 1,
      entriesByKind: { '<b>': 1 },
      consentsByPurpose: { '<img src=x>': { ACTIVE: 1 } },
      disclosuresByRequester: {},
      disclosuresByOwner: {},
      findings: [{ index: 0, rule: 'log.replay', message: '<script>alert(1)</script>' }],
    });
    assert.doesNotMatch(html, /<script|<img|<b>|<link|https?:/);
    assert.match(html, /trusted the current checkpoint on first use/);
  });
});
