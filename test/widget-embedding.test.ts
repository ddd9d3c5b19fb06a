// The visitor API for sites embedding the widget from another host (WIDGET_ALLOWED_ORIGINS), over real HTTP:
// listed origins get CORS (preflights, the chat, the stream), others are refused without a 5xx, and the
// agent API stays same-origin. The browser side is test/browser/widget-cross-site.browser.test.ts.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../bot/server/config.ts';
import { useTestServer } from './service-kit.ts';

const SITE = 'https://www.example-telecom.cn';
const OTHER = 'https://evil.example.net';
let base: string;
useTestServer('widget-embedding-', { env: { WIDGET_ALLOWED_ORIGINS: `${SITE}, http://localhost:8080` }, started: (s) => (base = s.url) });

const preflight = (path: string, origin: string, headers = 'content-type') =>
  fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

describe('embedding the widget on another site', () => {
  it('answers preflights of the visitor API for listed origins only', async () => {
    const ok = await preflight('/api/chat', SITE, 'content-type, authorization');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    for (const path of ['/api/chat', '/api/conversations/x/messages', '/api/visitor/pageview']) {
      const refused = await preflight(path, OTHER);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    // The agent API is never opened to other sites, listed or not.
    const agent = await preflight('/api/agent/login', SITE);
    expect(agent.headers.get('access-control-allow-origin')).toBeNull();
    expect(agent.status).toBeLessThan(500);
  });

  it('lets a listed site chat, read the history and open the stream; an unlisted one reads nothing', async () => {
    const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { origin: SITE, 'content-type': 'application/json' }, body: JSON.stringify({ text: '网厅充值有折扣吗' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    const chat = (await res.json()) as { conversationId: string; token: string; reply: { text: string } };
    expect(chat.reply.text).toContain('9.85');
    const auth = { authorization: `Bearer ${chat.token}` };

    const history = await fetch(`${base}/api/conversations/${chat.conversationId}/messages`, { headers: { ...auth, origin: SITE } });
    expect(history.headers.get('access-control-allow-origin')).toBe(SITE);
    // Errors carry the header too, so the widget can read why (here: a wrong token).
    const wrong = await fetch(`${base}/api/conversations/${chat.conversationId}/messages`, { headers: { authorization: 'Bearer nope', origin: SITE } });
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get('access-control-allow-origin')).toBe(SITE);

    const abort = new AbortController();
    const stream = await fetch(`${base}/api/conversations/${chat.conversationId}/events`, { headers: { ...auth, origin: SITE, accept: 'text/event-stream' }, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('access-control-allow-origin')).toBe(SITE);
    abort.abort();
    const foreignStream = await fetch(`${base}/api/conversations/${chat.conversationId}/events`, { headers: { ...auth, origin: OTHER } });
    expect(foreignStream.status).toBe(403);

    // An unlisted site's simple request gets no CORS header: the browser keeps the answer from its page.
    const other = await fetch(`${base}/api/chat`, { method: 'POST', headers: { origin: OTHER, 'content-type': 'application/json' }, body: JSON.stringify({ text: '你好' }) });
    expect(other.status).toBeLessThan(500);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves widget.js to other sites\' pages, the console script not', async () => {
    const widget = await fetch(`${base}/widget.js`);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const agent = await fetch(`${base}/agent.js`);
    expect(agent.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('refuses an entry that is not an origin at start, naming the variable', () => {
    expect(() => loadConfig({ WIDGET_ALLOWED_ORIGINS: 'https://www.example.cn/chat' })).toThrow(/WIDGET_ALLOWED_ORIGINS/);
    expect(loadConfig({ WIDGET_ALLOWED_ORIGINS: 'https://WWW.Example.cn:443' }).widgetOrigins).toEqual(['https://www.example.cn']);
  });
});
