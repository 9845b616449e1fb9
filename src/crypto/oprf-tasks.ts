/**
 * The three RFC 9497 §3.3.2 VOPRF steps (Blind, BlindEvaluate with a batch proof, Finalize) as
 * plain, structured-cloneable tasks, so that the same code runs inline or on a worker thread
 * (oprf-pool.ts). Errors cross the thread boundary as {code, message, hint, details} and become
 * BrokerErrors again on the other side.
 */
import { BrokerError } from '../errors.js';
import { blindBatch, blindEvaluateBatch, finalizeBatch } from './oprf.js';
import type { BlindedBatch, EvaluatedBatch, OprfKeyPair } from './oprf.js';

export type OprfTask =
  | { op: 'blind'; inputs: Uint8Array[] }
  | { op: 'evaluate'; keyPair: OprfKeyPair; blinded: Uint8Array[] }
  | {
      op: 'finalize';
      inputs: Uint8Array[];
      request: BlindedBatch;
      response: EvaluatedBatch;
      publicKey: Uint8Array;
    };

export type OprfTaskResult = BlindedBatch | EvaluatedBatch | Uint8Array[];

export interface SerializedError {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** Runs one task on this thread. Throws what the underlying step throws (see oprf.ts). */
export function runOprfTask(task: OprfTask): OprfTaskResult {
  switch (task.op) {
    case 'blind':
      return blindBatch(task.inputs);
    case 'evaluate':
      return blindEvaluateBatch(task.keyPair, task.blinded);
    case 'finalize':
      return finalizeBatch(task.inputs, task.request, task.response, task.publicKey);
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof BrokerError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.details ? { details: err.details } : {}),
    };
  }
  return { code: 'OPRF_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(err: SerializedError): BrokerError {
  return new BrokerError(err.code, err.message, {
    ...(err.hint ? { hint: err.hint } : {}),
    ...(err.details ? { details: err.details } : {}),
  });
}
