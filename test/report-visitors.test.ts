// GET /api/admin/reports counts visitors by browser, system and source: chats started over real HTTP with real
// browsers' User-Agent headers (Chrome on Windows, Safari on iPhone, WeChat's in-app browser, Firefox on Linux)
// and the widget's page and referrer, then read back by the admin; an agent may not read them.
import { describe, expect, it } from 'vitest';
import { UA } from '../handoff/testing/real-user-agents.ts';
import type { Report } from '../handoff/http/wire.ts';
import { createAgents, signIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
useTestServer('report-visitors-', { started: (s) => (base = s.url) });

const PAGE = 'https://www.189.cn/bill/index.html';

async function chatFrom(userAgent: string, referrer?: string): Promise<void> {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ text: '你好', visitor: { pageUrl: PAGE, ...(referrer ? { referrer } : {}) } }),
  });
  expect(res.status).toBe(200);
}

describe('visitors in the reports', () => {
  it('counts browsers, systems and sources of the chats in the range', async () => {
    await chatFrom(UA.chromeWindows, 'https://www.baidu.com/s?wd=%E8%AF%9D%E8%B4%B9%E6%9F%A5%E8%AF%A2');
    await chatFrom(UA.chromeWindows, 'https://cn.bing.com/search?q=189');
    await chatFrom(UA.safariIphone, 'https://m.sm.cn/s?q=1');
    await chatFrom(UA.wechatAndroid);
    await chatFrom(UA.wechatAndroid, 'https://mp.weixin.qq.com/s/abc');
    await chatFrom(UA.firefoxLinux, 'https://www.189.cn/');
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    const from = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    const to = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    const res = await admin.call('GET', `/api/admin/reports?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const { visitors, conversations } = res.json as Report;
    expect(conversations).toBe(6);
    expect(visitors.browsers).toEqual([
      { name: 'Chrome', count: 2 },
      { name: 'WeChat', count: 2 },
      { name: 'Firefox', count: 1 },
      { name: 'Safari', count: 1 },
    ]);
    expect(visitors.systems).toEqual([
      { name: 'Android', count: 2 },
      { name: 'Windows', count: 2 },
      { name: 'iOS', count: 1 },
      { name: 'Linux', count: 1 },
    ]);
    // The Firefox chat came from the site's own home page: a visit inside the site, so direct.
    expect(visitors.sources).toEqual([
      { kind: 'direct', name: null, count: 2 },
      { kind: 'search', name: 'baidu', count: 1 },
      { kind: 'search', name: 'bing', count: 1 },
      { kind: 'search', name: 'shenma', count: 1 },
      { kind: 'site', name: 'mp.weixin.qq.com', count: 1 },
    ]);
  });

  it('is for admins only', async () => {
    const admin = await signIn(base, ADMIN.username, ADMIN.password);
    await createAgents(admin, ['reportagent']);
    const agent = await signIn(base, 'reportagent', 'reportagent-pass-123');
    expect((await agent.call('GET', '/api/admin/reports')).status).toBe(403);
  });
});
