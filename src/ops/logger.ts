/**
 * JSON logs (pino). What may be logged: ids (job, batch, upload, member), counts, codes and
 * durations. Never a token, index key, envelope, header value or request body (DESIGN §7: no PII);
 * the redact list is a second line of defence, not the first.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'blindbroker' },
    redact: { paths: ['req.headers', 'tokens', 'envelope', 'body'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
