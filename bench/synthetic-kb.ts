// Deterministic synthetic knowledge bases (1k, 10k, 100k entries) in the shipped YAML format, for the
// scale and reload benchmarks. The shipped rules, synonyms, messages and (optionally) FAQ come along,
// so the engine runs exactly as in production and knowledge/tests can still be asked of the big KB.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stringify } from 'yaml';

export interface SyntheticOptions {
  /** Entries in total, the shipped ones included when `withShipped`. */
  entries: number;
  /** Where to write; emptied first. */
  dir: string;
  /** The shipped knowledge directory: its rules, synonyms and messages are copied. */
  shippedDir: string;
  /** Also copy the shipped faq/*.yaml (and tests/), so its questions can be asked of the big KB. Default true. */
  withShipped?: boolean;
  /** Same seed, same files, byte for byte. Default 1. */
  seed?: number;
}

export interface SyntheticKb {
  dir: string;
  entries: number;
  files: number;
  bytes: number;
  /** Paraphrased questions about synthetic entries, with the entry each should reach. */
  probes: { text: string; lang: 'zh' | 'en'; entryId: string }[];
}

/** Entries per topic file: about 250 KB of YAML, well under the 2 MiB file limit. */
const ENTRIES_PER_FILE = 500;

/** mulberry32: small, fast, and the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like pick: low indexes (common words) far more often, as in real questions. */
function zipf(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n ** random()) - 1);
}

const HAN_WORD = /^\p{Script=Han}{2,4}$/u;

/**
 * Chinese nouns and verbs from jieba's dictionary, most frequent first, minus every word the shipped
 * knowledge base uses: synthetic entries share everyday words with each other (long posting lists,
 * as real FAQs do) but do not impersonate the real entries.
 */
async function chineseVocabulary(shippedText: string): Promise<{ nouns: string[]; verbs: string[] }> {
  const require = createRequire(import.meta.url);
  const text = await readFile(require.resolve('@node-rs/jieba/dict.txt'), 'utf8');
  const rows: { word: string; freq: number; tag: string }[] = [];
  for (const line of text.split('\n')) {
    const [word, freq, tag] = line.split(' ');
    if (!word || !freq || !tag || !HAN_WORD.test(word) || shippedText.includes(word)) continue;
    if (tag === 'n' || tag === 'v' || tag === 'vn') rows.push({ word, freq: Number(freq), tag });
  }
  rows.sort((a, b) => b.freq - a.freq || (a.word < b.word ? -1 : 1));
  const top = rows.slice(0, 12_000);
  return { nouns: top.filter((r) => r.tag !== 'v').map((r) => r.word), verbs: top.filter((r) => r.tag === 'v').map((r) => r.word) };
}

/** Pronounceable made-up English words, so synthetic English never collides with the real entries'. */
function englishVocabulary(random: () => number, size: number): string[] {
  const onsets = ['b', 'br', 'd', 'dr', 'f', 'g', 'gl', 'k', 'l', 'm', 'n', 'p', 'pl', 'r', 's', 'st', 't', 'tr', 'v', 'z'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'oa'];
  const codas = ['', 'n', 'r', 'l', 'x', 'nd', 'st', 'm'];
  const words = new Set<string>();
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  while (words.size < size) {
    const syllables = 2 + Math.floor(random() * 2);
    let w = '';
    for (let i = 0; i < syllables; i++) w += pick(onsets) + pick(vowels) + (i === syllables - 1 ? pick(codas) : '');
    words.add(w);
  }
  return [...words];
}

/** What a question asks about its subject, in both languages: shared by many entries, like real FAQs. */
const ASPECTS: { zh: string[]; en: string[]; answer: { zh: string; en: string } }[] = [
  { zh: ['怎么办理', '如何开通', '在哪里办'], en: ['how do i get', 'how to apply for', 'where can i sign up for'], answer: { zh: '可在网上营业厅办理', en: 'Apply in the online hall' } },
  { zh: ['多少钱', '怎么收费', '资费是多少'], en: ['how much is', 'what does it cost', 'price of'], answer: { zh: '每月10元', en: '10 yuan a month' } },
  { zh: ['怎么取消', '如何退订', '不想要了怎么关'], en: ['how do i cancel', 'how to stop', 'turn off'], answer: { zh: '发送短信退订', en: 'Send a text to cancel' } },
  { zh: ['在哪查询', '怎么查', '能查到吗'], en: ['where can i check', 'how to look up', 'can i see'], answer: { zh: '登录后在我的业务中查询', en: 'Sign in and look under my services' } },
  { zh: ['有什么条件', '谁能办', '需要什么材料'], en: ['who can get', 'what do i need for', 'requirements for'], answer: { zh: '凭身份证办理', en: 'Bring your ID card' } },
  { zh: ['多久生效', '什么时候到账', '要等多久'], en: ['how long until', 'when does it start', 'how soon is'], answer: { zh: '两小时内生效', en: 'Within two hours' } },
];

