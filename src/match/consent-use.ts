/**
 * One use of a consent by a match or screen job (DESIGN §4 "every job re-checks the consent when it
 * runs", §6): checkUsable (state, expiry, start, purpose, groups, frequency), the output the purpose
 * allows (a records purpose never screens, an aggregate purpose never releases records), then the
 * atomic count of the use, once per job: a retried job neither counts twice nor is refused by
 * its own earlier use.
 */
import { BrokerError } from '../errors.js';
import { checkUsable } from '../consent/usage.js';
import { purposeSpec } from '../consent/purposes.js';
import type { PurposeRegistry, PurposeSpec } from '../consent/purposes.js';
import type { ConsentPort, StoredConsent } from './ports.js';

export interface UseArgs {
  consentId: string;
  jobId: string;
  requester: string;
  output: 'records' | 'aggregate';
  /** The purpose the requester states, when it states one. */
  purpose?: string;
  groups: readonly string[];
  now: Date;
}

export interface ConsentInUse {
  consent: StoredConsent;
  spec: Readonly<PurposeSpec>;
}

/**
 * Checks and counts one use. Throws every CONSENT_* code of checkUsable, CONSENT_WRONG_PURPOSE when
 * the purpose's output is not `args.output` or the purpose is no longer in the registry.
 */
export async function useConsent(
  consents: ConsentPort,
  registry: PurposeRegistry,
  args: UseArgs,
): Promise<ConsentInUse> {
  const consent = await consents.get(args.consentId);
  const counted = consent?.countedJobs.has(args.jobId) === true;
  const usage =
    consent && counted ? { ...consent.usage, count: Math.max(0, consent.usage.count - 1) } : consent?.usage;
  const usable = checkUsable(consent?.body, consent?.state, usage, {
    now: args.now,
    requester: args.requester,
    purpose: args.purpose ?? consent?.body.purpose ?? '',
    requestedGroups: args.groups,
  });
  if (consent === undefined) throw new BrokerError('CONSENT_NOT_FOUND', 'no such consent');
  const { purpose, consentId } = consent.body;
  const spec = purposeSpec(registry, purpose);
  if (spec === undefined || spec.output !== args.output) {
    const wanted = args.output === 'records' ? 'a record-level purpose' : 'an aggregate purpose';
    throw new BrokerError(
      'CONSENT_WRONG_PURPOSE',
      `this request needs ${wanted}; the consent is for ${purpose}`,
      {
        details: { consentId, purpose },
        hint:
          args.output === 'records'
            ? 'use POST /v1/screens for screening consents'
            : 'use a portfolio_screening consent',
      },
    );
  }
  const outcome = await consents.countUse(
    consentId,
    args.jobId,
    usable.interval,
    consent.body.frequency.value,
    args.now,
  );
  if (outcome === 'exceeded') {
    throw new BrokerError(
      'CONSENT_FREQUENCY_EXCEEDED',
      `the consent allows ${consent.body.frequency.value} use(s) per ${consent.body.frequency.unit}`,
      {
        details: { consentId, frequency: consent.body.frequency, interval: usable.interval },
      },
    );
  }
  return { consent, spec };
}
