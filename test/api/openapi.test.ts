/** The OpenAPI document lists exactly the routes Express registers, and errors are RFC 9457 problems. */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { createApp } from '../../src/api/app.js';
import type { AppDeps } from '../../src/api/deps.js';
import { openApiDocument } from '../../src/api/openapi.js';
import { statusOf } from '../../src/api/problem.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

describe('OpenAPI document', () => {
  it('when the app is built, then every registered route is documented and every documented route exists', () => {
    const deps = {
      config: configSchema.parse({}),
      logger: createLogger('silent'),
      metrics: createMetrics(false),
    } as unknown as AppDeps;
    const app = createApp(deps);
    const documented = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(registeredRoutes(app), documented);
  });

  it('when a code is unknown to the status table, then it maps to 500; known codes keep their status', () => {
    assert.equal(statusOf('BODY_TOO_LARGE'), 413);
    assert.equal(statusOf('REDIS_UNAVAILABLE'), 503);
    assert.equal(statusOf('SOMETHING_ELSE'), 500);
  });
});
