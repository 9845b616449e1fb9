/**
 * Consent log entries (DESIGN §5): canonical encoding, no subject token anywhere in an entry, and
 * an auditor verifying the requester's signature over the logged artefact without any token.
 */
import assert from 'node:assert/strict';
import { describeCertificate } from '../../src/crypto/pki.js';
import type { PartyRole } from '../../src/crypto/pki.js';
import { CONSENT_GRANT_TYPE } from '../../src/consent/artefact.js';
import type { ConsentBody } from '../../src/consent/artefact.js';
import { verifyConsentGrant } from '../../src/consent/bounds.js';
import { LIFECYCLE_REQUEST_TYPES } from '../../src/consent/lifecycle.js';
import type { LifecycleAction } from '../../src/consent/lifecycle.js';
import {
  consentChangedEntry,
  consentGrantedEntry,
  decodeConsentEntry,
  encodeConsentEntry,
  parseConsentEntry,
} from '../../src/consent/log-entries.js';
import type { ConsentEntry } from '../../src/consent/log-entries.js';
import { verifySubjectOpening } from '../../src/consent/subject.js';
import { loadMemberIdentity } from '../../src/keys/load.js';
import type { MemberIdentity } from '../../src/keys/load.js';
import { leafHash } from '../../src/ledger/merkle.js';
import { signObject, verifySignedObject } from '../../src/signing/signed-object.js';
import type { SignedObject, VerifyOptions } from '../../src/signing/signed-object.js';
import { fromBase64url, fromUtf8, toHex, utf8 } from '../../src/util/bytes.js';
import { sharedConsortium } from '../keys/fixture.js';
import { consent, NOW, REGISTRY, rejectsWith, TOKENS } from './fixture.js';
import { requestBody } from './requests.js';

/** Every spelling of a token or salt that could leak: base64url, standard base64, hex. */
function spellings(b64url: string): string[] {
  const bytes = fromBase64url(b64url);
  return [b64url, Buffer.from(bytes).toString('base64').replace(/=+$/, ''), toHex(bytes)];
}

type Wire = Record<string, unknown>;
const copy = (entry: ConsentEntry): Wire => JSON.parse(JSON.stringify(entry)) as Wire;

