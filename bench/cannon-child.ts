/**
 * Load generator of the match bench, run as its own process so that its TLS and HTTP work does
 * not share an event loop with the server it measures (in one process every client-side
 * encryption and parse delays the server's replies and lands in the latency it reports).
 *
 * Usage: node --import tsx bench/cannon-child.ts PLAN.json → one JSON Load line on stdout.
 *
 * How the rate is kept. autocannon limits a rate per connection per second: at the top of each
 * second every connection may send its share again, so one instance at 200 req/s over 64
 * connections sends 64 requests at the same instant, once a second, and the rest back to back
 * as replies come in. That measures a burst, not a rate. The plan's rate is therefore split over
 * `instances` autocannon instances started 1000 / instances ms apart, each with its share of the
 * rate and of the connections: at 40 instances and 200 req/s, 5 requests every 25 ms. Latencies are taken
 * from every instance's `response` events (each response counted once), so the percentiles
 * below are exact over all requests, not merged estimates.
 *
 * The first `warmupSeconds` of the run are a warm-up that is not counted: the instances open
 * their connections (the mutual-TLS handshakes) then and keep them, as a member's system keeps
 * its connections to the broker, so the counted requests measure lookups, not handshakes.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export interface CannonPlan {
  url: string;
  tls: { cert: string; key: string; ca: string };
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Sent in turn, one per request; one body is sent to every request. */
  bodies: string[];
  seconds: number;
  /** Requests per second over all instances. */
  rate: number;
  /** Connections over all instances. */
  connections: number;
  /** autocannon instances, started evenly over one second. */
  instances: number;
  warmupSeconds: number;
}

export interface Load {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The q-quantile of ascending `sorted` (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** A response: when it came (ms, Date.now()) and how long it took (ms). */
interface Timed {
  at: number;
  ms: number;
}

function instance(
  plan: CannonPlan,
  seconds: number,
  share: number,
  body: () => string,
  into: Timed[],
): Promise<autocannon.Result> {
  const connections = Math.max(1, Math.round(plan.connections / plan.instances));
  return new Promise((resolve, reject) => {
    const run = autocannon(
      {
        url: plan.url,
        connections,
        duration: seconds,
        overallRate: share,
        // Latencies come from the response events below. (autocannon's own histogram "corrects"
        // for coordinated omission with an expected interval of ceil(1 / rate) ms, i.e. 1 ms, so
        // a 100 ms response would count a hundred times there.)
        ignoreCoordinatedOmission: true,
        tlsOptions: plan.tls,
        requests: [
          {
            method: plan.method,
            path: plan.path,
            headers: plan.headers,
            setupRequest: (request) => ({ ...request, body: body() }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    run.on('response', (_client, statusCode, _bytes, responseTime) => {
      into.push({ at: Date.now(), ms: statusCode >= 200 && statusCode < 300 ? responseTime : Number.NaN });
    });
  });
}

async function run(plan: CannonPlan, body: () => string): Promise<Load> {
  const responses: Timed[] = [];
  const runs: Array<Promise<autocannon.Result>> = [];
  const seconds = plan.warmupSeconds + plan.seconds;
  const counted = Date.now() + plan.warmupSeconds * 1000;
  for (let i = 0; i < plan.instances; i++) {
    const share = Math.floor(plan.rate / plan.instances) + (i < plan.rate % plan.instances ? 1 : 0);
    runs.push(instance(plan, seconds, share, body, responses));
    await sleep(1000 / plan.instances);
  }
  const results = await Promise.all(runs);
  // The last instance starts one second after the first and runs as long: the counted window is
  // `plan.seconds` long from the end of the warm-up of the first.
  const until = counted + plan.seconds * 1000;
  const window = responses.filter((r) => r.at >= counted && r.at < until);
  const latencies = window
    .map((r) => r.ms)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  return {
    rps: window.length / plan.seconds,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    requests: window.length,
    non2xx: window.length - latencies.length,
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

const plan = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as CannonPlan;
let next = 0;
const body = (): string => plan.bodies[next++ % plan.bodies.length] as string;
process.stdout.write(`${JSON.stringify(await run(plan, body))}\n`);
