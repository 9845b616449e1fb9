/**
 * Which tokenizer epochs the broker accepts (DESIGN §2; issue 8 item 4: "members re-prepare; the
 * broker serves both epochs during a grace window"). hmac consortia have one epoch, consortium.json's.
 * oprf consortia accept every epoch of the token authority's public key file (oprf-keys.pub.json)
 * that has not retired: the current one, and the previous ones until their `retireAt`, which
 * `token-authority rotate` sets to now + grace. A batch of another tokenizer mode or epoch is refused
 * before anything is stored. Pure: the caller reads the files (src/keys/epoch-policy.ts).
 */
import { BrokerError } from '../errors.js';
import type { BatchManifest } from './manifest.js';

export interface AcceptedEpoch {
  epoch: number;
  /** Last instant (ms since 1970) a batch of this epoch is accepted; absent: no end (current). */
  notAfter?: number;
}

export interface EpochPolicy {
  tokenizer: 'hmac' | 'oprf';
  epochs: AcceptedEpoch[];
}

/** Public OPRF key entries as oprf-keys.pub.json lists them. */
export interface PublicEpochEntry {
  epoch: number;
  retireAt?: string;
}

/** The policy of an oprf consortium from the authority's public epochs; unparsable dates count as retired. */
export function oprfEpochPolicy(entries: readonly PublicEpochEntry[]): EpochPolicy {
  return {
    tokenizer: 'oprf',
    epochs: entries.map((e) =>
      e.retireAt === undefined
        ? { epoch: e.epoch }
        : { epoch: e.epoch, notAfter: Number.isNaN(Date.parse(e.retireAt)) ? 0 : Date.parse(e.retireAt) - 1 },
    ),
  };
}

/** The epochs accepted at `now`, ascending. */
export function acceptedAt(policy: EpochPolicy, now: number): number[] {
  return policy.epochs
    .filter((e) => e.notAfter === undefined || e.notAfter >= now)
    .map((e) => e.epoch)
    .sort((a, b) => a - b);
}

/**
 * Throws BrokerError TOKENIZER_MISMATCH when the batch was tokenized in another mode than the
 * consortium's, EPOCH_NOT_ACCEPTED when its epoch is unknown or its grace window is over.
 */
export function checkManifestEpoch(
  manifest: Pick<BatchManifest, 'tokenizer' | 'epoch'>,
  policy: EpochPolicy,
  now: number,
): void {
  if (manifest.tokenizer !== policy.tokenizer) {
    throw new BrokerError(
      'TOKENIZER_MISMATCH',
      `the batch was tokenized in ${manifest.tokenizer} mode; this consortium uses ${policy.tokenizer}`,
      {
        field: 'tokenizer',
        hint: `prepare the batch again with --tokenizer ${policy.tokenizer}`,
        details: { batch: manifest.tokenizer, consortium: policy.tokenizer },
      },
    );
  }
  const accepted = acceptedAt(policy, now);
  if (!accepted.includes(manifest.epoch)) {
    const current = accepted[accepted.length - 1];
    throw new BrokerError('EPOCH_NOT_ACCEPTED', `tokens of epoch ${manifest.epoch} are not accepted`, {
      field: 'epoch',
      hint:
        current === undefined
          ? 'no epoch is accepted: ask the consortium operator'
          : `prepare the batch again under epoch ${current} (the current one)`,
      details: { epoch: manifest.epoch, accepted },
    });
  }
}
