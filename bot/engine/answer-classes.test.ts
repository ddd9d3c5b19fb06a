// One test per class of failure measured on the hidden evaluation sets (issue 12), on the shipped
// knowledge base: each says why the expected outcome is right. Wording here is made up for the test,
// not taken from any evaluation set.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine.ts';
import type { Decision } from './decision.ts';
import { buildSpeller } from './spell.ts';
import { englishWords } from '../../knowledge/text/english-words.ts';
import { converse, shippedEngine } from './shipped-engine-kit.ts';
import { defaultEngineOptions } from './engine-options.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await shippedEngine();
});

const ask = (text: string, lang?: 'zh' | 'en') => engine.decide(text, { lang });
const entryOf = (d: Decision) => (d.kind === 'answer' ? d.entryId : d.kind);

const talk = (...texts: string[]): Decision[] => converse(engine, ...texts);

describe('1. answerable questions in wording the knowledge base does not have', () => {
  it('finds the question at the end of a long story', () => {
    // why: the last clause asks the bundle's overage rate; the story before it names nothing else
    const d = ask('我家老人上个月刚装了亲情1+，用得挺好的，就是想问一下，套餐里的市话打完了以后怎么收费？');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('0.20');
  });

  it('answers two questions in one message with both answers', () => {
    // why: each clause is answered by its own entry (the online discount, the SMS top-up code)
    const d = ask('网上营业厅充值打几折？另外一卡充短信充值发到哪个号码');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('9.85折');
    expect(d.text).toContain('10011');
  });
});

describe('1b. the clause that asks is the question', () => {
  it('does not answer the story clause that happens to read well', () => {
    // why: "刚移机到了新家" is a statement that reads as the moving entry; what is asked is the agents'
    // hours, so answering how to move a line would be a nearby fact, never the answer
    const d = ask('上个月刚移机到了新家。请问微信里的人工客服几点上班');
    expect(entryOf(d)).not.toBe('bundle.move-transfer');
    expect(d.explain.clauses?.map((c) => c.entryId)).toContain('bundle.move-transfer');
  });

  it('reads 几号 after a hotline as "which number", not a date', () => {
    // why: the roaming hotline is a phone number; only a date question needs an entry holding a time
    const d = ask('联通国际漫游的客服专线是几号');
    expect(entryOf(d)).toBe('roaming.intl-hotline');
  });
});

describe('1c. a clear question outweighs a complaint\'s tone', () => {
  it('answers an angry visitor\'s question that an entry answers outright', () => {
    // why: the tone alone asks for nothing a person must do; the question has one right answer
    const d = ask('又被坑了 1GB流量等于多少MB?');
    expect(entryOf(d)).toBe('data.units');
    expect(d.explain.handoffYielded).toBe('handoff.complaint');
  });

  it('still hands over a complaint that asks nothing, or demands to complain', () => {
    // why: "我要投诉" is a request a person must take; an outburst without a question wants a person
    for (const t of ['太气人了 乱扣我钱', '你们这什么破自助机！跑了三个营业厅都打不出发票，我要投诉！！']) {
      const d = ask(t);
      expect(d.kind, t).toBe('handoff');
    }
  });

  it('hands over a request to act on the account even when the knowledge base answers the question in it', () => {
    // why: "switch my bundle down a tier" asks for the change itself; the tier-change entry only says how
    const d = ask('Could you switch my 亲情1+ down to the cheaper tier from next month?', 'en');
    expect(d.kind).toBe('handoff');
  });
});

describe('2. homophone slips of pinyin input', () => {
  it('reads 秘码 as 密码 and 发漂 as 发票', () => {
    // why: the Unicom terminal asks for the 服务密码; the slips sound exactly like the KB's words
    const d = ask('联通自助机打发漂要输什么秘码');
    expect(entryOf(d)).toBe('invoice.unicom-password');
    expect(d.explain.normalized).toContain('密码');
  });

  it('puts 发票 right before the other-carrier rule reads 移动', () => {
    // why: China Mobile is covered for invoices; with 发飘 misspelled the rule would call it out of scope
    const d = ask('移动营业听能打发飘吗');
    expect(d.kind).toBe('answer');
    expect(d.explain.rule).toBeUndefined();
  });

  it('never reads a slip inside a longer everyday word: 新加坡 holds no 新家', () => {
    // why: 新加 sounds like a KB term 新家 (moving home), but its 加 belongs to the country's name
    const d = ask('亲情长途包打新加坡多少钱一分');
    expect(d.explain.normalized).toContain('新加坡');
    expect(d.text).toContain('0.40');
  });

  it('never reads a slip inside a KB word: 手机号 holds no 几号', () => {
    // why: 机号 sounds like 几号, but 手机号 is a word as typed
    expect(ask('移动打出来的发票抬头是手机号').explain.normalized).toContain('手机号');
  });
});

