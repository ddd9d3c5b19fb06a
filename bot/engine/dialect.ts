// Hong Kong (Cantonese) and Taiwan wording folded to the Mandarin the knowledge base is written in.
// OpenCC converts script and Taiwan phrases (列印 -> 打印), not Cantonese grammar words: "服务密码系咩"
// (是什么) or "我唔系联通用户" (不是) keep words no entry has, and the question reads as out of scope.
// Applied to simplified text, longest first, so 唔系 becomes 不是 before 唔 alone becomes 不.

/** Cantonese words and Taiwan terms (already in simplified script) with their Mandarin form. */
const WORDS: Readonly<Record<string, string>> = {
  // is / is not / whether
  系唔系: '是不是', 系咪: '是不是', 唔系: '不是', 就系: '就是', 都系: '都是', 我系: '我是', 你系: '你是', 佢系: '他是', 系咩: '是什么', 系边: '是哪',
  // question words
  乜嘢: '什么', 咩嘢: '什么', 咩: '什么', 乜: '什么', 点解: '为什么', 点样: '怎样', 点计: '怎么算', 点收: '怎么收', 点办: '怎么办', 点弄: '怎么弄',
  几多钱: '多少钱', 几多: '多少', 边度: '哪里', 边个: '哪个', 边间: '哪家', 几时: '什么时候',
  // negation, verbs, places, people
  唔该: '请', 唔使: '不用', 使唔使: '需不需要', 要唔要: '要不要', 得唔得: '行不行', 可唔可以: '可不可以', 有冇: '有没有', 冇: '没有', 唔: '不',
  喺: '在', 嘅: '的', 啲: '些', 咗: '了', 睇: '看', 揾: '找', 攞: '拿', 俾: '给', 畀: '给', 嚟: '来', 咁: '这么', 嘢: '东西',
  佢哋: '他们', 我哋: '我们', 你哋: '你们', 佢: '他', 屋企: '家里', 而家: '现在', 琴日: '昨天', 听日: '明天', 返工: '上班', 开工: '上班', 收工: '下班',
  // sentence particles carry no meaning for matching
  㗎: '', 喎: '', 噃: '', 啩: '', 囉: '', 嘞: '',
  // Taiwan terms OpenCC leaves as they are
  储值卡: '充值卡', 储值: '充值', 门号: '号码', 简讯: '短信', 行动电话: '手机', 网路营业厅: '网上营业厅', 网路: '网上', 宽频: '宽带', 帐单: '账单', 帐户: '账户',
};

const PATTERN = new RegExp(
  Object.keys(WORDS)
    .sort((a, b) => b.length - a.length)
    .join('|'),
  'gu',
);

export function foldDialect(simplified: string): string {
  return simplified.replace(PATTERN, (m) => WORDS[m] ?? m);
}
