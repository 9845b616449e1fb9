/**
 * The token authority's key files (DESIGN §1, §2): one RFC 9497 §3.2 VOPRF key pair per epoch
 * (ristretto255-SHA512) in token-authority/oprf-keys.json (0600), its public half in
 * oprf-keys.pub.json (0644, for members to pin), and the Ed25519 (RFC 8032) key that signs the daily
 * evaluation counters. Rotation adds epoch N+1 and gives the previous epochs a retirement time: until
 * then they stay evaluable, so members can re-prepare while the broker serves both epochs.
 */
import { z } from 'zod';
import { generateEd25519KeyPair } from '../crypto/ed25519.js';
import { checkOprfKeyPair, generateOprfKeyPair, OPRF_SUITE } from '../crypto/oprf.js';
import type { OprfKeyPair } from '../crypto/oprf.js';
import { BrokerError } from '../errors.js';
import {
  exists,
  makePrivateDir,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  readJsonFile,
  replaceFile,
  writeJsonFile,
} from '../keys/files.js';
import * as layout from '../keys/layout.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';

export const DEFAULT_GRACE_DAYS = 7;
const DAY_MS = 86_400_000;

const epochEntry = z.object({
  epoch: z.number().int().positive(),
  publicKey: z.string(),
  createdAt: z.string(),
  /** After this instant the epoch is no longer evaluated (absent: current epoch). */
  retireAt: z.string().optional(),
});
const publicFile = z.object({
  suite: z.literal(OPRF_SUITE),
  current: z.number().int().positive(),
  epochs: z.array(epochEntry),
});
const secretFile = publicFile.extend({ epochs: z.array(epochEntry.extend({ secretKey: z.string() })) });

type SecretFile = z.infer<typeof secretFile>;
export type PublicOprfKeys = z.infer<typeof publicFile>;

export interface EpochKey {
  epoch: number;
  keyPair: OprfKeyPair;
  createdAt: Date;
  retireAt: Date | undefined;
}

export interface OprfKeyRing {
  current: number;
  epochs: Map<number, EpochKey>;
}

function malformed(file: string, message: string, cause?: unknown): BrokerError {
  return new BrokerError('KEYS_MALFORMED', `${file}: ${message}`, {
    cause,
    hint: 'restore the file, or make new keys with `blindbroker token-authority keygen --force`',
    details: { path: file },
  });
}

function publicHalf(file: SecretFile): PublicOprfKeys {
  return {
    suite: file.suite,
    current: file.current,
    epochs: file.epochs.map(({ secretKey: _s, ...rest }) => rest),
  };
}

function newEpoch(epoch: number, now: Date): SecretFile['epochs'][number] {
  const pair = generateOprfKeyPair();
  return {
    epoch,
    publicKey: toBase64url(pair.publicKey),
    secretKey: toBase64url(pair.secretKey),
    createdAt: now.toISOString(),
  };
}

async function writeKeyFiles(dir: string, file: SecretFile, replace: boolean): Promise<void> {
  const p = layout.tokenAuthorityPaths(dir);
  const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  if (replace) {
    await replaceFile(p.oprfKeys, text(file), PRIVATE_FILE_MODE);
    await replaceFile(p.oprfKeysPub, text(publicHalf(file)), PUBLIC_FILE_MODE);
  } else {
    await writeJsonFile(p.oprfKeys, file, PRIVATE_FILE_MODE);
    await writeJsonFile(p.oprfKeysPub, publicHalf(file), PUBLIC_FILE_MODE);
  }
}

/**
 * Creates the authority's OPRF key for `epoch`, its counter-signing key and its counters directory
 * under `dir` (a keys directory). Throws TA_KEYS_EXIST when an OPRF key file is already there.
 */
export async function createTokenAuthorityKeys(dir: string, consortium: string, epoch = 1): Promise<void> {
  const p = layout.tokenAuthorityPaths(dir);
  if (await exists(p.oprfKeys)) {
    throw new BrokerError('TA_KEYS_EXIST', `${p.oprfKeys} already exists`, {
      hint: 'rotate with `blindbroker token-authority rotate` instead of making new keys',
      details: { path: p.oprfKeys },
    });
  }
  await makePrivateDir(p.countersDir);
  await writeKeyFiles(
    dir,
    { suite: OPRF_SUITE, current: epoch, epochs: [newEpoch(epoch, new Date())] },
    false,
  );
  if (!(await exists(p.counterKey))) {
    const pair = generateEd25519KeyPair();
    const pub = { name: layout.counterKeyName(consortium), publicKey: toBase64url(pair.publicKey) };
    await writeJsonFile(p.counterKey, { ...pub, secretKey: toBase64url(pair.secretKey) }, PRIVATE_FILE_MODE);
    await writeJsonFile(p.counterKeyPub, pub, PUBLIC_FILE_MODE);
  }
}

