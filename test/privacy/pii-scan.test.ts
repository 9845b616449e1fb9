import assert from 'node:assert/strict';
import { findPii, piiSet } from '../../src/privacy/pii-scan.js';

describe('privacy/pii-scan', () => {
  const pii = piiSet([
    { idNumber: '110105 19491231 002x', phone: '138-0013-8000', name: '张三' },
    { idNumber: '11010519491231002X', phone: '+86 139 0000 1111', name: 'Wang Li' },
  ]);

  it('when text holds a raw ID in any written or normalized form, then it is found', () => {
    for (const text of [
      '{"id":"11010519491231002X"}',
      'x110105194912310021y'.replace('1y', 'Xy'),
      'id 11010519491231002x',
    ]) {
      assert.ok(findPii(text, pii, 't').length > 0, text);
    }
  });

  it('when text holds a phone nationally or in E.164, then it is found', () => {
    assert.ok(findPii('"phone":"+8613800138000"', pii, 't').length > 0);
    assert.ok(findPii('13900001111', pii, 't').length > 0);
  });

  it('when text holds a Han name or a Latin name in any case, then it is found', () => {
    assert.ok(findPii('owner 张三', pii, 't').length > 0);
    assert.ok(findPii('WANG LI', pii, 't').length > 0);
  });

  it('when text holds only tokens, ciphertext and other numbers, then nothing is found', () => {
    const clean =
      '{"tokens":{"cn_rid":"q0Zt3Q4xS9c8uQpL1aBcdw"},"ct":"bb1.AAECAwQFBgcICQ","n":1234567890123}';
    assert.deepEqual(findPii(clean, pii, 't'), []);
  });
});
