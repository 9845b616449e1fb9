/**
 * Reads the broker's tokenizer epoch policy (DESIGN §2, issue 8 item 4) from the keys directory:
 * consortium.json's `tokenizer` and `epoch`, and in oprf mode the token authority's public key file
 * `token-authority/oprf-keys.pub.json` (its epochs and their `retireAt`). Read per batch, so a
 * rotation is honoured without restarting the broker.
 */
import { z } from 'zod';
import { BrokerError } from '../errors.js';
import { oprfEpochPolicy, type EpochPolicy } from '../ingest/epochs.js';
import { readJsonFile } from './files.js';
import * as layout from './layout.js';
import { loadConsortium } from './load.js';

const publicEpochs = z.object({
  epochs: z.array(z.object({ epoch: z.number().int().positive(), retireAt: z.string().optional() })).min(1),
});

/** Throws KEYS_MISSING / KEYS_MALFORMED for a missing or malformed consortium.json or public key file. */
export async function loadEpochPolicy(keysDir: string): Promise<EpochPolicy> {
  const consortium = await loadConsortium(keysDir);
  if (consortium.tokenizer === 'hmac') return { tokenizer: 'hmac', epochs: [{ epoch: consortium.epoch }] };
  const file = layout.tokenAuthorityPaths(keysDir).oprfKeysPub;
  const parsed = publicEpochs.safeParse(await readJsonFile(file));
  if (!parsed.success) {
    throw new BrokerError('KEYS_MALFORMED', `${file}: expected {epochs: [{epoch, retireAt?}]}`, {
      cause: parsed.error,
      hint: 'copy oprf-keys.pub.json from the token authority',
      details: { path: file },
    });
  }
  return oprfEpochPolicy(parsed.data.epochs);
}
