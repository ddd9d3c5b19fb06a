// "The bot never asks for a password": no answer, rule reply or message of the shipped knowledge base asks
// the visitor to send, type or tell a password. Saying where a password is entered or reset, or that it must
// not be sent here, is fine.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../knowledge/index.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';

const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../knowledge');

// A sentence that forbids or points elsewhere is not a request: "请不要在对话中发送服务密码", "密码请只在终端机上输入",
// "Enter the password only on the mall's login page, never in this chat".
const NEGATED = /不要|请勿|切勿|别|不会|不需要|不必|无需|只在|仅在|\b(?:don'?t|do not|never|not|only)\b/i;

// "[\u4e00-\u9fff]{0,4}" lets a kind of password through: 服务密码, 登录密码, 充值卡密码.
const ASKING = [
  // 请输入/告诉/发送/提供/回复(我)您的…密码
  /请[您你]?(?:在此|在这里|在聊天中|在对话中|直接|现在)?(?:输入|告诉|提供|发送|发来|发|回复|说出|报)(?:给)?(?:我|我们|客服|机器人)?(?:一下)?[您你]?的?[\u4e00-\u9fff]{0,4}密码/,
  // 告诉我/发给我们…密码
  /(?:告诉|发给|发送给|提供给|报给|给)(?:我|我们|客服|机器人)(?:一下)?[您你]?的?[\u4e00-\u9fff]{0,4}密码/,
  // 把密码发给…/将服务密码告诉…
  /(?:把|将)[您你]?的?[\u4e00-\u9fff]{0,4}密码(?:发|告诉|给|提供|回复|输入)/,
  // 发送密码给客服
  /(?:发送|发|告诉|提供|回复)[您你]?的?[\u4e00-\u9fff]{0,4}密码(?:给|到)(?:我|我们|客服|机器人|这里)/,
  // 您的服务密码是多少？
  /[您你]的?[\u4e00-\u9fff]{0,4}密码是(?:多少|什么|啥)/,
  // please enter/type/send/tell us your (service) password
  /\b(?:enter|type|send|tell|give|provide|share|reply with|text)(?: (?:me|us|the bot|the agent))?(?: with)? (?:your|the) (?:[a-z]+ ){0,2}(?:password|passcode|pin)\b/i,
  /\bwhat(?:'s| is) your (?:[a-z]+ ){0,2}(?:password|passcode|pin)\b/i,
];

function asksForPassword(text: string): string[] {
  return text
    .split(/(?<=[。！？!?;；\n])|(?<=\.)\s/)
    .map((s) => s.trim())
    .filter((s) => s && !NEGATED.test(s) && ASKING.some((re) => re.test(s)));
}

/** Every text the bot can show: FAQ answers, rule replies, canned messages, both languages. */
function botTexts(kb: KnowledgeBase): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const e of kb.entries) for (const lang of ['zh', 'en'] as const) out.push({ where: `entry ${e.id} (${lang})`, text: e.answer[lang] });
  for (const r of kb.rules) if (r.reply) for (const lang of ['zh', 'en'] as const) out.push({ where: `rule ${r.id} (${lang})`, text: r.reply[lang] });
  for (const [key, m] of Object.entries(kb.messages)) for (const lang of ['zh', 'en'] as const) out.push({ where: `message ${key} (${lang})`, text: m[lang] });
  return out;
}

function offenders(kb: KnowledgeBase): string[] {
  return botTexts(kb).flatMap(({ where, text }) => asksForPassword(text).map((s) => `${where}: ${s}`));
}

describe('the bot never asks for a password', () => {
  it('no answer, rule reply or message of the shipped knowledge base asks for one', async () => {
    const loaded = await loadKnowledge(KNOWLEDGE_DIR);
    if (!loaded.ok) throw new Error(`shipped knowledge base is broken: ${JSON.stringify(loaded.problems[0])}`);
    const texts = botTexts(loaded.kb);
    expect(texts.length).toBeGreaterThan(100);
    // The scan sees the password sentences there are (so a silent split or load change cannot pass it vacuously).
    expect(texts.filter((t) => /密码|password/i.test(t.text)).length).toBeGreaterThan(10);
    expect(offenders(loaded.kb)).toEqual([]);
  });

  it('a planted asking sentence fails, in an answer, a rule reply or a message', async () => {
    const loaded = await loadKnowledge(KNOWLEDGE_DIR);
    if (!loaded.ok) throw new Error('shipped knowledge base is broken');
    const kb = loaded.kb;
    const entry = kb.entries[0]!;
    const planted: KnowledgeBase = {
      ...kb,
      entries: [{ ...entry, answer: { ...entry.answer, zh: `${entry.answer.zh}\n为了查询，请输入您的服务密码。` } }, ...kb.entries.slice(1)],
    };
    expect(offenders(planted)).toEqual([`entry ${entry.id} (zh): 为了查询，请输入您的服务密码。`]);
  });

  it('catches asking phrasing in both languages', () => {
    for (const text of [
      '请输入密码',
      '请输入您的服务密码，我帮您查询。',
      '请告诉我您的密码',
      '请提供一下您的登录密码',
      '麻烦告诉我服务密码',
      '麻烦把服务密码发给我们',
      '您的服务密码是多少？',
      '发送密码给客服即可办理',
      'Please type your service password here.',
      'Please enter your password so I can check.',
      'Tell me your PIN to continue.',
      'Send us your password and we will reset the plan.',
      "What's your password?",
    ]) {
      expect(asksForPassword(text), text).not.toEqual([]);
    }
  });

  it('lets explanations, warnings and where-to-reset answers through', () => {
    for (const text of [
      '服务密码可以在网上营业厅“找回密码”里重置。',
      '忘记服务密码请携带身份证到营业厅重置。',
      '请不要在对话中发送服务密码！',
      '密码请只在终端机上输入。',
      '在自助服务终端机上打印发票，需要输入服务密码。',
      '编辑短信“CZ#充值卡密码+被充值号码”，发送到10011。',
      'You can reset your password on the login page.',
      "Please don't share your service password in chat!",
      "Enter the password only on the mall's login page, never in this chat.",
      'A recharge card has a 15-digit card number and a 19-digit password.',
    ]) {
      expect(asksForPassword(text), text).toEqual([]);
    }
  });
});