describe('3. segmentation keeps knowledge-base terms whole', () => {
  it('reads 了解绑 as 了 + 解绑', () => {
    // why: 解绑 is the KB's term; 了解 only borrows its first character
    expect(entryOf(ask('微信营业厅怎么了解绑'))).toBe('wechat.unbind');
  });
});

describe('4. the English speller corrects only non-words', () => {
  it('keeps English words and corrects misspellings', () => {
    // why: "query" and "really" are English words; "invioce" is not
    const spell = buildSpeller(['every early invoice'], (w) => englishWords().has(w));
    expect(spell('query really invioce')).toBe('query really invoice');
  });
});

describe('5. the price guard asks whether an entry holds a price', () => {
  it('reaches the rate table however the price is asked', () => {
    // why: 几块钱 asks a price; the long-distance pack's rate table holds it for Japan (0.60)
    const d = ask('亲情长途优惠包打日本几块钱');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('0.60');
  });

  it('does not know a fee no entry gives an amount for', () => {
    // why: the source names the 停复机手续费 but never its amount
    expect(ask('复机手续费多少钱').kind).toBe('fallback');
  });

  it('answers a monthly fee only from an entry that states an amount per month', () => {
    // why: the source gives 亲情1+'s overage rates and its pack's 1 yuan a month, never the bundle's own
    // monthly fee; a per-minute rate is not an answer to it
    expect(ask('亲情1+月租多少钱').kind).toBe('fallback');
    expect(ask("what's the monthly base fee of the 亲情1+ bundle?", 'en').kind).toBe('fallback');
    const pack = ask('长途优惠包月费多少');
    expect(pack.kind).toBe('answer');
    expect(pack.text).toContain('1元');
    // why: a new user prepays one month's base fee; the entry states that amount in words, not figures
    const prepay = ask('亲情1+开户先预交多少钱');
    expect(prepay.kind).toBe('answer');
    expect(prepay.text).toContain('一个月');
    // why: asking whether the monthly fee is charged is not asking its amount (the bundle's billing answers it)
    expect(ask('这个月几乎没打电话 月租还照收吗').kind).toBe('answer');
  });
});

describe('6. a rule stated for a class reaches members it does not list', () => {
  it('answers Brazil from "other countries: IP rate × 50%"', () => {
    // why: Brazil is not listed; the pack's default branch covers every other country
    const d = ask('亲情长途优惠包打巴西多少钱');
    expect(d.text).toContain('50%');
  });

  it('knows a country by its big cities, also in another clause of the message', () => {
    // why: Toronto is in Canada (0.40/min with the pack); the city sits in the clause before the question
    const d = ask('calling my parents in Toronto from our Shanghai landline, what is the per-minute rate with the 亲情 long distance pack?', 'en');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('0.40');
  });

  it("answers Guangdong's agent hours from the rule that holds everywhere but Xinjiang", () => {
    // why: the hours are 8:30-21:30 in every province except Xinjiang
    const d = ask('广东的人工客服几点上班');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('8:30');
  });

  it('reads a city an entry names only by its province as that province, in both scripts', () => {
    // why: Urumqi is in Xinjiang, the one branch of the agents' hours that differs (9:00-22:00); the
    // city itself is a word no entry has
    for (const [text, lang] of [['乌鲁木齐微信营业厅人工几点下班', 'zh'], ['WeChat hall live agent hours in Urumqi?', 'en']] as const) {
      const d = ask(text, lang);
      expect(d.kind, text).toBe('answer');
      expect(d.text, text).toContain('22:00');
    }
  });
});

describe('6b. an entry\'s scope is what it states, not the examples its questions name', () => {
  it('gives the roaming hotline to a visitor in a country its paraphrases do not name', () => {
    // why: the hotline serves anyone abroad; a question variant mentioning Japan does not make it Japan's
    const d = ask('我在首尔 国际漫游出了问题想投诉 打哪个电话');
    expect(entryOf(d)).toBe('roaming.intl-hotline');
    expect(d.text).toContain('18618610010');
  });
});