describe('consent/log-entries', function () {
  this.timeout(120_000);
  let tencent: MemberIdentity;
  let ant: MemberIdentity;
  let options: VerifyOptions;
  const { body, opening } = consent();
  let grant: SignedObject<ConsentBody>;
  let entries: ConsentEntry[];

  const sign = (action: LifecycleAction, at: Date, who = tencent) =>
    signObject(
      LIFECYCLE_REQUEST_TYPES[action],
      requestBody(body.consentId, at, { reason: 'BORROWER_REQUEST' }),
      who,
    );

  before(async () => {
    const dir = await sharedConsortium();
    [tencent, ant] = await Promise.all([loadMemberIdentity(dir, 'tencent'), loadMemberIdentity(dir, 'ant')]);
    const certs = new Map(
      [tencent, ant].map((m) => [describeCertificate(m.signing.certPem).fingerprint, m.signing.certPem]),
    );
    options = {
      caCertPem: tencent.caCertPem,
      certificateFor: (role: PartyRole, id: string, keyId: string) => {
        const pem = certs.get(keyId);
        return pem !== undefined && role === 'member' && describeCertificate(pem).id === id ? pem : undefined;
      },
    };
    grant = signObject(CONSENT_GRANT_TYPE, body, tencent);
    entries = [
      consentGrantedEntry(grant, NOW),
      consentChangedEntry(sign('pause', NOW), NOW),
      consentChangedEntry(sign('resume', NOW), NOW),
      consentChangedEntry(sign('revoke', NOW), NOW),
    ];
  });

  it('when entries are built, then they carry the kind, ids and digests of the signed objects', () => {
    assert.deepEqual(
      entries.map((e) => e.kind),
      ['consent.granted', 'consent.paused', 'consent.resumed', 'consent.revoked'],
    );
    const granted = entries[0]!;
    assert.ok(granted.kind === 'consent.granted');
    assert.equal(granted.subjectCommitment, body.subject.commitment);
    assert.equal(granted.purpose, 'loan_underwriting');
    assert.match(granted.artefactDigest, /^[0-9a-f]{64}$/);
    assert.equal(entries[3]?.kind === 'consent.revoked' && entries[3].reason, 'BORROWER_REQUEST');
  });

  it('when entries are encoded, then no spelling of any subject token or of the salt appears', () => {
    const secrets = [...Object.values(TOKENS), opening.salt].flatMap(spellings);
    for (const entry of entries) {
      const text = fromUtf8(encodeConsentEntry(entry));
      for (const secret of secrets) assert.ok(!text.includes(secret), `${entry.kind} leaks ${secret}`);
    }
  });

  it('when entries are encoded and decoded, then they round-trip and the bytes are JCS', () => {
    for (const entry of entries) {
      const bytes = encodeConsentEntry(entry);
      assert.deepEqual(decodeConsentEntry(bytes), entry);
      assert.deepEqual(encodeConsentEntry(decodeConsentEntry(bytes)), bytes);
      assert.equal(
        toHex(leafHash(bytes)),
        toHex(leafHash(encodeConsentEntry(copy(entry) as unknown as ConsentEntry))),
      );
    }
  });

  it('when an auditor reads the grant back, then the requester’s signature verifies without tokens', () => {
    const logged = decodeConsentEntry(encodeConsentEntry(entries[0]!));
    assert.ok(logged.kind === 'consent.granted');
    const verified = verifyConsentGrant(logged.artefact, options, REGISTRY, new Date(logged.acceptedAt));
    assert.deepEqual(verified.body, body);
    // Later, the requester proves which subject it was by revealing the opening it kept.
    assert.deepEqual(verifySubjectOpening(verified.body.subject, opening), TOKENS);
  });

  it('when an auditor reads a lifecycle entry back, then the request’s signature verifies', () => {
    for (const entry of entries.slice(1)) {
      const logged = decodeConsentEntry(encodeConsentEntry(entry));
      assert.ok(logged.kind !== 'consent.granted');
      verifySignedObject(logged.request, { ...options, expectedType: logged.request.type });
    }
  });

  const tampers: [string, number, (o: Wire) => void][] = [
    ['the summary purpose', 0, (o) => (o['purpose'] = 'collections')],
    ['the summary groups', 0, (o) => (o['dataGroups'] = ['status'])],
    ['the artefact digest', 0, (o) => (o['artefactDigest'] = '00'.repeat(32))],
    ['the subject commitment', 0, (o) => (o['subjectCommitment'] = '00'.repeat(32))],
    ['tokens added beside the artefact', 0, (o) => (o['tokens'] = TOKENS)],
    [
      'tokens added to the artefact body',
      0,
      (o) => (((o['artefact'] as Wire)['body'] as Wire)['tokens'] = TOKENS),
    ],
    ['a missing acceptedAt', 0, (o) => delete o['acceptedAt']],
    ['acceptedAt without milliseconds', 0, (o) => (o['acceptedAt'] = NOW.toISOString().replace('.000', ''))],
    ['a kind that does not match the request', 1, (o) => (o['kind'] = 'consent.resumed')],
    ['a granted kind over a request', 1, (o) => (o['kind'] = 'consent.granted')],
    ['another request id', 2, (o) => (o['requestId'] = '00000000-0000-4000-8000-00000000abcd')],
    ['a dropped reason', 3, (o) => delete o['reason']],
    ['a request digest of another request', 3, (o) => (o['requestDigest'] = '11'.repeat(32))],
  ];
  for (const [label, index, change] of tampers) {
    it(`when an entry has ${label}, then CONSENT_ENTRY_INVALID`, () => {
      const tampered = copy(entries[index]!);
      change(tampered);
      rejectsWith('CONSENT_ENTRY_INVALID', () => parseConsentEntry(tampered));
    });
  }

  it('when the grant is signed by a member other than its requester, then the entry is invalid', () => {
    const forged = consentGrantedEntry(signObject(CONSENT_GRANT_TYPE, body, ant), NOW);
    rejectsWith('CONSENT_ENTRY_INVALID', () => parseConsentEntry(forged));
    rejectsWith('CONSENT_SIGNER_MISMATCH', () => verifyConsentGrant(forged.artefact, options, REGISTRY, NOW));
  });

  it('when the logged artefact is altered, then the auditor’s check fails with SIG_INVALID or SIG_TYPE', () => {
    const altered = { ...grant, body: { ...body, dataLifeDays: 30 } };
    rejectsWith('SIG_INVALID', () => verifyConsentGrant(altered, options, REGISTRY, NOW));
    rejectsWith('SIG_TYPE', () => verifyConsentGrant(sign('pause', NOW), options, REGISTRY, NOW));
  });

  it('when leaf bytes are not canonical or not JSON, then CONSENT_ENTRY_INVALID', () => {
    const pretty = utf8(JSON.stringify(entries[0], null, 2));
    rejectsWith('CONSENT_ENTRY_INVALID', () => decodeConsentEntry(pretty));
    rejectsWith('CONSENT_ENTRY_INVALID', () => decodeConsentEntry(utf8('{"kind":')));
    rejectsWith('CONSENT_ENTRY_INVALID', () => decodeConsentEntry(Uint8Array.of(0xc0, 0xaf)));
    rejectsWith('CONSENT_ENTRY_INVALID', () => parseConsentEntry({ kind: 'member.joined' }));
    rejectsWith('CONSENT_ENTRY_INVALID', () => parseConsentEntry(null));
  });
});