async function readSecretFile(dir: string): Promise<SecretFile> {
  const file = layout.tokenAuthorityPaths(dir).oprfKeys;
  const parsed = secretFile.safeParse(await readJsonFile(file));
  if (!parsed.success)
    throw malformed(
      file,
      'expected {suite, current, epochs: [{epoch, publicKey, secretKey, …}]}',
      parsed.error,
    );
  if (!parsed.data.epochs.some((e) => e.epoch === parsed.data.current))
    throw malformed(file, 'no key for the current epoch');
  return parsed.data;
}

/** Reads and checks every epoch's key pair. Throws KEYS_MISSING, KEYS_MALFORMED. */
export async function loadOprfKeyRing(dir: string): Promise<OprfKeyRing> {
  const file = layout.tokenAuthorityPaths(dir).oprfKeys;
  const data = await readSecretFile(dir);
  const epochs = new Map<number, EpochKey>();
  for (const e of data.epochs) {
    let keyPair: OprfKeyPair;
    try {
      keyPair = { secretKey: fromBase64url(e.secretKey, 32), publicKey: fromBase64url(e.publicKey, 32) };
      checkOprfKeyPair(keyPair);
    } catch (cause) {
      throw malformed(file, `epoch ${e.epoch} does not hold a valid key pair`, cause);
    }
    epochs.set(e.epoch, {
      epoch: e.epoch,
      keyPair,
      createdAt: new Date(e.createdAt),
      retireAt: e.retireAt === undefined ? undefined : new Date(e.retireAt),
    });
  }
  return { current: data.current, epochs };
}

/**
 * Adds epoch current+1 and retires the older epochs `graceDays` from `now` (an epoch already
 * retiring keeps its earlier date). Epochs retired for more than a grace period are dropped, so a
 * dead key does not linger. Returns the new epoch. Throws KEYS_MISSING, KEYS_MALFORMED, RangeError.
 */
export async function rotateOprfKeys(
  dir: string,
  graceDays = DEFAULT_GRACE_DAYS,
  now = new Date(),
): Promise<number> {
  if (!Number.isFinite(graceDays) || graceDays < 0 || graceDays > 365)
    throw new RangeError('graceDays must be 0..365');
  const data = await readSecretFile(dir);
  const retireAt = new Date(now.getTime() + graceDays * DAY_MS).toISOString();
  const keep = data.epochs.filter(
    (e) => e.retireAt === undefined || Date.parse(e.retireAt) + graceDays * DAY_MS > now.getTime(),
  );
  const next = Math.max(...data.epochs.map((e) => e.epoch)) + 1;
  const epochs = [...keep.map((e) => ({ ...e, retireAt: e.retireAt ?? retireAt })), newEpoch(next, now)];
  await writeKeyFiles(dir, { ...data, current: next, epochs }, true);
  return next;
}

/** The public keys as GET /v1/keys and oprf-keys.pub.json show them. */
export function publicKeysOf(ring: OprfKeyRing): PublicOprfKeys {
  return {
    suite: OPRF_SUITE,
    current: ring.current,
    epochs: [...ring.epochs.values()].map((e) => ({
      epoch: e.epoch,
      publicKey: toBase64url(e.keyPair.publicKey),
      createdAt: e.createdAt.toISOString(),
      ...(e.retireAt ? { retireAt: e.retireAt.toISOString() } : {}),
    })),
  };
}

/** The key of an epoch that may be evaluated at `now`. Throws TA_EPOCH_UNKNOWN, TA_EPOCH_RETIRED. */
export function evaluableKey(ring: OprfKeyRing, epoch: number, now = new Date()): EpochKey {
  const key = ring.epochs.get(epoch);
  if (key === undefined) {
    throw new BrokerError('TA_EPOCH_UNKNOWN', `epoch ${epoch} has no key at this authority`, {
      field: 'epoch',
      hint: `use the current epoch ${ring.current} (GET /v1/keys)`,
      details: { current: ring.current },
    });
  }
  if (key.retireAt !== undefined && key.retireAt.getTime() <= now.getTime()) {
    throw new BrokerError('TA_EPOCH_RETIRED', `epoch ${epoch} was retired at ${key.retireAt.toISOString()}`, {
      field: 'epoch',
      hint: `re-prepare under the current epoch ${ring.current}`,
      details: { current: ring.current },
    });
  }
  return key;
}
