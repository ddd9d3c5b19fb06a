import { beforeAll, describe, expect, it } from 'vitest';
import { groupUnanswered } from '../../handoff/content/unanswered-groups.ts';
import type { UnansweredRow } from '../../handoff/content/unanswered-store.ts';
import type { Decision } from '../engine/decision.ts';
import type { Engine } from '../index.ts';
import { lackedAnswer, unansweredRecord } from './unanswered-log.ts';
import { shippedEngine } from '../engine/shipped-engine-kit.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await shippedEngine();
});

/** Each text through the real engine and the real record, as the chat turn does it. */
function rows(texts: string[]): UnansweredRow[] {
  return texts.map((text, i) => {
    const record = unansweredRecord(engine.decide(text), text, `c${i}`, `2025-03-01T10:00:0${i}.000Z`);
    if (!record) throw new Error(`the bot answered ${text}`);
    return { ...record, id: i + 1 };
  });
}

describe('lackedAnswer', () => {
  it('counts a no-match fallback and a clarify, not an answer, a request for a person or an empty message', () => {
    expect(lackedAnswer(engine.decide('我家的狗会不会说话'))).toBe(true); // no_match
    expect(lackedAnswer(engine.decide('流量'))).toBe(true); // clarify between several data entries
    expect(lackedAnswer(engine.decide('充值卡密码几位'))).toBe(false);
    expect(engine.decide('转人工').kind).toBe('handoff');
    expect(lackedAnswer(engine.decide('转人工'))).toBe(false); // requested: the visitor wants a person
    expect(lackedAnswer(engine.decide('？？'))).toBe(false); // no content words
  });

  it('counts the handoff after repeated misses (low_confidence)', async () => {
    const escalating = await shippedEngine({ handoffAfterFallbacks: 2 });
    const first = escalating.decide('我家的狗会不会说话');
    const second = escalating.decide('我家的猫会不会唱歌', { context: escalating.nextContext({}, first) });
    expect(second).toMatchObject({ kind: 'handoff', reason: 'low_confidence' });
    expect(lackedAnswer(second)).toBe(true);
  });

  it('does not count a complaint', () => {
    const d: Decision = { ...engine.decide('我家的狗会不会说话'), kind: 'handoff', reason: 'complaint' } as Decision;
    expect(lackedAnswer(d)).toBe(false);
  });
});

describe('unansweredRecord', () => {
  it('masks a phone number in the text, the key and the tokens, and keeps the candidates with scores', () => {
    const text = '我这个号码13812345678是哪年开始有的';
    const r = unansweredRecord(engine.decide(text), text, 'c1', '2025-03-01T10:00:00.000Z')!;
    expect(r.text).toBe('我这个号码138****5678是哪年开始有的');
    expect(r.normKey).not.toMatch(/12345678|1234/);
    expect(r.tokens.join(' ')).not.toMatch(/\d{5}/);
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) expect(c.score).toBeGreaterThan(0);
    expect(r).toMatchObject({ conversationId: 'c1', lang: 'zh', kind: 'fallback', reason: 'no_match' });
  });

  it('masks full-width digits, an ID number and a password phrase', () => {
    // A typed password is answered by a rule (not logged); the masks still hold for any text that reaches the log.
    const missed = engine.decide('我家的狗会不会说话');
    const text = '号码１３８１２３４５６７８，身份证110105194912310021，服务密码是abc12345';
    const r = unansweredRecord(missed, text, 'c1', 't')!;
    expect(r.text).toBe('号码138****5678,身份证******************,服务密码是********');
    expect(r.normKey).not.toMatch(/1234|abc12345|19491231/);
  });
});

describe('grouping the engine tokens', () => {
  it('groups the same question punctuated and worded a little differently', () => {
    const groups = groupUnanswered(rows(['宽带猫的灯一直闪红色', '宽带猫的灯，一直闪红色！', '宽带猫的灯一直在闪红色呢']));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.count).toBe(3);
    expect(groups[0]!.variants).toHaveLength(3);
  });

  it('groups English differing only in case and punctuation', () => {
    const groups = groupUnanswered(rows(['can my dog use the phone', 'Can my dog use the phone?!']));
    expect(groups).toHaveLength(1);
  });

  it('keeps apart different questions that share one word (宽带)', () => {
    const groups = groupUnanswered(rows(['宽带的网线是什么颜色', '我的宽带是哪家公司装的', '宽带猫的灯一直闪红色']));
    expect(groups).toHaveLength(3);
  });
});
