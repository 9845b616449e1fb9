/**
 * The demo's Redis: the one at REDIS_URL if it answers; otherwise, when `redis-server` is
 * installed, a private in-memory one on a free port that is stopped at the end; otherwise a clear
 * error saying how to get Redis.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { BrokerError } from '../errors.js';

export interface DemoRedis {
  url: string;
  /** True when the demo started this Redis itself. */
  private: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * @throws BrokerError REDIS_UNAVAILABLE when nothing answers and redis-server is not installed
 */
export async function ensureRedis(url: string): Promise<DemoRedis> {
  if (await answers(url)) return { url, private: false, stop: () => Promise.resolve() };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new BrokerError(
      'REDIS_UNAVAILABLE',
      `no Redis answers at ${url} and redis-server is not installed`,
      {
        hint:
          'install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) and start it ' +
          '(redis-server --port 6379), or point REDIS_URL at a running Redis',
      },
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answers(privateUrl)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await answers(privateUrl))) {
    child.kill('SIGKILL');
    throw new BrokerError('REDIS_UNAVAILABLE', `the private redis-server on port ${port} did not start`);
  }
  return {
    url: privateUrl,
    private: true,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