/** Writes the synthetic knowledge base and returns where, how big, and questions to ask it. */
export async function writeSyntheticKnowledge(options: SyntheticOptions): Promise<SyntheticKb> {
  const { dir, shippedDir, entries: total, withShipped = true, seed = 1 } = options;
  const random = rng(seed);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'faq'), { recursive: true });
  for (const name of ['rules.yaml', 'synonyms.yaml', 'messages.yaml']) await cp(path.join(shippedDir, name), path.join(dir, name));
  let shippedEntries = 0;
  let shippedFiles = 0;
  let shippedText = '';
  for (const name of await readdir(path.join(shippedDir, 'faq'))) {
    const text = await readFile(path.join(shippedDir, 'faq', name), 'utf8');
    shippedText += text;
    if (withShipped) {
      await writeFile(path.join(dir, 'faq', name), text);
      shippedEntries += (text.match(/^ {2}- id: /gm) ?? []).length;
      shippedFiles++;
    }
  }
  if (withShipped) await cp(path.join(shippedDir, 'tests'), path.join(dir, 'tests'), { recursive: true });

  const { nouns, verbs } = await chineseVocabulary(shippedText);
  const english = englishVocabulary(random, 8_000);
  const pick = <T>(list: readonly T[]) => list[zipf(random, list.length)]!;
  const any = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

  const synthetic = Math.max(0, total - shippedEntries);
  const usedZh = new Set<string>();
  const usedEn = new Set<string>();
  const probes: SyntheticKb['probes'] = [];
  let bytes = 0;
  let files = 0;
  for (let start = 0; start < synthetic; start += ENTRIES_PER_FILE) {
    const topic = `syn${String(files).padStart(4, '0')}`;
    const list = [];
    for (let i = start; i < Math.min(synthetic, start + ENTRIES_PER_FILE); i++) {
      // The subject: two or three content words naming the thing (a rare one makes it findable),
      // unique per entry as real FAQ subjects are.
      let subjectZh: string[];
      do subjectZh = [pick(nouns), any(nouns), ...(random() < 0.5 ? [pick(verbs)] : [])];
      while (usedZh.has(subjectZh.slice(0, 2).join('')));
      usedZh.add(subjectZh.slice(0, 2).join(''));
      let subjectEn: string[];
      do subjectEn = [pick(english), any(english)];
      while (usedEn.has(subjectEn.join(' ')));
      usedEn.add(subjectEn.join(' '));
      const aspect = ASPECTS[Math.floor(random() * ASPECTS.length)]!;
      const filler = () => (random() < 0.4 ? pick(verbs) : '');
      const subject = subjectZh.join('');
      const pair = subjectZh.slice(0, 2).join('');
      const zh = [
        `${subject}${aspect.zh[0]}`,
        `${aspect.zh[1]}${pair}${filler()}`,
        `${subject}${filler()}${aspect.zh[2]}`,
        `${pair}${aspect.zh[1]}`,
        `请问${subject}${aspect.zh[0]}${filler()}`,
      ];
      const en = [...aspect.en.slice(0, 2).map((a) => `${a} ${subjectEn.join(' ')}`), `${subjectEn.join(' ')} ${aspect.en[0]}`];
      const id = `${topic}.e${i}`;
      list.push({
        id,
        questions: { zh, en },
        keywords: [subjectZh.slice(0, 2).join(''), subjectEn.join(' ')],
        answer: { zh: `${subjectZh.join('')}：${aspect.answer.zh}。`, en: `${subjectEn.join(' ')}: ${aspect.answer.en}.` },
      });
      // Every 50th entry gets a question worded unlike its variants: subject words reordered, the third phrasing of the aspect.
      if (i % 50 === 0) {
        probes.push({ text: `${subjectZh[1]}${subjectZh[0]}${aspect.zh[2]}`, lang: 'zh', entryId: id });
        probes.push({ text: `${aspect.en[2]} ${subjectEn[1]} ${subjectEn[0]}`, lang: 'en', entryId: id });
      }
    }
    const text = `# Synthetic entries for the scale benchmark (seed ${seed}); not real facts.\n${stringify(
      { topic, label: { zh: `合成${files}`, en: `Synthetic ${files}` }, group: 'general', entries: list },
      { lineWidth: 0 },
    )}`;
    await writeFile(path.join(dir, 'faq', `${topic}.yaml`), text);
    bytes += Buffer.byteLength(text);
    files++;
  }
  return { dir, entries: shippedEntries + synthetic, files: files + shippedFiles, bytes, probes };
}
