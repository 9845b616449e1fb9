/** The purpose registry (DESIGN §4): the shipped file, and refusal of bad registries. */
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPurposeRegistry, parsePurposeRegistry, purposeSpec } from '../../src/consent/purposes.js';
import { REGISTRY, rejectsWith } from './fixture.js';

const doc = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify({ version: REGISTRY.version, purposes: REGISTRY.purposes })) as Record<
    string,
    unknown
  >;
const purposesOf = (d: Record<string, unknown>) => d['purposes'] as Record<string, Record<string, unknown>>;

describe('consent/purposes', () => {
  it('when the shipped registry loads, then it has the five purposes with documented bounds', () => {
    for (const code of [
      'loan_underwriting',
      'credit_line_review',
      'post_loan_monitoring',
      'collections',
      'portfolio_screening',
    ]) {
      const spec = purposeSpec(REGISTRY, code);
      assert.ok(spec, code);
      assert.ok(spec.description.length > 80, `${code} documents its bounds`);
    }
    assert.equal(purposeSpec(REGISTRY, 'portfolio_screening')?.output, 'aggregate');
    assert.equal(purposeSpec(REGISTRY, 'portfolio_screening')?.smallCountThreshold, 3);
  });

  it('when a purpose may match on phone, then never on phone alone (phone numbers are reassigned)', () => {
    for (const spec of Object.values(REGISTRY.purposes)) {
      assert.ok(!spec.minimumMatch.some((c) => c.length === 1 && c[0] === 'phone'));
    }
  });

  it('when the registry is loaded, then it is frozen and inherited names are not purposes', () => {
    assert.ok(Object.isFrozen(REGISTRY.purposes));
    assert.ok(Object.isFrozen(REGISTRY.purposes['collections']?.allowedGroups));
    assert.equal(purposeSpec(REGISTRY, 'toString'), undefined);
    assert.equal(purposeSpec(REGISTRY, '__proto__'), undefined);
  });

  const bad: [string, (d: Record<string, unknown>) => void][] = [
    [
      'aggregate purpose without k',
      (d) => delete purposesOf(d)['portfolio_screening']!['smallCountThreshold'],
    ],
    ['records purpose with k', (d) => (purposesOf(d)['collections']!['smallCountThreshold'] = 3)],
    ['unknown bound', (d) => (purposesOf(d)['collections']!['maxSomething'] = 1)],
    ['negative expiry', (d) => (purposesOf(d)['collections']!['maxExpiryDays'] = -1)],
    ['unknown identifier type', (d) => (purposesOf(d)['collections']!['minimumMatch'] = [['passport']])],
    ['empty combination', (d) => (purposesOf(d)['collections']!['minimumMatch'] = [[]])],
    ['duplicate group', (d) => (purposesOf(d)['collections']!['allowedGroups'] = ['status', 'status'])],
    ['bad purpose code', (d) => (purposesOf(d)['Loan Underwriting'] = purposesOf(d)['collections']!)],
    [
      'unknown frequency unit',
      (d) => (purposesOf(d)['collections']!['maxFrequency'] = { unit: 'WEEK', value: 1 }),
    ],
    ['missing version', (d) => delete d['version']],
    [
      '__proto__ purpose',
      (d) =>
        Object.defineProperty(purposesOf(d), '__proto__', {
          value: purposesOf(d)['collections'],
          enumerable: true,
        }),
    ],
  ];
  for (const [label, edit] of bad) {
    it(`when the registry has ${label}, then it is refused with PURPOSES_INVALID`, () => {
      const d = doc();
      edit(d);
      rejectsWith('PURPOSES_INVALID', () => parsePurposeRegistry(d));
    });
  }

  it('when the file is missing or not JSON, then PURPOSES_MISSING / PURPOSES_INVALID', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-purposes-'));
    try {
      rejectsWith('PURPOSES_MISSING', () => loadPurposeRegistry(path.join(dir, 'none.json')));
      const file = path.join(dir, 'bad.json');
      writeFileSync(file, '{"version": ');
      rejectsWith('PURPOSES_INVALID', () => loadPurposeRegistry(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
