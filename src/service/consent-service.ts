/**
 * Granting, pausing, resuming, revoking and listing consents at the broker (DESIGN §4), over the
 * consent domain (src/consent), the consent store and the log. A grant is stored unusable, logged
 * as `consent.granted`, and made usable only once its entry is sequenced; a lifecycle change is
 * logged before it takes effect; a revocation is told to every owner whose records were released
 * under the consent (DESIGN §3 "tells the owner about every release", §4).
 */
import type { ConsentBody } from '../consent/artefact.js';
import { verifyConsentGrant } from '../consent/bounds.js';
import {
  applyTransition,
  consentStatus,
  initialState,
  LIFECYCLE_REQUEST_TYPES,
} from '../consent/lifecycle.js';
import type { ConsentStatus } from '../consent/lifecycle.js';
import { consentChangedEntry, consentGrantedEntry } from '../consent/log-entries.js';
import type { PurposeRegistry } from '../consent/purposes.js';
import { verifySubjectOpening } from '../consent/subject.js';
import type { ConsentUsage } from '../consent/usage.js';
import { isPlainObject } from '../envelope/format.js';
import { BrokerError } from '../errors.js';
import type { Party } from '../ingest/manifest.js';
import type { EventPort, FullReceipt, LogAppender, LogReceipt } from '../match/ports.js';
import type { ConsentStore } from '../store/consent-store.js';
import { verifySignedObject } from '../signing/signed-object.js';
import type { VerifyOptions } from '../signing/signed-object.js';

export interface ConsentServiceDeps {
  registry: PurposeRegistry;
  store: ConsentStore;
  log: LogAppender;
  events: EventPort;
  verifyOptions: () => VerifyOptions;
  now: () => Date;
}

export interface ConsentView {
  consentId: string;
  purpose: string;
  dataGroups: string[];
  sources: '*' | string[];
  consentStart: string;
  consentExpiry: string;
  status: ConsentStatus;
  usable: boolean;
  usage: ConsentUsage;
  receipt: LogReceipt;
}

const LIFECYCLE_TYPES: readonly string[] = Object.values(LIFECYCLE_REQUEST_TYPES);

function notFound(): BrokerError {
  return new BrokerError('CONSENT_NOT_FOUND', 'you hold no consent with this id', {
    hint: 'use the consentId that POST /v1/consents answered',
  });
}

export class ConsentService {
  constructor(private readonly deps: ConsentServiceDeps) {}

  /**
   * Accepts a grant `{consent: signed consent.grant, subject: {salt, tokens}}` from `caller`.
   * Throws SIG_*, every CONSENT_* grant code, CONSENT_SIGNER_MISMATCH when the caller is not the
   * requester, CONSENT_CONFLICT when the id is taken by another grant, and the log's codes.
   */
  async grant(caller: Party, request: unknown): Promise<{ consentId: string; receipt: FullReceipt }> {
    if (!isPlainObject(request)) {
      throw new BrokerError('CONSENT_MALFORMED', 'send {consent, subject}', { hint: 'see /openapi.json' });
    }
    const now = this.deps.now();
    const signed = verifyConsentGrant(request.consent, this.deps.verifyOptions(), this.deps.registry, now);
    if (signed.body.requester !== caller.id) {
      throw new BrokerError('CONSENT_SIGNER_MISMATCH', 'a member registers only consents it requested', {
        field: 'requester',
      });
    }
    const tokens = verifySubjectOpening(signed.body.subject, request.subject);
    const { consentId } = signed.body;
    const outcome = await this.deps.store.create(signed, tokens, initialState(signed.body));
    if (outcome === 'conflict') {
      throw new BrokerError('CONSENT_CONFLICT', `consent ${consentId} exists with other content`, {
        hint: 'a consent is immutable: grant a new one with a fresh consentId',
      });
    }
    const stored = outcome === 'same' ? await this.deps.store.get(consentId) : undefined;
    if (stored?.state.sequenced) return { consentId, receipt: stored.receipt };
    const entry = consentGrantedEntry(signed, now);
    const receipt = await this.deps.log.appendEntry('consent.granted', { ...entry });
    await this.deps.store.markSequenced(consentId, { index: receipt.index, leafHash: receipt.leafHash });
    return { consentId, receipt };
  }

  /**
   * Applies a signed `consent.pause|resume|revoke` of `caller` to `consentId`. Throws SIG_*,
   * CONSENT_NOT_FOUND, every lifecycle code (CONSENT_REVOKED, CONSENT_ALREADY_PAUSED, …).
   */
  async change(
    caller: Party,
    consentId: string,
    request: unknown,
  ): Promise<{ status: ConsentStatus; receipt: FullReceipt }> {
    const type = isPlainObject(request) ? request.type : undefined;
    if (typeof type !== 'string' || !LIFECYCLE_TYPES.includes(type)) {
      throw new BrokerError('CONSENT_MALFORMED', `send a signed ${LIFECYCLE_TYPES.join(' | ')}`, {
        field: 'type',
      });
    }
    const verified = verifySignedObject(request, { ...this.deps.verifyOptions(), expectedType: type });
    const stored = await this.deps.store.get(consentId);
    if (stored === undefined || stored.body.requester !== caller.id) throw notFound();
    const now = this.deps.now();
    const next = applyTransition(stored.state, verified, now);
    const entry = consentChangedEntry(verified, now);
    const receipt = await this.deps.log.appendEntry(entry.kind, { ...entry });
    await this.deps.store.setState(next);
    if (next.status === 'REVOKED') await this.tellOwners(stored.body, now);
    return { status: consentStatus(next, now), receipt };
  }

  /** The caller's consents with state and usage, newest first. */
  async list(caller: Party): Promise<ConsentView[]> {
    const ids = await this.deps.store.idsOf(caller.id);
    const now = this.deps.now();
    const all = await Promise.all(ids.map((id) => this.deps.store.get(id)));
    return all.flatMap((c) => {
      if (c === undefined) return [];
      const status = consentStatus(c.state, now);
      const b = c.body;
      return [
        {
          consentId: b.consentId,
          purpose: b.purpose,
          dataGroups: b.dataGroups,
          sources: b.sources,
          consentStart: b.consentStart,
          consentExpiry: b.consentExpiry,
          status,
          usable: status === 'ACTIVE' && c.state.sequenced,
          usage: c.usage,
          receipt: c.receipt,
        },
      ];
    });
  }

  private async tellOwners(body: ConsentBody, now: Date): Promise<void> {
    const owners = await this.deps.store.owners(body.consentId);
    await Promise.all(
      owners.map((owner) =>
        this.deps.events.publish(owner, {
          type: 'consent.revoked',
          at: now.toISOString(),
          requester: body.requester,
          purpose: body.purpose,
          consentId: body.consentId,
        }),
      ),
    );
  }
}
