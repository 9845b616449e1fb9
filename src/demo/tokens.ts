/**
 * The demo's tokenizers (DESIGN §2), one place for every demo step that tokenizes: in hmac mode each
 * member's tokenizer comes from its unwrapped consortium secret; in oprf mode an in-process token
 * authority (RFC 9497 VOPRF, mutual TLS, port 0) evaluates for every member, as the separately
 * operated authority would.
 */
import { Writable } from 'node:stream';
import { loadMemberIdentity, unwrapTokenSecret } from '../keys/load.js';
import type { HmacSecretSource, TokenizerSource } from '../member/prepare.js';
import { createLogger } from '../ops/logger.js';
import { startTokenAuthority, type RunningTokenAuthority } from '../token-authority/server.js';
import { openMemberTokenizer, type ClosableTokenizer } from '../tokenize/member-tokenizer.js';

export type DemoTokenizerMode = 'hmac' | 'oprf';

export interface DemoTokens {
  mode: DemoTokenizerMode;
  /** The token authority's URL (oprf mode). */
  authorityUrl: string | undefined;
  /** The member's tokenizer, opened once; closed by stop(). */
  tokenizerFor(member: string): Promise<ClosableTokenizer>;
  /** What prepareBatch needs: hmac mode hands the secret to its row threads (the fast path). */
  prepareSource(member: string): Promise<HmacSecretSource | TokenizerSource>;
  stop(): Promise<void>;
}

/** Starts the token authority in oprf mode (its log lines go to `logs`). Throws KEYS_* errors. */
export async function startDemoTokens(
  keysDir: string,
  mode: DemoTokenizerMode,
  logs: string[],
): Promise<DemoTokens> {
  let authority: RunningTokenAuthority | undefined;
  if (mode === 'oprf') {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    authority = await startTokenAuthority({ keysDir, port: 0, logger: createLogger('info', sink) });
  }
  const open = new Map<string, Promise<ClosableTokenizer>>();
  const tokenizerFor = (member: string): Promise<ClosableTokenizer> => {
    let tokenizer = open.get(member);
    if (tokenizer === undefined) {
      // Make sure the member exists before opening (a clear KEYS_* error instead of a TLS one).
      tokenizer = loadMemberIdentity(keysDir, member).then(() =>
        openMemberTokenizer(keysDir, member, { mode, ...(authority ? { authorityUrl: authority.url } : {}) }),
      );
      open.set(member, tokenizer);
    }
    return tokenizer;
  };
  return {
    mode,
    authorityUrl: authority?.url,
    tokenizerFor,
    async prepareSource(member) {
      if (mode === 'oprf') return { tokenizer: await tokenizerFor(member) };
      const secret = await unwrapTokenSecret(keysDir, member);
      return { consortiumId: secret.consortiumId, epoch: secret.epoch, tokenSecret: secret.secret };
    },
    async stop() {
      const opened = await Promise.allSettled(open.values());
      open.clear();
      for (const t of opened) if (t.status === 'fulfilled') await t.value.close();
      await authority?.stop();
    },
  };
}
