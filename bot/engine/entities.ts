// Entity classes: provinces (with their big cities) and countries. A rule the knowledge base states for a
// class reaches a member it does not list ("other countries: IP rate × 50%" answers Brazil; the agents'
// hours, "8:30–21:30 except Xinjiang", answer Guangdong), and an entry naming only other members of a
// class without such a default does not answer for this one (Beijing's halls are not Shenzhen's).

export type EntityClassId = 'province' | 'country' | 'generation' | 'browser';

export interface EntityMention {
  classId: EntityClassId;
  byClassOnly: boolean;
  /** The member as the knowledge base would write it (a city is read as its province). */
  canonical: string;
  /** The words as they appear in the normalized text. */
  form: string;
  /** The member's own name in the script of `form` (乌鲁木齐 → 新疆, urumqi → xinjiang). */
  name: string;
}

interface EntityClass {
  id: EntityClassId;
  /**
   * Judged only by class: its members count for nothing in how much of a question an entry covers
   * (Brazil need not be written in the "other countries" entry). A network generation is a word the
   * entry must have, and is also judged by class (a 3G fact does not answer for 4G).
   */
  byClassOnly: boolean;
  /** Words in an entry that mark it as stating the rule for every member it does not list. */
  defaults: readonly string[];
  /** Members: the canonical Chinese name first, then other forms (English, pinyin, cities of a province). */
  members: readonly (readonly string[])[];
}