describe('7. a qualifier outside an entry\'s scope vetoes it', () => {
  it('does not answer 4G from the 3G cap', () => {
    // why: the source gives the 3G caps only; 4G is never mentioned
    expect(ask('4G手机流量封顶多少').kind).toBe('fallback');
  });

  it('does not answer domestic roaming rates for Thailand', () => {
    // why: a country is abroad; the 2G rates are domestic
    expect(ask('联通卡在泰国漫游打电话多少钱一分钟').kind).not.toBe('answer');
  });
});

describe('7b. what kind of question: outside the knowledge base, or surely inside it', () => {
  it('says it does not know rather than answer a nearby fact so-so', () => {
    // why: the mall's payment entry says how to pay, not whether instalments on a credit card are offered;
    // the outside detector reads instalments as a question no entry answers
    const d = ask('商城买手机可以用信用卡分期吗');
    expect(d.kind).toBe('fallback');
    expect(d.explain.outside).toBeGreaterThanOrEqual(0.9);
    expect(d.explain.candidates[0]?.entryId).toBe('mall.payment');
  });

  it('answers under the gate\'s bar a message the detector is sure the knowledge base covers', () => {
    // why: "超了会停网不" asks what happens at the add-on pack's cap, which an entry states; the wording is
    // far from its questions, so the gate is unsure, but nothing in it reads as a trap
    const d = ask('手机买了个叠加包 超了会停网不');
    expect(entryOf(d)).toBe('data.gprs-pack-cap');
    expect(d.explain.insideAnswer).toBe(true);
    expect(d.confidence).toBeLessThan(0.65);
  });

  it('reads a question surely inside the KB without the kind-of-fact filter when the filter leaves it unclear', () => {
    // why: 几点 asks a time; read with only the entries holding one, the question is unclear, read with all
    // it is the agents' hours, which hold everywhere but Xinjiang (Guangxi included)
    const d = ask('我在广西 微信营业厅人工客服几点有人');
    expect(entryOf(d)).toBe('hours.human');
    expect(d.explain.answerTypeRelaxed).toBe(true);
  });

  it('keeps a confident answer however the message reads', () => {
    // why: the detector acts only below confidence 0.9; the online discount is stated outright
    const d = ask('联通网上营业厅充值打几折');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('9.85');
  });
});

describe('8. handoffs in words the rules do not list', () => {
  it('hands off a person asked for by job title or in romanized Chinese', () => {
    // why: 主管 and "rengong" ask for a person
    expect(ask('叫你们客服主管出来').kind).toBe('handoff');
    expect(ask('rengong kefu', 'en').kind).toBe('handoff');
  });

  it('hands off a first-person request to act on the account, in both languages', () => {
    // why: only an agent can change or restore a line; the bot must not explain how instead
    expect(ask('帮我把亲情1+退了').kind).toBe('handoff');
    expect(ask('I already paid, please restore my landline now', 'en').kind).toBe('handoff');
  });

  it('answers a question about how to do it', () => {
    // why: asking how to unbind is a FAQ question, not a request to act
    expect(entryOf(ask('how do I unbind my number from the wechat hall', 'en'))).toBe('wechat.unbind');
  });

  it('hands over a request in words no rule lists, by the learned request detector', () => {
    // why: sending someone to the home, lowering the tier now, getting money back: actions on the visitor's
    // own line that only an agent can take, however they are worded
    for (const t of ['我家宽带昨天开始就上不去网了 派个人来吧', '我的套餐想降档 现在就降', 'the extra 30 yuan on my bill, I want it back']) {
      const d = ask(t);
      expect(d.kind, t).toBe('handoff');
      expect(d.explain.requestHandoff, t).toBe(true);
    }
  });

  it('hands over a request to bind the number that comes with the password, masking the password', () => {
    // why: binding the visitor's own number is an action on their account; the password must not be kept
    const d = ask('my number is 13099887766 and my password 665544, please link it to wechat for me', 'en');
    expect(d.kind).toBe('handoff');
    expect(d.kind === 'handoff' && d.redact).toBe(true);
  });

  it('does not read a question about a rule as a request', () => {
    // why: when service comes back after arrears is a FAQ; nothing is asked to be done
    const d = ask('亲情1+欠费停机了多久之内能复机');
    expect(d.kind).toBe('answer');
    expect(d.explain.request).toBeLessThan(0.5);
  });
});

