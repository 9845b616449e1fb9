// C2SP signed-note + tlog-checkpoint: signing, verification rules, interop vectors, hostile input.
import assert from 'node:assert/strict';
import { generateEd25519KeyPair } from '../../src/crypto/ed25519.js';
import { fromBase64Strict, toBase64 } from '../../src/ledger/base64.js';
import { formatCheckpointBody, signCheckpoint, verifyCheckpoint } from '../../src/ledger/checkpoint.js';
import { leafHash } from '../../src/ledger/merkle.js';
import {
  MAX_NOTE_BYTES,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  formatVerifierKey,
  noteKeyId,
  parseSignedNote,
  parseVerifierKey,
  signNote,
} from '../../src/ledger/signed-note.js';
import { isBrokerError } from '../../src/errors.js';
import { toHex, utf8 } from '../../src/util/bytes.js';
import { opensslEd25519Verify } from '../crypto/node-ed25519.js';
import { loadVectors } from './vectors.js';

interface NoteVectors {
  valid: {
    goNote: { signerKey: string; verifierKey: string; text: string; note: string };
    cosignedCheckpoint: { logKey: string; origin: string; size: string; root: string; note: string };
  };
  invalid: { checkpointNotes: { description: string; text: string; code: string }[] };
}

const vectors = loadVectors<NoteVectors>('signed-note.json');
const ORIGIN = 'blindbroker.example/log';
const log = { name: ORIGIN, ...generateEd25519KeyPair() };
const root = leafHash(utf8('root'));
const code = (c: string) => (err: unknown) => isBrokerError(err, c);

describe('ledger/checkpoint (sign and verify)', () => {
  it('when a checkpoint is signed, then it has the exact C2SP text and verifies under the log key', () => {
    const text = signCheckpoint({ origin: ORIGIN, size: 42, root }, log);
    const [body, sigLine] = text.split('\n\n');
    assert.equal(body + '\n', `${ORIGIN}\n42\n${toBase64(root)}\n`);
    assert.match(sigLine!, /^\u2014 blindbroker\.example\/log [A-Za-z0-9+/]{91}=\n$/);
    const { checkpoint } = verifyCheckpoint(text, log);
    assert.deepEqual(checkpoint, { origin: ORIGIN, size: 42n, root, extensions: [] });
  });

  it('when the signature is checked with OpenSSL, then it is a plain Ed25519 signature over the body', () => {
    const text = signCheckpoint({ origin: ORIGIN, size: 7n, root, extensions: ['ext line'] }, log);
    const note = parseSignedNote(text);
    const [sig] = note.signatures;
    assert.deepEqual(sig!.keyId, noteKeyId(ORIGIN, SIG_TYPE_ED25519, log.publicKey));
    assert.equal(opensslEd25519Verify(sig!.signature, utf8(note.body), log.publicKey), true);
    assert.equal(opensslEd25519Verify(sig!.signature, utf8(note.body + 'x'), log.publicKey), false);
  });

  it('when another key adds a signature line, then it is ignored', () => {
    const other = { name: 'someone.else/key', ...generateEd25519KeyPair() };
    const text = signCheckpoint({ origin: ORIGIN, size: 1, root }, log);
    const extra = signNote(parseSignedNote(text).body, other).split('\n\n')[1]!;
    // Same name, other key ID: also an unknown key, also ignored.
    const sameName = signNote(parseSignedNote(text).body, { ...generateEd25519KeyPair(), name: ORIGIN });
    const withBoth = text + extra + sameName.split('\n\n')[1]!;
    assert.equal(verifyCheckpoint(withBoth, log).checkpoint.size, 1n);
    // A foreign line placed before ours changes nothing either.
    assert.equal(verifyCheckpoint(text.replace('\n\n', `\n\n${extra}`), log).checkpoint.size, 1n);
  });

  it('when a line under our name and key ID does not verify, then the note fails with LOG_BAD_SIGNATURE', () => {
    const text = signCheckpoint({ origin: ORIGIN, size: 1, root }, log);
    const forged = signCheckpoint({ origin: ORIGIN, size: 2, root }, log).split('\n\n')[1]!;
    const body = parseSignedNote(text).body;
    assert.throws(() => verifyCheckpoint(`${body}\n${forged}`, log), code('LOG_BAD_SIGNATURE'));
    assert.throws(() => verifyCheckpoint(text + forged, log), code('LOG_BAD_SIGNATURE'));
    const altered = text.replace(`\n1\n`, `\n9\n`);
    assert.throws(() => verifyCheckpoint(altered, log), code('LOG_BAD_SIGNATURE'));
  });

  it('when no line is from our key, or the origin differs, then the note fails with its code', () => {
    const stranger = { name: ORIGIN, ...generateEd25519KeyPair() };
    const text = signCheckpoint({ origin: ORIGIN, size: 1, root }, log);
    assert.throws(() => verifyCheckpoint(text, stranger), code('LOG_UNSIGNED'));
    const renamed = { name: 'other.example/log', secretKey: log.secretKey, publicKey: log.publicKey };
    const foreign = signCheckpoint({ origin: ORIGIN, size: 1, root }, renamed);
    assert.throws(() => verifyCheckpoint(foreign, renamed), code('LOG_WRONG_ORIGIN'));
    assert.equal(verifyCheckpoint(foreign, renamed, { origin: ORIGIN }).checkpoint.origin, ORIGIN);
  });

  it('when formatting a bad checkpoint or signing with a bad name, then it throws with a code', () => {
    assert.throws(() => formatCheckpointBody({ origin: '', size: 1, root }), code('LOG_BAD_CHECKPOINT'));
    assert.throws(() => formatCheckpointBody({ origin: ORIGIN, size: -1, root }), code('LOG_BAD_CHECKPOINT'));
    assert.throws(
      () => formatCheckpointBody({ origin: ORIGIN, size: 2n ** 63n, root }),
      code('LOG_BAD_CHECKPOINT'),
    );
    assert.throws(
      () => formatCheckpointBody({ origin: ORIGIN, size: 1, root: root.slice(1) }),
      code('LOG_BAD_CHECKPOINT'),
    );
    assert.throws(() => formatCheckpointBody({ origin: 'a\nb', size: 1, root }), code('LOG_BAD_CHECKPOINT'));
    assert.throws(
      () => signCheckpoint({ origin: ORIGIN, size: 1, root }, { ...log, name: 'a b' }),
      code('LOG_BAD_KEY_NAME'),
    );
    assert.equal(
      formatCheckpointBody({ origin: ORIGIN, size: 2n ** 63n - 1n, root }).split('\n')[1],
      '9223372036854775807',
    );
  });
});