const CLASSES: readonly EntityClass[] = [
  {
    id: 'province',
    byClassOnly: true,
    defaults: ['其他省份', '其他地区', '其他省', '外省', 'other provinces', 'other regions', 'elsewhere'],
    members: [
      ['北京', 'beijing', 'peking'], ['上海', 'shanghai', '浦东', 'pudong', '静安', 'jing\'an'], ['天津', 'tianjin'], ['重庆', 'chongqing'],
      ['河北', 'hebei', '石家庄', '唐山', '保定'], ['山西', 'shanxi', '太原', 'taiyuan', '大同'], ['内蒙古', 'inner mongolia', 'neimenggu', '呼和浩特', '包头'],
      ['辽宁', 'liaoning', '沈阳', 'shenyang', '大连', 'dalian'], ['吉林', 'jilin', '长春', 'changchun'], ['黑龙江', 'heilongjiang', '哈尔滨', 'harbin'],
      ['江苏', 'jiangsu', '南京', 'nanjing', '苏州', 'suzhou', '无锡', 'wuxi'], ['浙江', 'zhejiang', '杭州', 'hangzhou', '宁波', 'ningbo', '温州'],
      ['安徽', 'anhui', '合肥', 'hefei'], ['福建', 'fujian', '福州', 'fuzhou', '厦门', 'xiamen'], ['江西', 'jiangxi', '南昌', 'nanchang'],
      ['山东', 'shandong', '济南', 'jinan', '青岛', 'qingdao'], ['河南', 'henan', '郑州', 'zhengzhou', '洛阳'], ['湖北', 'hubei', '武汉', 'wuhan'],
      ['湖南', 'hunan', '长沙', 'changsha'], ['广东', 'guangdong', 'canton', '广州', 'guangzhou', '深圳', 'shenzhen', '东莞', 'dongguan', '佛山', 'foshan', '珠海', 'zhuhai'],
      ['广西', 'guangxi', '南宁', 'nanning', '桂林', 'guilin'], ['海南', 'hainan', '海口', 'haikou', '三亚', 'sanya'], ['四川', 'sichuan', '成都', 'chengdu'],
      ['贵州', 'guizhou', '贵阳', 'guiyang'], ['云南', 'yunnan', '昆明', 'kunming'], ['西藏', 'tibet', 'xizang', '拉萨', 'lhasa'],
      ['陕西', 'shaanxi', '西安', "xi'an", 'xian'], ['甘肃', 'gansu', '兰州', 'lanzhou'], ['青海', 'qinghai', '西宁', 'xining'], ['宁夏', 'ningxia', '银川', 'yinchuan'],
      ['新疆', 'xinjiang', '乌鲁木齐', 'urumqi', '喀什', 'kashgar'],
    ],
  },
  {
    id: 'country',
    byClassOnly: true,
    defaults: ['其他国家', '其它国家', 'other countries'],
    members: [
      ['美国', 'usa', 'america', 'united states', 'the us', 'the states', 'u.s.', '纽约', 'new york', '洛杉矶', 'los angeles', '旧金山', 'san francisco', '西雅图', 'seattle', '芝加哥', 'chicago', '波士顿', 'boston'], ['加拿大', 'canada', '多伦多', 'toronto', '温哥华', 'vancouver', '蒙特利尔', 'montreal'], ['新加坡', 'singapore'], ['英国', 'uk', 'britain', 'england', 'united kingdom', '伦敦', 'london', '曼彻斯特', 'manchester'],
      ['法国', 'france', '巴黎', 'paris'], ['德国', 'germany', '柏林', 'berlin', '慕尼黑', 'munich', '法兰克福', 'frankfurt'], ['意大利', 'italy', '米兰', 'milan'], ['韩国', 'korea', 'south korea', '首尔', 'seoul', '釜山', 'busan'], ['日本', 'japan', '东京', 'tokyo', '大阪', 'osaka', '京都', 'kyoto'], ['澳大利亚', 'australia', '澳洲', '悉尼', 'sydney', '墨尔本', 'melbourne'],
      ['新西兰', 'new zealand'], ['马来西亚', 'malaysia', '吉隆坡', 'kuala lumpur'], ['印度尼西亚', 'indonesia', '印尼', '雅加达', 'jakarta', '巴厘岛', 'bali'], ['菲律宾', 'philippines', '马尼拉', 'manila'], ['泰国', 'thailand', '曼谷', 'bangkok', '普吉', 'phuket', '清迈', 'chiang mai'],
      ['巴西', 'brazil', '圣保罗', 'sao paulo', 'são paulo'], ['阿根廷', 'argentina'], ['墨西哥', 'mexico'], ['俄罗斯', 'russia', '莫斯科', 'moscow'], ['印度', 'india', '孟买', 'mumbai', '新德里', 'delhi', 'new delhi', '班加罗尔', 'bangalore'], ['越南', 'vietnam', '河内', 'hanoi', '胡志明', 'ho chi minh'], ['埃及', 'egypt'],
      ['南非', 'south africa'], ['西班牙', 'spain', '马德里', 'madrid', '巴塞罗那', 'barcelona'], ['葡萄牙', 'portugal'], ['荷兰', 'netherlands', 'holland'], ['瑞士', 'switzerland'], ['瑞典', 'sweden'],
      ['挪威', 'norway'], ['芬兰', 'finland'], ['丹麦', 'denmark'], ['比利时', 'belgium'], ['奥地利', 'austria'], ['希腊', 'greece'], ['土耳其', 'turkey'],
      ['以色列', 'israel'], ['沙特', 'saudi arabia', 'saudi'], ['阿联酋', 'uae', 'dubai', '迪拜'], ['巴基斯坦', 'pakistan'], ['孟加拉', 'bangladesh'],
      ['尼日利亚', 'nigeria'], ['肯尼亚', 'kenya'], ['智利', 'chile'], ['秘鲁', 'peru'], ['哥伦比亚', 'colombia'], ['爱尔兰', 'ireland'], ['波兰', 'poland'],
      ['乌克兰', 'ukraine'], ['柬埔寨', 'cambodia'], ['缅甸', 'myanmar', 'burma'], ['老挝', 'laos'], ['蒙古国', 'mongolia'], ['朝鲜', 'north korea'],
      ['伊朗', 'iran'], ['伊拉克', 'iraq'], ['古巴', 'cuba'], ['冰岛', 'iceland'], ['捷克', 'czech'], ['匈牙利', 'hungary'],
    ],
  },
  {
    // No default: a fact about 3G says nothing about 4G or 5G, which the source never mentions.
    id: 'generation',
    byClassOnly: false,
    defaults: [],
    members: [['2g'], ['3g'], ['4g', 'lte'], ['5g']],
  },
  {
    // Pop-up settings differ by browser: IE's menu says nothing about Chrome's.
    id: 'browser',
    byClassOnly: false,
    defaults: [],
    members: [
      ['ie', 'internet explorer', 'ie浏览器'], ['chrome', '谷歌浏览器', 'google chrome', '谷歌'], ['firefox', '火狐', 'fire fox'], ['safari'], ['edge', 'microsoft edge'],
      ['360浏览器', '360安全浏览器', '360 browser'], ['qq浏览器', 'qq browser'], ['搜狗浏览器', 'sogou browser'], ['opera'], ['uc浏览器', 'uc browser'],
    ],
  },
];

