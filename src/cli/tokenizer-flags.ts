/**
 * `--tokenizer hmac|oprf` and `--authority URL`, shared by the member commands that tokenize
 * (DESIGN §2): the mode defaults to consortium.json's `tokenizer`, the authority URL to
 * BLINDBROKER_TOKEN_AUTHORITY_URL (see openMemberTokenizer).
 */
import { Option, type Command } from 'commander';
import { loadConsortium } from '../keys/load.js';
import { AUTHORITY_URL_ENV } from '../tokenize/member-tokenizer.js';

export type TokenizerMode = 'hmac' | 'oprf';

export interface TokenizerFlags {
  tokenizer?: TokenizerMode;
  authority?: string;
}

/** Adds the two options to `command`. */
export function withTokenizerFlags(command: Command): Command {
  return command
    .addOption(
      new Option('--tokenizer <mode>', 'tokenizer mode (default: consortium.json)').choices(['hmac', 'oprf']),
    )
    .option('--authority <url>', `token authority URL, oprf mode (default: $${AUTHORITY_URL_ENV})`);
}

/** The mode to use: the flag, else the consortium's. Throws KEYS_MISSING / KEYS_MALFORMED. */
export async function tokenizerMode(keysDir: string, flags: TokenizerFlags): Promise<TokenizerMode> {
  return flags.tokenizer ?? (await loadConsortium(keysDir)).tokenizer;
}
