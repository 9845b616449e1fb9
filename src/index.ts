/** The public API of the blindbroker package: what lenders and operators import. */
export { MemberClient } from './client/member-client.js';
export type {
  JobStatus,
  MemberClientOptions,
  SubmitAccepted,
  SubmitOptions,
  WaitOptions,
} from './client/member-client.js';
export { BrokerError, isBrokerError } from './errors.js';
export { loadConfig } from './config/load.js';
export type { Config } from './config/schema.js';
export { startServer } from './api/server.js';
export type { RunningServer, ServerOptions } from './api/server.js';
export type { IngestResult } from './ingest/ingest-batch.js';
export type { Reject } from './ingest/record.js';
export type { SubmissionSummary } from './store/record-store.js';
