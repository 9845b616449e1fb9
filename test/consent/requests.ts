/**
 * Lifecycle requests for the consent suites (DESIGN §4). Domain functions take requests whose
 * signature the caller has already verified, so most tests use unsigned stand-ins; log-entries
 * tests sign for real.
 */
import type { PartyRole } from '../../src/crypto/pki.js';
import type { LifecycleAction, LifecycleRequestBody } from '../../src/consent/lifecycle.js';
import { LIFECYCLE_REQUEST_TYPES } from '../../src/consent/lifecycle.js';
import type { SignedObject } from '../../src/signing/signed-object.js';

let counter = 0;

/** A fresh request id (a UUID that differs per call). */
export function requestId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export function requestBody(
  consentId: string,
  at: Date,
  extra: Partial<LifecycleRequestBody> = {},
): LifecycleRequestBody {
  return { consentId, requestId: requestId(), at: at.toISOString(), ...extra };
}

/** An unsigned stand-in for a verified signed request. */
export function unsigned(
  action: LifecycleAction,
  body: unknown,
  signer: { role: PartyRole; id: string } = { role: 'member', id: 'tencent' },
): SignedObject<unknown> {
  return {
    type: LIFECYCLE_REQUEST_TYPES[action],
    body,
    signer,
    keyId: '0'.repeat(64),
    alg: 'PS256',
    sig: 'AA',
  };
}