const HAN = /\p{Script=Han}/u;
/** A Latin word as the entity forms spell them (jing'an, xi'an). */
const LATIN_WORD = /[a-z0-9][a-z0-9']*/g;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface EntityReader {
  /** Members named in a normalized text, each once. */
  find(text: string): EntityMention[];
  /** Which members of each class a text names, and whether it states the class's default. */
  describe(text: string): EntityProfile;
  /** Every surface form (normalized), to tell entity words among a query's units. */
  forms: ReadonlySet<string>;
}

export interface EntityProfile {
  named: Map<EntityClassId, Set<string>>;
  defaults: Set<EntityClassId>;
}

export function buildEntityReader(): EntityReader {
  const byForm = new Map<string, { classId: EntityClassId; byClassOnly: boolean; canonical: string; name: string }>();
  for (const c of CLASSES) {
    for (const [canonical, ...rest] of c.members) {
      const latinName = rest.find((f) => !HAN.test(f)) ?? canonical!;
      for (const form of [canonical!, ...rest]) byForm.set(form, { classId: c.id, byClassOnly: c.byClassOnly, canonical: canonical!, name: HAN.test(form) ? canonical! : latinName });
    }
  }
  // Chinese forms: one alternation of literals, longest first, so 蒙古国 is not read as a province's 蒙古.
  // English forms: looked up word by word (phrases of up to four words, longest first), so "uk" is not
  // in "ukraine" and "south korea" is not "korea"; an alternation with lookarounds for them was tried at
  // every position of every text (seconds over 100k entries).
  const han = [...byForm.keys()].filter((f) => HAN.test(f)).sort((a, b) => b.length - a.length);
  const hanPattern = new RegExp(han.map(escape).join('|'), 'gu');
  const latin = new Set([...byForm.keys()].filter((f) => !HAN.test(f)));
  const longestLatin = Math.max(...[...latin].map((f) => f.split(' ').length));
  const defaults = CLASSES.filter((c) => c.defaults.length > 0).map((c) => ({ id: c.id, pattern: new RegExp(c.defaults.map(escape).join('|'), 'u') }));
  const find = (text: string): EntityMention[] => {
    const out = new Map<string, EntityMention>();
    const add = (form: string) => {
      const hit = byForm.get(form)!;
      if (!out.has(hit.canonical)) out.set(hit.canonical, { ...hit, form });
    };
    for (const m of text.matchAll(hanPattern)) add(m[0]);
    if (/[a-z]/.test(text)) {
      const words = text.match(LATIN_WORD) ?? [];
      for (let i = 0; i < words.length; i++) {
        for (let n = Math.min(longestLatin, words.length - i); n >= 1; n--) {
          const phrase = n === 1 ? words[i]! : words.slice(i, i + n).join(' ');
          if (!latin.has(phrase)) continue;
          add(phrase);
          i += n - 1;
          break;
        }
      }
    }
    return [...out.values()];
  };
  return {
    find,
    forms: new Set(byForm.keys()),
    describe(text) {
      const named = new Map<EntityClassId, Set<string>>();
      for (const m of find(text)) {
        const set = named.get(m.classId) ?? new Set<string>();
        set.add(m.canonical);
        named.set(m.classId, set);
      }
      return { named, defaults: new Set(defaults.filter((d) => d.pattern.test(text)).map((d) => d.id)) };
    },
  };
}

/**
 * An entry cannot answer for `mention` when it names other members of the class, not this one, and
 * states no default for the rest: "Beijing's halls have terminals" says nothing about Shenzhen's.
 * `knownMembers`: the members some entry names. A network generation or a browser that no entry
 * names (5G, Chrome) is outside the knowledge base altogether: no entry answers for it.
 */
export function excludes(entry: EntityProfile, mention: EntityMention, knownMembers: ReadonlySet<string>): boolean {
  if (!mention.byClassOnly && !knownMembers.has(mention.canonical)) return true;
  const named = entry.named.get(mention.classId);
  return !!named && named.size > 0 && !named.has(mention.canonical) && !entry.defaults.has(mention.classId);
}
