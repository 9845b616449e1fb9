/**
 * The member's tokenizer for its consortium (DESIGN §2): the mode comes from consortium.json
 * (`tokenizer: "hmac" | "oprf"`) unless the caller overrides it (a `--tokenizer` flag). hmac mode
 * unwraps the consortium secret; oprf mode (RFC 9497) talks to the token authority at `authorityUrl`
 * (or BLINDBROKER_TOKEN_AUTHORITY_URL), pinning the key in token-authority/oprf-keys.pub.json when the
 * member holds that file.
 */
import { BrokerError } from '../errors.js';
import { exists, readJsonFile } from '../keys/files.js';
import * as layout from '../keys/layout.js';
import { loadConsortium, unwrapTokenSecret } from '../keys/load.js';
import type { PublicOprfKeys } from '../token-authority/key-files.js';
import { fromBase64url } from '../util/bytes.js';
import { TokenAuthorityClient } from './authority-client.js';
import { HmacTokenizer } from './hmac-tokenizer.js';
import { OprfTokenizer } from './oprf-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

export const AUTHORITY_URL_ENV = 'BLINDBROKER_TOKEN_AUTHORITY_URL';

export interface MemberTokenizerOptions {
  mode?: 'hmac' | 'oprf';
  authorityUrl?: string;
  epoch?: number;
  cacheFile?: string;
  threads?: number;
}

export interface ClosableTokenizer extends Tokenizer {
  close(): Promise<void>;
}

async function pinnedKey(keysDir: string, epoch: number | undefined): Promise<Uint8Array | undefined> {
  const file = layout.tokenAuthorityPaths(keysDir).oprfKeysPub;
  if (!(await exists(file))) return undefined;
  const pub = (await readJsonFile(file)) as PublicOprfKeys;
  const entry = pub.epochs?.find((e) => e.epoch === (epoch ?? pub.current));
  return entry ? fromBase64url(entry.publicKey, 32) : undefined;
}

/**
 * Opens the member's tokenizer. Throws KEYS_* for missing keys, TA_URL_MISSING in oprf mode without
 * an authority URL, and what HmacTokenizer / OprfTokenizer.create throw.
 */
export async function openMemberTokenizer(
  keysDir: string,
  memberId: string,
  options: MemberTokenizerOptions = {},
): Promise<ClosableTokenizer> {
  const consortium = await loadConsortium(keysDir);
  const mode = options.mode ?? consortium.tokenizer;
  if (mode === 'hmac') {
    const { consortiumId, epoch, secret } = await unwrapTokenSecret(keysDir, memberId);
    const tokenizer = new HmacTokenizer({ consortiumSecret: secret, consortiumId, epoch });
    secret.fill(0);
    return Object.assign(tokenizer, { close: () => Promise.resolve() });
  }
  const url = options.authorityUrl ?? process.env[AUTHORITY_URL_ENV];
  if (!url) {
    throw new BrokerError('TA_URL_MISSING', 'oprf mode needs the token authority’s URL', {
      hint: `pass --authority <url> or set ${AUTHORITY_URL_ENV}`,
    });
  }
  const authority = await TokenAuthorityClient.fromKeys(keysDir, memberId, url);
  const publicKey = await pinnedKey(keysDir, options.epoch);
  try {
    const tokenizer = await OprfTokenizer.create({
      authority,
      ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
      ...(publicKey === undefined ? {} : { publicKey }),
      ...(options.cacheFile === undefined ? {} : { cacheFile: options.cacheFile }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    const close = tokenizer.close.bind(tokenizer);
    return Object.assign(tokenizer, {
      close: async () => {
        await close();
        authority.close();
      },
    });
  } catch (err) {
    authority.close();
    throw err;
  }
}
