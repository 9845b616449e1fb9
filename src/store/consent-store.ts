/**
 * Redis repository of consents (DESIGN §4): the signed grant, the subject's tokens (sent beside it;
 * they never go into the log), the receipt of its `consent.granted` entry, the lifecycle state and
 * the usage. A consent's keys share one hash tag, so its use is counted in one Lua step.
 */
import type { ConsentBody } from '../consent/artefact.js';
import type { ConsentState, StoredStatus } from '../consent/lifecycle.js';
import type { ConsentUsage } from '../consent/usage.js';
import { BrokerError } from '../errors.js';
import type { ConsentPort, LogReceipt, StoredConsent, UseOutcome } from '../match/ports.js';
import type { SubjectTokens } from '../match/request.js';
import type { SignedObject } from '../signing/signed-object.js';
import type { MatchKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

export type CreateOutcome = 'created' | 'same' | 'conflict';

function corrupt(consentId: string): BrokerError {
  return new BrokerError('STORE_CORRUPT', `stored consent ${consentId} is unreadable`);
}

function stateFields(state: ConsentState): Record<string, string> {
  return {
    consentId: state.consentId,
    requester: state.requester,
    consentExpiry: state.consentExpiry,
    status: state.status,
    lastRequestAt: state.lastRequestAt ?? '',
    sequenced: state.sequenced ? '1' : '0',
  };
}

function stateOf(h: Record<string, string>): ConsentState {
  return {
    consentId: h.consentId ?? '',
    requester: h.requester ?? '',
    consentExpiry: h.consentExpiry ?? '',
    status: (h.status ?? 'ACTIVE') as StoredStatus,
    lastRequestAt: h.lastRequestAt ? h.lastRequestAt : null,
    sequenced: h.sequenced === '1',
  };
}

function usageOf(h: Record<string, string>): { usage: ConsentUsage; jobs: Set<string> } {
  const jobs = new Set(
    Object.keys(h)
      .filter((k) => k.startsWith('job:'))
      .map((k) => k.slice(4)),
  );
  return {
    usage: {
      interval: h.interval ?? null,
      count: Number(h.count ?? 0),
      total: Number(h.total ?? 0),
      lastUsedAt: h.lastUsedAt ?? null,
    },
    jobs,
  };
}

export class ConsentStore implements ConsentPort {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: MatchKeys,
  ) {}

  /** Stores a new consent (not yet usable: not sequenced). 'same' when this very grant is stored. */
  async create(
    signed: SignedObject<ConsentBody>,
    tokens: SubjectTokens,
    state: ConsentState,
  ): Promise<CreateOutcome> {
    const { consentId, requester } = signed.body;
    const doc = this.keys.consent(consentId);
    const text = JSON.stringify(signed);
    if (!(await this.client.hSetNX(doc, 'signed', text))) {
      return (await this.client.hGet(doc, 'signed')) === text ? 'same' : 'conflict';
    }
    await this.client.hSet(doc, 'tokens', JSON.stringify(tokens));
    await this.client.hSet(this.keys.consentState(consentId), stateFields(state));
    await this.client.zAdd(this.keys.consentsOf(requester), { score: Date.now(), value: consentId });
    return 'created';
  }

  /** Records the `consent.granted` receipt and makes the consent usable. */
  async markSequenced(consentId: string, receipt: LogReceipt): Promise<void> {
    await this.client.hSet(this.keys.consent(consentId), 'receipt', JSON.stringify(receipt));
    await this.client.hSet(this.keys.consentState(consentId), 'sequenced', '1');
  }

  /** Replaces the stored lifecycle state. */
  async setState(state: ConsentState): Promise<void> {
    await this.client.hSet(this.keys.consentState(state.consentId), stateFields(state));
  }

  /** The signed grant as stored, or undefined. */
  async signed(consentId: string): Promise<SignedObject<ConsentBody> | undefined> {
    const text = await this.client.hGet(this.keys.consent(consentId), 'signed');
    return text ? (JSON.parse(text) as SignedObject<ConsentBody>) : undefined;
  }

  /** The consent with state and usage, or undefined. Throws STORE_CORRUPT. */
  async get(consentId: string): Promise<StoredConsent | undefined> {
    const [doc, state, use] = await Promise.all([
      this.client.hGetAll(this.keys.consent(consentId)),
      this.client.hGetAll(this.keys.consentState(consentId)),
      this.client.hGetAll(this.keys.consentUsage(consentId)),
    ]);
    if (!doc.signed) return undefined;
    try {
      const signed = JSON.parse(doc.signed) as SignedObject<ConsentBody>;
      const { usage, jobs } = usageOf(use);
      return {
        body: signed.body,
        tokens: JSON.parse(doc.tokens ?? '{}') as SubjectTokens,
        receipt: doc.receipt ? (JSON.parse(doc.receipt) as LogReceipt) : { index: -1, leafHash: '' },
        state: stateOf(state),
        usage,
        countedJobs: jobs,
      };
    } catch {
      throw corrupt(consentId);
    }
  }

  async state(consentId: string): Promise<ConsentState | undefined> {
    const state = await this.client.hGetAll(this.keys.consentState(consentId));
    return state.consentId ? stateOf(state) : undefined;
  }

  async countUse(
    consentId: string,
    jobId: string,
    interval: string,
    limit: number,
    now: Date,
  ): Promise<UseOutcome> {
    const reply = await runScript(
      this.client,
      'consent-use-1',
      [this.keys.consentUsage(consentId)],
      [jobId, interval, String(limit), now.toISOString()],
    );
    if (reply === 1) return 'counted';
    if (reply === 2) return 'already-counted';
    if (reply === 0) return 'exceeded';
    throw new BrokerError('STORE_REPLY', 'consent-use returned an unexpected reply');
  }

  async noteOwners(consentId: string, owners: readonly string[]): Promise<void> {
    if (owners.length > 0) await this.client.sAdd(this.keys.consentOwners(consentId), [...owners]);
  }

  /** Owners whose records were released under the consent. */
  async owners(consentId: string): Promise<string[]> {
    return this.client.sMembers(this.keys.consentOwners(consentId));
  }

  /** The member's consent ids, newest first. */
  async idsOf(member: string, limit = 1000): Promise<string[]> {
    return this.client.zRange(this.keys.consentsOf(member), 0, limit - 1, { REV: true });
  }
}