describe('9. follow-ups that change one thing', () => {
  it('keeps the long-distance pack when the country changes', () => {
    // why: "那巴西呢" keeps the topic and changes the country, which reaches the default branch
    const [, d] = talk('开了亲情长途优惠包打美国多少钱一分钟', '那巴西呢');
    expect(d!.kind).toBe('answer');
    expect(d!.text).toContain('50%');
  });

  it('answers a follow-up that the previous answer lists as the next question', () => {
    // why: after the agents' hours, the hours entry lists "how to reach a person" (type 00) as what is
    // asked next; "how do I get hold of one" is that question, read with the previous one, and the gate
    // weighs that the editors expect it next
    const [, d] = talk('What are the hours of the human agents in the WeChat hall?', 'right, how do I get hold of one then');
    expect(d!.kind).toBe('answer');
    expect(d!.text).toContain('00');
    expect(d!.explain.gate?.expectedNext).toBe(1);
  });

  it('stays on the previous entry for a consequence asked in words no entry has', () => {
    // why: "if I keep not paying" asks what follows from the same rule: the restore entry states the
    // 60-day limit and what it costs; no other entry reads the follow-up's own words
    const [first, d] = talk('亲情1+欠费停机了 多久内交钱能恢复', '要是一直拖着不交呢');
    expect(entryOf(first!)).toBe(entryOf(d!));
    expect(d!.text).toContain('60天');
    expect(d!.explain.followUp?.stayed).toBe(true);
    // the gate knows the best entry answered the previous message (it weighs that, fitted on the tuning part)
    expect(d!.explain.gate?.previous).toBe(1);
  });

  it('reads a terse message that names no subject with the conversation, though it reads well alone', () => {
    // why: "which number do I send it to" names no service; after 联通在信 it asks where the blocking code
    // goes (10655132), after SMS top-up where the top-up message goes (10011)
    const [, blocking] = talk('联通在信每个月都扣钱 能不能屏蔽', '发到哪个号码');
    expect(blocking!.text).toContain('10655132');
    const [, topUp] = talk('一卡充怎么用短信充值', '发到哪个号码');
    expect(topUp!.text).toContain('10011');
  });

  it('answers a follow-up that only names a place from the previous entry, which states its rule by place', () => {
    // why: the agents' hours are 8:30-21:30 except in Xinjiang (9:00-22:00); "新疆呢" changes only the province
    const [first, d] = talk('微信人工几点上班', '新疆呢');
    expect(entryOf(first!)).toBe('hours.human');
    expect(entryOf(d!)).toBe('hours.human');
    expect(d!.text).toContain('22:00');
  });

  it('leaves the previous entry when the follow-up names a service number it does not hold', () => {
    // why: 17951 is another carrier's IP prefix the KB has no rates for; 10193's rates do not answer it
    const [, d] = talk('10193白天打长途多少钱一分钟', '那17951呢');
    expect(d!.kind).not.toBe('answer');
  });

  it('answers a follow-up that changes only the place from the entry that states its facts by place', () => {
    // why: the agents' hours differ in Xinjiang (9:00-22:00); "新疆呢" keeps the topic and changes the
    // province, and the hours entry states the Xinjiang branch
    const [first, d] = talk('微信营业厅的人工客服几点下班啊', '新疆呢');
    expect(first!.kind).toBe('answer');
    expect(d!.kind).toBe('answer');
    expect(d!.text).toContain('22:00');
  });

  it('keeps a question the bot nearly placed as the frame for the next message, but not a rule\'s reply', () => {
    // why: a short follow-up ("and Japan?") often completes a question the bot could not place alone;
    // a reply by rule (another carrier) is no frame to lean on
    const missed = ask('国外的怎么收');
    expect(missed.kind).toBe('fallback');
    expect(engine.nextContext({}, missed).lastQuery).toBe(missed.explain.query);
    const byRule = ask('电信宽带多少钱');
    expect(byRule.kind).toBe('fallback');
    expect(engine.nextContext({}, byRule).lastQuery).toBeUndefined();
  });

  it('knows 跨省 as the inter-province side of the roaming packs', () => {
    // why: the roaming-pack entry gives both packs: in-province 2元, inter-province 3元
    const [, d] = talk('省内漫游包一个月几块钱', '跨省的呢');
    expect(d!.kind).toBe('answer');
    expect(d!.text).toContain('3元');
  });
});

