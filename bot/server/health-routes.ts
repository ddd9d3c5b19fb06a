// GET /healthz: the service is up, which knowledge base it serves, and why the last reload failed if it did.
import { Hono } from 'hono';
import type { AppEnv } from '../../handoff/index.ts';
import type { KnowledgeRuntime } from './knowledge-runtime.ts';

export function healthRoutes(runtime: KnowledgeRuntime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => {
    const { entries, version, error } = runtime.status();
    const kb = error
      ? { entries, version, error: { file: error.file, line: error.line, col: error.col, message: error.message, at: error.at } }
      : { entries, version };
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, kb });
  });
  return app;
}
