/**
 * Notices a Redis that keeps its connection open but answers nothing (a stopped process, a
 * runaway script): no connection error reports that, and the store client carries no timeout per
 * command (node-redis would arm one AbortSignal timer for each of them, about a third of a
 * millisecond of broker CPU per lookup as measured by bench/match.ts). Instead one PING goes out
 * every `intervalMs`; when one stays unanswered for `stallMs`, the watchdog drops the connection
 * and opens it again. Commands in flight then fail at once (the API answers 503, jobs retry),
 * and while the new connection waits for Redis the client is not ready, so new requests get 503
 * at the gate instead of hanging. When Redis answers again, the client is ready by itself.
 */
import type { RedisClient } from './redis.js';

export interface RedisWatchdogOptions {
  /** How often a PING goes out. Default 1000 ms. */
  readonly intervalMs?: number;
  /** How long a PING may stay unanswered before the connection is dropped. Default 5000 ms. */
  readonly stallMs?: number;
  /** Told each time a stall is noticed, with how long the PING has waited. */
  readonly onStall?: (waitedMs: number) => void;
}

export class RedisWatchdog {
  readonly #client: RedisClient;
  readonly #intervalMs: number;
  readonly #stallMs: number;
  readonly #onStall: (waitedMs: number) => void;
  #timer: NodeJS.Timeout | undefined;
  /** When the unanswered PING went out; undefined when none is out. */
  #pingSince: number | undefined;

  constructor(client: RedisClient, options: RedisWatchdogOptions = {}) {
    this.#client = client;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#stallMs = options.stallMs ?? 5000;
    this.#onStall = options.onStall ?? (() => undefined);
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = Date.now();
    if (this.#pingSince !== undefined) {
      const waited = now - this.#pingSince;
      if (waited < this.#stallMs) return;
      this.#pingSince = undefined;
      this.#onStall(waited);
      this.#reconnect();
      return;
    }
    // A client that is not ready already fails commands at once (no offline queue).
    if (!this.#client.isReady) return;
    const sent = now;
    this.#pingSince = sent;
    this.#client.ping().then(
      () => this.#answered(sent),
      () => this.#answered(sent),
    );
  }

  #answered(sent: number): void {
    if (this.#pingSince === sent) this.#pingSince = undefined;
  }

  #reconnect(): void {
    if (!this.#client.isOpen) return;
    this.#client.destroy();
    this.#client.connect().catch(() => undefined);
  }
}