describe('10-11. no clarify on a clear question; the lean to Unicom holds', () => {
  it('answers an SMS top-up of a Unicom phone outright, with the SMS to send', () => {
    // why: 联通 and 短信充值 ask one thing; both SMS entries give the format, so choosing is no help
    const d = ask('怎么用短信给联通手机充值');
    expect(d.kind).toBe('answer');
    expect(d.text).toContain('CZ#');
    expect(d.text).toContain('10011');
  });

  it("answers a top-up invoice question naming no carrier from Unicom's entries", () => {
    // why: this is Unicom's hall; China Mobile only when the visitor names it
    const d = ask('充值发票怎么开');
    expect(d.kind).toBe('answer');
    expect(d.kind === 'answer' && d.entryId.startsWith('invoice.unicom')).toBe(true);
  });

  it("does not answer another carrier's question from an entry that names no carrier", () => {
    // why: this is Unicom's hall, so an entry naming no carrier (the WeChat hall's agent hours) is Unicom's;
    // the source says nothing of China Mobile's WeChat hall
    expect(ask('China Mobile WeChat hall human agents, what hours?', 'en').kind).toBe('fallback');
  });
});

describe('10b. a gate sure of the winner answers however close the runner-up scored', () => {
  it('answers a winner the gate is sure of instead of offering two entries', async () => {
    // why: the editors' case (knowledge/tests/invoice.yaml) asks where China Mobile's service password comes
    // from; two China Mobile invoice entries score within 5% of each other. The gate reads that margin among
    // its inputs: at or above \`sureDespiteMargin\` its confidence answers, below it the two are offered.
    // Engines with the bar just under and just over this message's confidence show both sides.
    const text = '移动打发票用的服务密码去哪找';
    const d = ask(text);
    expect(d.explain.margin).toBeLessThan(0.05);
    expect(d.confidence).toBeGreaterThan(defaultEngineOptions.answerThreshold + 0.01);
    const at = (bar: number) => shippedEngine({ confidence: { ...defaultEngineOptions.confidence, sureDespiteMargin: bar } });
    const [sure, unsure] = await Promise.all([at(d.confidence - 0.01), at(d.confidence + 0.01)]);
    expect(entryOf(sure.decide(text))).toBe('invoice.mobile-password');
    expect(unsure.decide(text).kind).toBe('clarify');
  });
});

describe('10c. a runner-up that covers far less of the question is no rival', () => {
  it('answers the entry that covers the whole question though the runner-up scored close', () => {
    // why: "when do the WeChat agents start" is all in the agents' hours; the way to reach an agent scores close
    // on 微信 and 人工 but says nothing of when they start, so offering both would ask the visitor to choose
    // between an answer and half of one
    const d = ask('微信人工几点上班');
    expect(d.explain.margin).toBeLessThan(0.05);
    expect((d.explain.candidates[0]?.coverage ?? 0) - (d.explain.candidates[1]?.coverage ?? 0)).toBeGreaterThanOrEqual(0.4);
    expect(entryOf(d)).toBe('hours.human');
    expect(d.text).toContain('8:30');
  });
});

describe('12. what visitors see', () => {
  it('shows no backticks or editorial notes in any answer', () => {
    // why: the widget renders plain text; notes about "the source" are for editors
    for (const e of engine.kb.entries) {
      for (const text of [e.answer.zh, e.answer.en]) {
        expect(text, e.id).not.toMatch(/`|资料中|这里没有资料|根据资料|the source/i);
      }
    }
  });

  it('treats "are you a robot" as smalltalk, not a request for a person', () => {
    // why: it asks what the bot is; a person is offered in the reply
    const d = ask('你们是机器人吗');
    expect(d.kind).toBe('fallback');
    expect(d.explain.rule?.id).toBe('reply.identity');
  });

  it('says goodbye to a thank-you that ends the chat', () => {
    // why: nothing is asked; "I don't know" would be the wrong reply
    for (const t of ['好的谢谢 没别的问题了', 'ok thanks, that is all I needed']) {
      const d = ask(t);
      expect(d.kind, t).toBe('fallback');
      expect(d.explain.rule?.id ?? 'none', t).toMatch(/^reply\.(thanks|goodbye)$/);
    }
  });
});
