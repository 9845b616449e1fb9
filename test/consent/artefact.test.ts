/** Consent artefacts (DESIGN §4): building, the subject commitment, and one code per broken bound. */
import assert from 'node:assert/strict';
import { buildConsent, parseConsentBody } from '../../src/consent/artefact.js';
import { validateConsent } from '../../src/consent/bounds.js';
import { subjectCommitment, tokenizeSubject, verifySubjectOpening } from '../../src/consent/subject.js';
import { sha256 } from '../../src/crypto/hash.js';
import { HmacTokenizer } from '../../src/tokenize/hmac-tokenizer.js';
import { toBase64url, toHex, utf8 } from '../../src/util/bytes.js';
import { consent, DAY_MS, input, NOW, REGISTRY, rejectsWith, SALT, TOKENS, wire } from './fixture.js';

const later = (days: number, from = NOW) => new Date(from.getTime() + days * DAY_MS);

describe('consent/artefact', () => {
  it('when a member builds a consent within bounds, then it validates and round-trips as JSON', () => {
    const { body, opening } = consent();
    assert.deepEqual(validateConsent(wire(body), REGISTRY, NOW), body);
    assert.deepEqual(body.subject.types, ['cn_rid', 'phone', 'name']);
    assert.deepEqual(opening.tokens, TOKENS);
    assert.equal(body.consentStart, '2026-11-05T02:00:00.000Z');
  });

  it('when no consent id or salt is given, then each build is fresh', () => {
    const a = buildConsent({ ...input(), consentId: undefined, salt: undefined });
    const b = buildConsent({ ...input(), consentId: undefined, salt: undefined });
    assert.notEqual(a.body.consentId, b.body.consentId);
    assert.notEqual(a.body.subject.commitment, b.body.subject.commitment);
    assert.notEqual(a.opening.salt, b.opening.salt);
  });

  it('when the body is serialized, then no token and no salt appears in it', () => {
    const { body, opening } = consent();
    const text = JSON.stringify(body);
    for (const token of Object.values(TOKENS)) assert.ok(!text.includes(token));
    assert.ok(!text.includes(opening.salt));
  });

  describe('subject commitment', () => {
    it('when the opening is the one built with the consent, then it verifies and returns the tokens', () => {
      const { body, opening } = consent();
      assert.deepEqual(verifySubjectOpening(body.subject, wire(opening)), TOKENS);
    });

    it('when computed by hand from the spec text, then the commitment is the same', () => {
      const text =
        `{"domain":"blindbroker/v1/consent-subject","epoch":1,"salt":"${toBase64url(SALT)}",` +
        `"tokens":{"cn_rid":"${TOKENS.cn_rid}","name":"${TOKENS.name}","phone":"${TOKENS.phone}"}}`;
      assert.equal(subjectCommitment(1, SALT, TOKENS), toHex(sha256(utf8(text))));
    });

    it('when token order differs, then the commitment is the same (JCS sorts keys)', () => {
      const reversed = { name: TOKENS.name, phone: TOKENS.phone, cn_rid: TOKENS.cn_rid };
      assert.equal(subjectCommitment(1, SALT, reversed), subjectCommitment(1, SALT, TOKENS));
    });

    it('when salt, epoch or any token differs, then the commitment differs', () => {
      const base = subjectCommitment(1, SALT, TOKENS);
      assert.notEqual(subjectCommitment(2, SALT, TOKENS), base);
      assert.notEqual(
        subjectCommitment(
          1,
          SALT.map((b) => b ^ 1),
          TOKENS,
        ),
        base,
      );
      assert.notEqual(subjectCommitment(1, SALT, { ...TOKENS, phone: TOKENS.name }), base);
      assert.notEqual(subjectCommitment(1, SALT, { cn_rid: TOKENS.cn_rid }), base);
    });

    it('when the opening has another token, salt or set of types, then CONSENT_SUBJECT_MISMATCH', () => {
      const { body, opening } = consent();
      rejectsWith('CONSENT_SUBJECT_MISMATCH', () =>
        verifySubjectOpening(body.subject, { ...opening, tokens: { ...TOKENS, phone: TOKENS.name } }),
      );
      rejectsWith('CONSENT_SUBJECT_MISMATCH', () =>
        verifySubjectOpening(body.subject, { ...opening, salt: 'A'.repeat(43) }),
      );
      rejectsWith('CONSENT_SUBJECT_MISMATCH', () =>
        verifySubjectOpening(body.subject, { ...opening, tokens: { cn_rid: TOKENS.cn_rid } }),
      );
      rejectsWith('CONSENT_NO_SUBJECT', () => verifySubjectOpening(body.subject, { ...opening, tokens: {} }));
    });

    it('when a member builds with a token that is not 16 bytes of base64url, then CONSENT_MALFORMED', () => {
      rejectsWith('CONSENT_MALFORMED', () =>
        consent({ subject: { epoch: 1, tokens: { cn_rid: 'not a token' } } }),
      );
    });

    it('when the opening is hostile, then CONSENT_MALFORMED', () => {
      const { body, opening } = consent();
      for (const bad of [
        null,
        'x',
        { ...opening, extra: 1 },
        { ...opening, tokens: { ...TOKENS, passport: TOKENS.name } },
        { ...opening, tokens: { cn_rid: 'AAECAwQFBgcICQoLDA0ODx' } }, // non-canonical last char
        { ...opening, tokens: { cn_rid: TOKENS.cn_rid + 'AA' } },
        { ...opening, salt: opening.salt + '=' },
        JSON.parse(`{"salt":"${opening.salt}","tokens":{"__proto__":{"cn_rid":"${TOKENS.cn_rid}"}}}`),
      ]) {
        rejectsWith('CONSENT_MALFORMED', () => verifySubjectOpening(body.subject, bad));
      }
    });

    it('when identifiers are tokenized with the hmac tokenizer, then nulls are skipped and the opening verifies', async () => {
      const tokenizer = new HmacTokenizer({
        consortiumSecret: new Uint8Array(32).fill(7),
        consortiumId: 'demo',
        epoch: 3,
      });
      const subject = await tokenizeSubject(
        { cn_rid: '11010519491231002X', phone: null, name: '张三' },
        tokenizer,
      );
      assert.equal(subject.epoch, 3);
      assert.deepEqual(Object.keys(subject.tokens), ['cn_rid', 'name']);
      assert.equal(subject.tokens.cn_rid, tokenizer.tokenize('cn_rid', '11010519491231002X').token);
      const { body, opening } = buildConsent({ ...input(), subject });
      assert.deepEqual(verifySubjectOpening(body.subject, opening), subject.tokens);
      await assert.rejects(tokenizeSubject({ phone: null }, tokenizer), { code: 'CONSENT_NO_SUBJECT' });
    });
  });

  describe('bounds: each refused with its own code', () => {
    const cases: [string, Parameters<typeof input>[0], string][] = [
      ['unknown purpose', { purpose: 'marketing' }, 'CONSENT_UNKNOWN_PURPOSE'],
      [
        'start after expiry',
        { consentStart: later(2), consentExpiry: later(1) },
        'CONSENT_START_AFTER_EXPIRY',
      ],
      [
        'start equal to expiry',
        { consentStart: later(1), consentExpiry: later(1) },
        'CONSENT_START_AFTER_EXPIRY',
      ],
      [
        'expiry in the past',
        { consentStart: later(-10), consentExpiry: later(-1) },
        'CONSENT_ALREADY_EXPIRED',
      ],
      ['expiry exactly now', { consentStart: later(-10), consentExpiry: NOW }, 'CONSENT_ALREADY_EXPIRED'],
      [
        'start 8 days ahead (max 7)',
        { consentStart: later(8), consentExpiry: later(9) },
        'CONSENT_START_TOO_LATE',
      ],
      ['31 days (max 30)', { consentExpiry: later(30.0001) }, 'CONSENT_EXPIRY_TOO_LONG'],
      ['6 per MONTH (max 5)', { frequency: { unit: 'MONTH', value: 6 } }, 'CONSENT_FREQUENCY_TOO_HIGH'],
      [
        '1 per DAY (31 per MONTH > 5)',
        { frequency: { unit: 'DAY', value: 1 } },
        'CONSENT_FREQUENCY_TOO_HIGH',
      ],
      [
        '6 per YEAR (all in one month > 5)',
        { frequency: { unit: 'YEAR', value: 6 } },
        'CONSENT_FREQUENCY_TOO_HIGH',
      ],
      ['group contact', { dataGroups: ['status', 'contact'] }, 'CONSENT_GROUP_NOT_ALLOWED'],
      ['data life 181 days (max 180)', { dataLifeDays: 181 }, 'CONSENT_DATA_LIFE_TOO_LONG'],
      [
        'phone alone',
        { subject: { epoch: 1, tokens: { phone: TOKENS.phone } } },
        'CONSENT_SUBJECT_INSUFFICIENT',
      ],
      [
        'phone and name for collections (resident ID only)',
        {
          purpose: 'collections',
          dataGroups: ['status'],
          frequency: { unit: 'MONTH', value: 1 },
          subject: { epoch: 1, tokens: { phone: TOKENS.phone, name: TOKENS.name } },
        },
        'CONSENT_SUBJECT_INSUFFICIENT',
      ],
    ];
    for (const [label, overrides, code] of cases) {
      it(`when a consent has ${label}, then it is refused with ${code}`, () => {
        rejectsWith(code, () => validateConsent(wire(consent(overrides).body), REGISTRY, NOW));
      });
    }

    it('when a bound is broken, then the details name the bound and its limit', () => {
      try {
        validateConsent(consent({ dataLifeDays: 400 }).body, REGISTRY, NOW);
        assert.fail('expected a refusal');
      } catch (err) {
        assert.deepEqual((err as { details?: unknown }).details, {
          purpose: 'loan_underwriting',
          bound: 'maxDataLifeDays',
          limit: 180,
          actual: 400,
        });
      }
    });

    it('when values sit exactly at each bound, then the consent validates', () => {
      const atBounds = consent({
        consentStart: later(7),
        consentExpiry: later(37),
        frequency: { unit: 'YEAR', value: 5 },
        dataLifeDays: 180,
        subject: { epoch: 1, tokens: { phone: TOKENS.phone, name: TOKENS.name } },
      });
      validateConsent(atBounds.body, REGISTRY, NOW);
      const daily = consent({
        purpose: 'post_loan_monitoring',
        frequency: { unit: 'MONTH', value: 2 },
        consentExpiry: later(1830),
        dataLifeDays: 90,
      });
      validateConsent(daily.body, REGISTRY, NOW);
    });

    it('when there are no subject tokens, then CONSENT_NO_SUBJECT', () => {
      rejectsWith('CONSENT_NO_SUBJECT', () => consent({ subject: { epoch: 1, tokens: {} } }));
      const body = wire(consent().body, (o) => ((o['subject'] as Record<string, unknown>)['types'] = []));
      rejectsWith('CONSENT_NO_SUBJECT', () => validateConsent(body, REGISTRY, NOW));
    });

    it('when the txnId is a resident ID or a phone number, then CONSENT_MALFORMED (PII stays off the log)', () => {
      for (const txnId of ['11010519491231002X', '13800138000', '+8613800138000']) {
        rejectsWith('CONSENT_MALFORMED', () =>
          parseConsentBody(wire(consent().body, (o) => (o['txnId'] = txnId))),
        );
      }
    });
  });
});
