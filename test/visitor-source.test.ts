// Where online visitors came from, over real HTTP on the whole service (issue 17): the tracker's page view carries
// document.referrer; the agents' list shows its source (a search engine by name, another site by host, direct) and
// never the referrer itself; a presence keeps the source it began with; anything that is no http(s) address is
// direct; an oversize or non-string referrer is 400; editors may not read the list.
import { beforeAll, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from './http-kit.ts';
import { ADMIN, useTestServer } from './service-kit.ts';

let base: string;
useTestServer('visitor-source-', { started: (s) => (base = s.url) });

let lead: SignedIn;
let erin: SignedIn;

async function pageView(body: Record<string, unknown>, token?: string) {
  const res = await fetch(`${base}/api/visitor/pageview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

interface Listed {
  currentPage: { url: string };
  source: { kind: string; name: string | null };
}

async function sourceOfPage(url: string): Promise<Listed['source'] | undefined> {
  const listed = await lead.call('GET', '/api/agent/visitors');
  expect(listed.status).toBe(200);
  return (listed.json.visitors as Listed[]).find((v) => v.currentPage.url === url)?.source;
}

beforeAll(async () => {
  lead = await signIn(base, ADMIN.username, ADMIN.password);
  expect((await lead.call('POST', '/api/admin/agents', { username: 'erin', displayName: 'Erin', password: 'erin-edits-faq-1', role: 'editor' })).status).toBe(201);
  erin = await signIn(base, 'erin', 'erin-edits-faq-1');
});

describe('the source of an online visitor', () => {
  it('classifies the referrer as a search engine, another site or direct, and keeps nothing else of it', async () => {
    const cases: Array<[string | undefined, { kind: string; name: string | null }]> = [
      ['https://www.baidu.com/s?wd=%E6%89%8B%E6%9C%BA%E5%8F%B7%2013800000000', { kind: 'search', name: 'baidu' }],
      ['https://m.so.com/s?q=broadband', { kind: 'search', name: '360' }],
      ['https://www.google.com.hk/', { kind: 'search', name: 'google' }],
      ['https://www.weibo.com/u/123456?secret=abc', { kind: 'site', name: 'weibo.com' }],
      // The site's own pages: a visitor moving inside the site is direct.
      ['https://shop.example/home', { kind: 'direct', name: null }],
      [undefined, { kind: 'direct', name: null }],
      ['', { kind: 'direct', name: null }],
      ['javascript:alert(document.cookie)', { kind: 'direct', name: null }],
      ['android-app://com.google.android.gm/', { kind: 'direct', name: null }],
      ['not a url at all', { kind: 'direct', name: null }],
      ['https://exa\u202Emple.org/<script>', { kind: 'site', name: 'example.org' }],
    ];
    for (const [i, [referrer, source]] of cases.entries()) {
      const url = `https://shop.example/case-${i}`;
      const res = await pageView({ url, title: `Case ${i}`, ...(referrer !== undefined ? { referrer } : {}) });
      expect(res.status, String(referrer)).toBe(200);
      expect(await sourceOfPage(url), String(referrer)).toEqual(source);
    }
    // Search words and paths of referrers are never kept or shown.
    const all = JSON.stringify((await lead.call('GET', '/api/agent/visitors')).json);
    expect(all).not.toContain('13800000000');
    expect(all).not.toContain('wd=');
    expect(all).not.toContain('secret');
    expect(all).not.toContain('<script>');
  });

  it('keeps the source the presence began with across later page views', async () => {
    const first = await pageView({ url: 'https://shop.example/landing', title: 'Landing', referrer: 'https://cn.bing.com/search?q=5g' });
    expect(first.json.token).toBeTruthy();
    const next = await pageView({ url: 'https://shop.example/next', title: 'Next', referrer: 'https://shop.example/landing' }, first.json.token);
    expect(next.status).toBe(200);
    expect(await sourceOfPage('https://shop.example/next')).toEqual({ kind: 'search', name: 'bing' });
  });

  it('refuses a referrer that is not a string or is over 2048 characters (400 invalid_referrer)', async () => {
    for (const referrer of [42, ['https://a.example/'], { href: 'x' }, true, `https://a.example/${'x'.repeat(2100)}`]) {
      const res = await pageView({ url: 'https://shop.example/bad', title: 'Bad', referrer });
      expect(res.status, JSON.stringify(referrer).slice(0, 40)).toBe(400);
      expect(res.json.error.code).toBe('invalid_referrer');
    }
  });

  it('shows the list to agents and admins only: an editor 403, no session 401', async () => {
    expect((await erin.call('GET', '/api/agent/visitors')).status).toBe(403);
    expect((await fetch(`${base}/api/agent/visitors`)).status).toBe(401);
  });
});
