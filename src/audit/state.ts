/**
 * The auditor's state between runs (DESIGN §5 "an auditor keeps its last checkpoint"): the last
 * verified checkpoint note, the RFC 9162 frontier of the replayed tree (so the next run appends
 * only new entries), and what the rules need to judge later entries: each consent's terms, stored
 * lifecycle state and calendar-interval usage, and digests of the disclosures seen. Compact: no
 * entry text is kept; a disclosure costs 16 base64 characters of one packed string (version 2;
 * version 1 kept a JSON list of base64url digests, 3 characters more each, and is still read).
 *
 * Read as hostile input (the file may be edited): parsed with a strict zod schema.
 */
import { z } from 'zod';
import type { ConsentBody } from '../consent/artefact.js';
import type { ConsentState } from '../consent/lifecycle.js';
import { BrokerError } from '../errors.js';
import { fromBase64url } from '../util/bytes.js';
import { DIGEST_BYTES, digestsFromBase64, digestsToBase64 } from './digest-set.js';

export const AUDIT_STATE_VERSION = 2;

/** A consent as the rules remember it. */
export interface ConsentRecord {
  /** Index and hex leaf hash of its `consent.granted` entry. */
  index: number;
  leafHash: string;
  body: ConsentBody;
  state: ConsentState;
  /** Calendar interval (usage.ts intervalKey) of the jobs below. */
  interval: string | null;
  /** Jobs that used the consent in `interval` (a job counts once, whatever it disclosed). */
  jobs: string[];
  /** Uses over the consent's life. */
  total: number;
}

export interface AuditState {
  version: typeof AUDIT_STATE_VERSION;
  /** The last verified checkpoint note, verbatim. */
  checkpoint: string;
  size: number;
  /** Base64 root of that checkpoint. */
  root: string;
  /** Base64 hashes of the tree's frontier at `size` (tree-nodes.ts frontierNodeIds). */
  frontier: string[];
  consents: Record<string, ConsentRecord>;
  /**
   * Base64 of the 12-byte digests of (jobId, owner, recordId) of every disclosure seen, packed
   * (digest-set.ts).
   */
  disclosures: string;
  /** Entries seen per kind, for the report. */
  counts: Record<string, number>;
  /** Disclosures per "requester → owner", for the report. */
  flows: Record<string, number>;
}

const hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const commonSchema = z
  .object({
    checkpoint: z.string().max(128 * 1024),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    root: hash,
    frontier: z.array(hash).max(64),
    consents: z.record(
      z.string(),
      z
        .object({
          index: z.number().int().min(0),
          leafHash: z.string().regex(/^[0-9a-f]{64}$/),
          body: z.record(z.string(), z.unknown()),
          state: z.record(z.string(), z.unknown()),
          interval: z.string().nullable(),
          jobs: z.array(z.string()),
          total: z.number().int().min(0),
        })
        .strict(),
    ),
    counts: z.record(z.string(), z.number().int().min(0)),
    flows: z.record(z.string(), z.number().int().min(0)),
  })
  .strict();

const stateSchema = z.discriminatedUnion('version', [
  commonSchema.extend({
    version: z.literal(AUDIT_STATE_VERSION),
    disclosures: z.string().refine((text) => digestsFromBase64(text) !== undefined, {
      message: 'must be base64 of whole 12-byte digests',
    }),
  }),
  commonSchema.extend({
    version: z.literal(1),
    disclosures: z.array(z.string().regex(/^[A-Za-z0-9_-]{16}$/)),
  }),
]);

/** The state of an auditor that has seen nothing (trust on first use follows). */
export function emptyRules(): Pick<AuditState, 'consents' | 'disclosures' | 'counts' | 'flows'> {
  return { consents: {}, disclosures: '', counts: {}, flows: {} };
}

/** Parses a state file's text. Throws AUDIT_STATE_INVALID naming the first bad path. */
export function parseAuditState(text: string): AuditState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'bad shape'}`);
  }
  const data = parsed.data;
  if (data.version === AUDIT_STATE_VERSION) {
    // The consent bodies were parsed by parseConsentEntry when first seen; the file is ours.
    return data as unknown as AuditState;
  }
  // Version 1: the same digests, one base64url string each; packed, they are version 2.
  const packed = new Uint8Array(data.disclosures.length * DIGEST_BYTES);
  data.disclosures.forEach((key, i) => packed.set(fromBase64url(key, DIGEST_BYTES), i * DIGEST_BYTES));
  return {
    ...(data as unknown as AuditState),
    version: AUDIT_STATE_VERSION,
    disclosures: digestsToBase64(packed),
  };
}

/** The state file's text. */
export function formatAuditState(state: AuditState): string {
  return `${JSON.stringify(state)}\n`;
}

function invalid(message: string): BrokerError {
  return new BrokerError('AUDIT_STATE_INVALID', `the audit state file is invalid: ${message}`, {
    hint: 'restore it from a backup, or delete it to start over (trust on first use again)',
  });
}

/** A shallow-enough copy that the rules can mutate without touching the saved state. */
export function cloneRules(state: Pick<AuditState, 'consents' | 'disclosures' | 'counts' | 'flows'>) {
  return structuredClone({
    consents: state.consents,
    disclosures: state.disclosures,
    counts: state.counts,
    flows: state.flows,
  });
}