describe('ledger/signed-note (interop vectors)', () => {
  it('when signing the Go sumdb/note example, then the note matches byte for byte', () => {
    const { signerKey, verifierKey, text, note } = vectors.valid.goNote;
    const material = fromBase64Strict(signerKey.split('+').slice(4).join('+'))!;
    assert.equal(material[0], SIG_TYPE_ED25519);
    const signer = { name: 'PeterNeumann', secretKey: material.slice(1) };
    assert.equal(signNote(text, signer), note);
    const vkey = parseVerifierKey(verifierKey);
    assert.equal(toHex(vkey.keyId), 'c74f20a3');
    assert.equal(formatVerifierKey(vkey.name, vkey.type, vkey.publicKey), verifierKey);
    assert.equal(parseSignedNote(note).body, text);
  });

  it('when verifying a real CT log checkpoint with foreign signature lines, then only our key counts', () => {
    const v = vectors.valid.cosignedCheckpoint;
    const key = parseVerifierKey(v.logKey);
    const { checkpoint } = verifyCheckpoint(v.note, key);
    assert.equal(checkpoint.origin, v.origin);
    assert.equal(checkpoint.size, BigInt(v.size));
    assert.equal(toBase64(checkpoint.root), v.root);
    assert.throws(
      () => verifyCheckpoint(v.note.replace(v.size, '1432088533'), key),
      code('LOG_BAD_SIGNATURE'),
    );
  });

  it('when verifier keys are malformed, then parsing fails with LOG_BAD_VERIFIER_KEY', () => {
    const good = vectors.valid.goNote.verifierKey;
    const bad = [
      '',
      'PeterNeumann',
      'PeterNeumann+c74f20a3',
      good.replace('c74f20a3', 'c74f20a4'),
      good.replace('c74f20a3', 'c74f20a'),
      good.replace('+ARpc', '+Arpc'),
      good.slice(0, -4),
      `Peter Neumann${good.slice('PeterNeumann'.length)}`,
      formatVerifierKey('x', 0x02, new Uint8Array(32)),
    ];
    for (const vkey of bad) assert.throws(() => parseVerifierKey(vkey), code('LOG_BAD_VERIFIER_KEY'), vkey);
    const witness = formatVerifierKey('w.example', SIG_TYPE_COSIGNATURE_V1, log.publicKey);
    assert.equal(parseVerifierKey(witness).type, SIG_TYPE_COSIGNATURE_V1);
  });
});

describe('ledger/signed-note (hostile input)', () => {
  for (const v of vectors.invalid.checkpointNotes) {
    it(`when the note has ${v.description}, then it is rejected with ${v.code}`, () => {
      assert.throws(() => verifyCheckpoint(v.text, log), code(v.code));
    });
  }

  it('when the note is huge or has too many signatures, then it is rejected with LOG_BAD_NOTE', () => {
    const body = `${ORIGIN}\n1\n${toBase64(root)}\n`;
    assert.throws(
      () => parseSignedNote(`${'x'.repeat(MAX_NOTE_BYTES)}\n\n— a AAAAAAAA\n`),
      code('LOG_BAD_NOTE'),
    );
    assert.throws(
      () => parseSignedNote(`${'张'.repeat(MAX_NOTE_BYTES / 2)}\n\n— a AAAAAAAA\n`),
      code('LOG_BAD_NOTE'),
    );
    assert.throws(() => parseSignedNote(`${body}\n${'— a AAAAAAAA\n'.repeat(101)}`), code('LOG_BAD_NOTE'));
    assert.equal(parseSignedNote(`${body}\n${'— a AAAAAAAA\n'.repeat(16)}`).signatures.length, 16);
    assert.throws(() => parseSignedNote(42 as unknown as string), code('LOG_BAD_NOTE'));
  });
});
