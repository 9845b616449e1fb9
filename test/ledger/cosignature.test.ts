// C2SP tlog-cosignature v1 (Ed25519, type 0x04): witness cosigning and verification.
import assert from 'node:assert/strict';
import { generateEd25519KeyPair } from '../../src/crypto/ed25519.js';
import { signCheckpoint, verifyCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosignCheckpoint, cosignatureMessage, verifyCosignature } from '../../src/ledger/cosignature.js';
import { leafHash } from '../../src/ledger/merkle.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  noteKeyId,
  parseSignedNote,
  parseVerifierKey,
} from '../../src/ledger/signed-note.js';
import { isBrokerError } from '../../src/errors.js';
import { utf8 } from '../../src/util/bytes.js';
import { opensslEd25519Verify } from '../crypto/node-ed25519.js';
import { loadVectors } from './vectors.js';

interface CosignedVector {
  valid: {
    cosignedCheckpoint: { logKey: string; witnessKey: string; note: string; witnessTimestamp: string };
  };
}

const vector = loadVectors<CosignedVector>('signed-note.json').valid.cosignedCheckpoint;
const ORIGIN = 'blindbroker.example/log';
const log = { name: ORIGIN, ...generateEd25519KeyPair() };
const witness = { name: 'auditor.pboc.example/witness', ...generateEd25519KeyPair() };
const note = signCheckpoint({ origin: ORIGIN, size: 10, root: leafHash(utf8('r')) }, log);
const code = (c: string) => (err: unknown) => isBrokerError(err, c);

describe('ledger/cosignature', () => {
  it('when a witness cosigns, then the line has key ID type 0x04 and a timestamped signature', () => {
    const cosigned = cosignCheckpoint(note, witness, 1679315147);
    const line = parseSignedNote(cosigned).signatures[1]!;
    assert.equal(line.name, witness.name);
    assert.deepEqual(line.keyId, noteKeyId(witness.name, SIG_TYPE_COSIGNATURE_V1, witness.publicKey));
    assert.equal(line.signature.length, 72);
    assert.equal(new DataView(line.signature.buffer, line.signature.byteOffset).getBigUint64(0), 1679315147n);
    const body = parseSignedNote(note).body;
    const message = cosignatureMessage(body, 1679315147n);
    assert.equal(new TextDecoder().decode(message), `cosignature/v1\ntime 1679315147\n${body}`);
    assert.equal(opensslEd25519Verify(line.signature.slice(8), message, witness.publicKey), true);
  });

  it('when both the log and the witness signed, then each verifies and ignores the other line', () => {
    const cosigned = cosignCheckpoint(note, witness, 1700000000n);
    assert.equal(verifyCosignature(cosigned, witness).timestamp, 1700000000n);
    assert.equal(verifyCheckpoint(cosigned, log).checkpoint.size, 10n);
  });

  it('when verifying a real witness cosignature (remora.n621.de), then it verifies with its timestamp', () => {
    const key = parseVerifierKey(vector.witnessKey);
    const result = verifyCosignature(vector.note, key);
    assert.equal(result.timestamp, BigInt(vector.witnessTimestamp));
    assert.equal(result.checkpoint.size, 1432088532n);
  });

  it('when the cosignature is forged, altered or absent, then verification fails with its code', () => {
    const cosigned = cosignCheckpoint(note, witness, 1700000000);
    assert.throws(() => verifyCosignature(note, witness), code('LOG_UNSIGNED'));
    const otherTime = cosignCheckpoint(note, witness, 1700000001).split('\n').at(-2)!;
    const swapped = cosigned.split('\n').slice(0, -2).join('\n') + `\n${otherTime.slice(0, -8)}AAAAAAA=\n`;
    assert.throws(() => verifyCosignature(swapped, witness), code('LOG_BAD_SIGNATURE'));
    const tampered = cosigned.replace('\n10\n', '\n11\n');
    assert.throws(() => verifyCosignature(tampered, witness), code('LOG_BAD_SIGNATURE'));
    // A witness key used as a plain note key (type 0x01) does not match the 0x04 key ID.
    const asNoteKey = signCheckpoint({ origin: ORIGIN, size: 10, root: leafHash(utf8('r')) }, witness);
    assert.throws(() => verifyCosignature(asNoteKey, witness), code('LOG_UNSIGNED'));
  });

  it('when the timestamp or note is malformed, then cosigning throws', () => {
    assert.throws(() => cosignCheckpoint(note, witness, -1), RangeError);
    assert.throws(() => cosignCheckpoint(note, witness, 2n ** 63n), RangeError);
    assert.throws(() => cosignCheckpoint('not a note', witness), code('LOG_BAD_NOTE'));
    assert.throws(() => cosignCheckpoint(note, { ...witness, name: 'has space' }), code('LOG_BAD_KEY_NAME'));
  });
});
