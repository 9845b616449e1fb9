/**
 * Consent and owner-policy routes (DESIGN §3, §4, §7): grant (a signed `consent.grant` with the
 * subject's tokens beside it), pause / resume / revoke (signed requests), list with state and
 * usage, and the owner's policy (`PUT /v1/policy`, a signed `policy.set`). Thin adapters onto
 * ConsentService and PolicyService; every write answers with its log receipt.
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { BrokerError } from '../../errors.js';
import type { Matching } from '../../service/matching.js';
import { checkConsentId } from '../../match/request.js';
import { requireRole } from '../auth.js';
import type { AppDeps } from '../deps.js';

/** Signed objects are small: commitments and rules, never data. */
const jsonBody = express.json({ limit: '256kb', type: () => true });

/** The matching services. Throws MATCHING_UNAVAILABLE when this broker has none wired. */
export function matchingOf(deps: AppDeps): Matching {
  if (!deps.matching) {
    throw new BrokerError('MATCHING_UNAVAILABLE', 'this broker process does not serve consents or matching');
  }
  return deps.matching;
}

export function consentRoutes(router: Router, deps: AppDeps): void {
  router.post('/v1/consents', jsonBody, async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const out = await matchingOf(deps).consents.grant(caller, req.body);
    deps.logger.info(
      { member: caller.id, consentId: out.consentId, index: out.receipt.index },
      'consent granted',
    );
    res.status(201).json(out);
  });

  router.get('/v1/consents', async (_req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    res.json({ consents: await matchingOf(deps).consents.list(caller) });
  });

  for (const action of ['pause', 'resume', 'revoke'] as const) {
    router.post(`/v1/consents/:consentId/${action}`, jsonBody, async (req: Request, res: Response) => {
      const caller = requireRole(res, 'member');
      const consentId = checkConsentId(req.params.consentId, 'BAD_ID');
      const body = req.body as { type?: unknown } | undefined;
      if (body?.type !== `consent.${action}`) {
        throw new BrokerError('CONSENT_MALFORMED', `send a signed consent.${action} to this route`, {
          field: 'type',
        });
      }
      const out = await matchingOf(deps).consents.change(caller, consentId, req.body);
      deps.logger.info({ member: caller.id, consentId, action, index: out.receipt.index }, 'consent changed');
      res.json({ consentId, ...out });
    });
  }

  router.put('/v1/policy', jsonBody, async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const out = await matchingOf(deps).policies.put(caller, req.body);
    deps.logger.info({ member: caller.id, version: out.version, index: out.receipt.index }, 'policy set');
    res.json(out);
  });

  router.get('/v1/policy', async (_req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    res.json(await matchingOf(deps).policies.get(caller));
  });
}
