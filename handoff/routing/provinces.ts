// The mainland provinces a conversation may come from (its number's home province): the ids a province
// site passes as `province` / `data-province`, and the names a visitor types when asked.

/** Lower-case pinyin id, Chinese name, English name. Municipalities and autonomous regions count as provinces. */
const PROVINCES: ReadonlyArray<readonly [id: string, zh: string, en: string]> = [
  ['beijing', '北京', 'Beijing'], ['tianjin', '天津', 'Tianjin'], ['hebei', '河北', 'Hebei'], ['shanxi', '山西', 'Shanxi'],
  ['neimenggu', '内蒙古', 'Inner Mongolia'], ['liaoning', '辽宁', 'Liaoning'], ['jilin', '吉林', 'Jilin'],
  ['heilongjiang', '黑龙江', 'Heilongjiang'], ['shanghai', '上海', 'Shanghai'], ['jiangsu', '江苏', 'Jiangsu'],
  ['zhejiang', '浙江', 'Zhejiang'], ['anhui', '安徽', 'Anhui'], ['fujian', '福建', 'Fujian'], ['jiangxi', '江西', 'Jiangxi'],
  ['shandong', '山东', 'Shandong'], ['henan', '河南', 'Henan'], ['hubei', '湖北', 'Hubei'], ['hunan', '湖南', 'Hunan'],
  ['guangdong', '广东', 'Guangdong'], ['guangxi', '广西', 'Guangxi'], ['hainan', '海南', 'Hainan'], ['chongqing', '重庆', 'Chongqing'],
  ['sichuan', '四川', 'Sichuan'], ['guizhou', '贵州', 'Guizhou'], ['yunnan', '云南', 'Yunnan'], ['xizang', '西藏', 'Tibet'],
  ['shaanxi', '陕西', 'Shaanxi'], ['gansu', '甘肃', 'Gansu'], ['qinghai', '青海', 'Qinghai'], ['ningxia', '宁夏', 'Ningxia'],
  ['xinjiang', '新疆', 'Xinjiang'],
];

export const PROVINCE_IDS: readonly string[] = PROVINCES.map(([id]) => id);

/** A province as the console lists it (GET /api/agent/groups and /api/admin/groups carry the whole list). */
export interface ProvinceOption {
  id: string;
  zh: string;
  en: string;
}

/** Every province, in the list's order: the console's names for ids and the admin's picker. */
export const PROVINCE_CATALOG: readonly ProvinceOption[] = PROVINCES.map(([id, zh, en]) => ({ id, zh, en }));

const byId = new Map(PROVINCES.map(([id, zh, en]) => [id, { zh, en }]));

export function isProvinceId(value: unknown): value is string {
  return typeof value === 'string' && byId.has(value);
}

/** The province's name in `lang`; the id itself for an unknown id. */
export function provinceName(id: string, lang: 'zh' | 'en'): string {
  return byId.get(id)?.[lang] ?? id;
}

// Suffixes visitors add: 广东省, 新疆维吾尔自治区, 北京市, "Guangdong province".
const ZH_SUFFIX = /(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$/u;
const EN_SUFFIX = /\s+(province|city|municipality|autonomous region)$/i;

/**
 * The province a visitor's answer names ("广东", "广东省", "Guangdong", "guangdong province", "我是四川的"),
 * or undefined. Only a short answer is read (a long message is a question, not a choice).
 */
export function parseProvinceAnswer(text: string): string | undefined {
  const t = text.normalize('NFKC').trim().replace(/[。.!！?？,，\s]+$/u, '');
  if (t.length === 0 || [...t].length > 24) return undefined;
  const lower = t.toLowerCase().replace(EN_SUFFIX, '').replace(/\s+/g, ' ');
  const zh = t.replace(ZH_SUFFIX, '');
  for (const [id, name, en] of PROVINCES) {
    if (lower === id || lower === en.toLowerCase() || zh === name) return id;
  }
  // A name inside a short answer ("我是四川的号", "my number is from Sichuan"): one province only.
  const named = PROVINCES.filter(([id, name, en]) => t.includes(name) || new RegExp(`\\b(${id}|${en})\\b`, 'i').test(t));
  return named.length === 1 ? named[0]![0] : undefined;
}

/** The chip that answers the province question without naming one: the handoff goes to a national group. */
export const OTHER_PROVINCE = { zh: '其他省份', en: 'Other province' } as const;

// "Don't know / somewhere else / skip": an answer that names no province but lets the handoff go on.
const NO_PROVINCE = /^(其他省份?|其它省份?|外省|别的省|不知道|不清楚|不确定|跳过|都不是|没有|other( province)?|none|skip|not sure|don'?t know|i don'?t know)$/i;

/** Whether a short answer to the province question declines to name one ("其他省份", "不清楚", "skip"). */
export function declinesProvince(text: string): boolean {
  return NO_PROVINCE.test(text.normalize('NFKC').trim().replace(/[。.!！?？,，\s]+$/u, ''));
}

/** A choice of the province question, as a chip (the reply's `suggestions`): the visitor's answer is its `question`. */
export interface ProvinceSuggestion {
  /** `province:<id>` (or `province:other`), never a knowledge-base entry. */
  entryId: string;
  question: string;
}

/** The province question's chips: the provinces some group serves, in the list's order, then "other". */
export function provinceSuggestions(served: Iterable<string>, lang: 'zh' | 'en'): ProvinceSuggestion[] {
  const set = new Set(served);
  return [
    ...PROVINCE_IDS.filter((id) => set.has(id)).map((id) => ({ entryId: `province:${id}`, question: provinceName(id, lang) })),
    { entryId: 'province:other', question: OTHER_PROVINCE[lang] },
  ];
}
