// ConsoleApi against a real HTTP server: a change file's name and body, the server's error as ApiError, and report URLs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ConsoleApi } from './console-api.ts';

let server: Server;
let api: ConsoleApi;
const seen: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (req.url === '/api/admin/faq-drafts/3/change') {
        res.writeHead(200, { 'content-type': 'application/yaml', 'content-disposition': 'attachment; filename="kb-change-draft-3.yaml"' });
        res.end('changes: []\n');
      } else if (req.url === '/api/admin/unanswered/change') {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'unknown_entry', message: 'entry billing.nope does not exist', field: 'changes' } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ conversations: 0 }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new ConsoleApi(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ConsoleApi', () => {
  it('posts a draft change and returns the YAML with the name the server gave it', async () => {
    const change = { changes: [{ addQuestions: { entry: 'billing.due', lang: 'zh' as const, questions: ['几号交费'] } }] };
    const file = await api.faqDraftChange(3, change);
    expect(file.name).toBe('kb-change-draft-3.yaml');
    expect(await file.blob.text()).toBe('changes: []\n');
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/api/admin/faq-drafts/3/change', body: JSON.stringify({ change }) });
  });

  it('turns a refused change into ApiError with the server’s code and message', async () => {
    const err = await api.unansweredChange({ changes: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'unknown_entry', message: 'entry billing.nope does not exist' });
  });

  it('asks for a report by range and builds the CSV link of the same range', async () => {
    expect(await api.reports('2025-01-01', '2025-01-08')).toEqual({ conversations: 0 });
    expect(seen.at(-1)?.url).toBe('/api/admin/reports?from=2025-01-01&to=2025-01-08');
    expect(api.reportsCsvUrl('2025-01-01', '2025-01-08')).toBe(`${api.base}/api/admin/reports.csv?from=2025-01-01&to=2025-01-08`);
  });
});
