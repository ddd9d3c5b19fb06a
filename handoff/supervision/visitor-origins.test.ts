// The report's visitor figures: real user agents (Chrome on Windows, Safari on iPhone, WeChat's in-app browser,
// Firefox on Linux) and referrers (search engines, other sites, the site itself, none) counted the same on both
// engines, with each distinct stored string grouped in SQL and parsed once.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine } from '../testing/engine-databases.ts';
import { UA } from '../testing/real-user-agents.ts';
import { sourceOf, searchEngineOf, visitorFigures } from './visitor-origins.ts';


it('names search engines by whole domain labels', () => {
  expect(searchEngineOf('www.baidu.com')).toBe('baidu');
  expect(searchEngineOf('m.baidu.com')).toBe('baidu');
  expect(searchEngineOf('www.google.com.hk')).toBe('google');
  expect(searchEngineOf('cn.bing.com')).toBe('bing');
  expect(searchEngineOf('www.so.com')).toBe('360');
  expect(searchEngineOf('m.sm.cn')).toBe('shenma');
  expect(searchEngineOf('yandex.ru')).toBe('yandex');
  expect(searchEngineOf('duckduckgo.com')).toBe('duckduckgo');
  expect(searchEngineOf('xsm.cn')).toBeNull();
  expect(searchEngineOf('notbaidu.com')).toBeNull();
  expect(searchEngineOf('baidu.com.evil.example')).toBeNull();
});

it('tells search, other sites and direct visits apart', () => {
  const page = 'https://www.189.cn/bill/';
  expect(sourceOf('https://www.baidu.com/s?wd=%E8%AF%9D%E8%B4%B9', page)).toEqual({ kind: 'search', name: 'baidu' });
  expect(sourceOf('https://www.zhihu.com/question/1', page)).toEqual({ kind: 'site', name: 'zhihu.com' });
  expect(sourceOf(null, page)).toEqual({ kind: 'direct', name: null });
  expect(sourceOf('https://www.189.cn/home', page)).toEqual({ kind: 'direct', name: null });
  expect(sourceOf('not a url', page)).toEqual({ kind: 'direct', name: null });
  expect(sourceOf('javascript:alert(1)', page)).toEqual({ kind: 'direct', name: null });
});

it('parses each distinct user agent and adds their counts; odd strings are unknown, never an error', () => {
  const f = visitorFigures({
    userAgents: [
      { value: UA.chromeWindows, n: 3 },
      { value: UA.safariIphone, n: 2 },
      { value: UA.wechatAndroid, n: 4 },
      { value: UA.firefoxLinux, n: 1 },
      { value: null, n: 2 },
      { value: '   ', n: 1 },
      { value: '<script>alert(1)</script>', n: 1 },
    ],
    referrers: [],
  });
  expect(f.browsers).toEqual([
    { name: 'WeChat', count: 4 },
    { name: 'Chrome', count: 3 },
    { name: 'Safari', count: 2 },
    { name: 'Firefox', count: 1 },
    { name: 'unknown', count: 4 },
  ]);
  expect(f.systems).toEqual([
    { name: 'Android', count: 4 },
    { name: 'Windows', count: 3 },
    { name: 'iOS', count: 2 },
    { name: 'Linux', count: 1 },
    { name: 'unknown', count: 4 },
  ]);
});

describeEachEngine('visitor figures in the report', (engine) => {
  const open = databases(engine);
  it('counts the range by browser, system and source from the stored strings', async () => {
    const edb = await open();
    const page = 'https://www.189.cn/bill/';
    const rows: Array<[string, string | null, string | null]> = [
      [UA.chromeWindows, 'https://www.baidu.com/s?wd=1', page],
      [UA.chromeWindows, 'https://www.baidu.com/s?wd=2', page],
      [UA.safariIphone, 'https://www.google.com/', page],
      [UA.wechatAndroid, null, page],
      [UA.wechatAndroid, 'https://www.189.cn/', page],
      [UA.firefoxLinux, 'https://forum.example.org/t/1', page],
      [UA.firefoxLinux, 'https://duckduckgo.com/', page],
    ];
    let i = 0;
    for (const [ua, referrer, pageUrl] of rows) {
      await addConversation(edb, `v${i}`, { user_agent: ua, referrer, page_url: pageUrl, created_at: `2025-03-03T0${i}:00:00.000Z` });
      i++;
    }
    // Outside the range: not counted.
    await addConversation(edb, 'outside', { user_agent: UA.chromeWindows, created_at: '2025-03-09T00:00:00.000Z' });
    const r = await edb.stores.reports().report({ from: new Date('2025-03-03T00:00:00Z'), to: new Date('2025-03-04T00:00:00Z') });
    expect(r.visitors.browsers).toEqual([
      { name: 'Chrome', count: 2 },
      { name: 'Firefox', count: 2 },
      { name: 'WeChat', count: 2 },
      { name: 'Safari', count: 1 },
    ]);
    expect(r.visitors.systems).toEqual([
      { name: 'Android', count: 2 },
      { name: 'Linux', count: 2 },
      { name: 'Windows', count: 2 },
      { name: 'iOS', count: 1 },
    ]);
    expect(r.visitors.sources).toEqual([
      { kind: 'direct', name: null, count: 2 },
      { kind: 'search', name: 'baidu', count: 2 },
      { kind: 'search', name: 'duckduckgo', count: 1 },
      { kind: 'search', name: 'google', count: 1 },
      { kind: 'site', name: 'forum.example.org', count: 1 },
    ]);
  });
});
