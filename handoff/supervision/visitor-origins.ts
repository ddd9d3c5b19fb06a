// The report's visitor figures: browsers, operating systems and traffic sources counted from the stored user-agent and referrer strings.
import Bowser from 'bowser';

/** One bar of a visitor chart: a name and how many conversations it covers. */
export interface NamedCount {
  name: string;
  count: number;
}

/**
 * Where visitors came from: `search` with the engine's name (google, baidu, ...), `site` with the referring
 * host, `direct` (no referrer, or one on the page's own host: a visitor moving inside the site) with name null.
 */
export interface SourceCount {
  kind: 'search' | 'site' | 'direct';
  name: string | null;
  count: number;
}

/**
 * - `browsers`, `systems`: conversations by browser (WeChat's in-app browser is its own) and by operating
 *   system, `unknown` (listed last) when the user agent is absent or not recognised. Most first, ties by name.
 * - `sources`: conversations by source; the counts of each list add up to the report's conversations.
 */
export interface VisitorFigures {
  browsers: NamedCount[];
  systems: NamedCount[];
  sources: SourceCount[];
}

/** What the SQL hands over: the distinct stored strings and how many conversations carry each. */
export interface VisitorRows {
  userAgents: Array<{ value: string | null; n: number }>;
  /** Grouped by referrer and page, so a referrer on the page's own host is told apart from another site. */
  referrers: Array<{ referrer: string | null; page: string | null; n: number }>;
}

/**
 * Search engines by the domains they answer on. A host matches when it is the domain or ends with "." + domain
 * (whole labels: www.sm.cn is shenma, a site named xsm.cn is not).
 */
const SEARCH_ENGINES: ReadonlyArray<[name: string, domains: string[]]> = [
  ['baidu', ['baidu.com']],
  ['google', ['google.com', 'google.com.hk', 'google.cn', 'google.co.jp', 'google.co.uk', 'google.de', 'google.fr']],
  ['bing', ['bing.com']],
  ['sogou', ['sogou.com']],
  ['360', ['so.com', 'haosou.com']],
  ['shenma', ['sm.cn']],
  ['yandex', ['yandex.ru', 'yandex.com']],
  ['duckduckgo', ['duckduckgo.com']],
  ['yahoo', ['search.yahoo.com', 'yahoo.co.jp']],
  ['toutiao', ['so.toutiao.com']],
  ['ecosia', ['ecosia.org']],
  ['naver', ['naver.com']],
];

const engineByDomain = new Map(SEARCH_ENGINES.flatMap(([name, domains]) => domains.map((d) => [d, name] as const)));

/** The engine whose domain the host is, or is under (www.google.com, m.baidu.com); null for any other host. */
export function searchEngineOf(host: string): string | null {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  // Longest suffix first, so the most specific domain in the table decides.
  for (let i = 0; i < labels.length - 1; i++) {
    const name = engineByDomain.get(labels.slice(i).join('.'));
    if (name) return name;
  }
  return null;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** A referrer's source; a referrer that is no http(s) URL counts as direct, like none at all. */
export function sourceOf(referrer: string | null, page: string | null): Omit<SourceCount, 'count'> {
  const host = hostOf(referrer);
  if (host === null || host === hostOf(page)) return { kind: 'direct', name: null };
  const engine = searchEngineOf(host);
  return engine ? { kind: 'search', name: engine } : { kind: 'site', name: host.replace(/^www\./, '') };
}

/** Browser and system names of one user agent, parsed by bowser (a stored string is parsed once per report). */
export function agentOf(userAgent: string | null): { browser: string; system: string } {
  if (!userAgent || !userAgent.trim()) return { browser: 'unknown', system: 'unknown' };
  const parsed = Bowser.parse(userAgent);
  return { browser: parsed.browser.name || 'unknown', system: parsed.os.name || 'unknown' };
}

export function visitorFigures(rows: VisitorRows): VisitorFigures {
  const browsers = new Map<string, number>();
  const systems = new Map<string, number>();
  for (const { value, n } of rows.userAgents) {
    const { browser, system } = agentOf(value);
    browsers.set(browser, (browsers.get(browser) ?? 0) + Number(n));
    systems.set(system, (systems.get(system) ?? 0) + Number(n));
  }
  const sources = new Map<string, SourceCount>();
  for (const { referrer, page, n } of rows.referrers) {
    const s = sourceOf(referrer, page);
    const key = `${s.kind}\u0000${s.name ?? ''}`;
    const seen = sources.get(key);
    if (seen) seen.count += Number(n);
    else sources.set(key, { ...s, count: Number(n) });
  }
  return {
    browsers: ranked(browsers),
    systems: ranked(systems),
    sources: [...sources.values()].sort((a, b) => b.count - a.count || (a.kind + (a.name ?? '')).localeCompare(b.kind + (b.name ?? ''))),
  };
}

/** Most first, ties by name; `unknown` always last, as it is no answer a chart should rank. */
function ranked(counts: Map<string, number>): NamedCount[] {
  const unknown = (n: NamedCount) => (n.name === 'unknown' ? 1 : 0);
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => unknown(a) - unknown(b) || b.count - a.count || a.name.localeCompare(b.name));
}
