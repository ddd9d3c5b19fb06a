// First-person requests to act on the visitor's own account, line or order ("帮我把亲情1+退了",
// "please restore my landline"): only an agent can do them, so they hand off, in both languages.
// rules.yaml lists the common phrasings; this detector reads the shape of a request instead of a
// list of sentences: someone asks the service to do something, with an action verb, on something
// of theirs. A question about how to do it ("怎么解绑", "how do I unbind") stays a FAQ question.

export interface AccountAction {
  /** The words that made it a request, for the explain trace. */
  matched: string;
}

// The service is asked to act: 帮我/给我/替我/麻烦/你(们)给我/请你; the verb follows within a word or two
// (帮我爸妈在上海办的 is a story, not a request: 帮 + 我爸妈 is not followed by a verb).
const ZH_ASK = '(?:帮我|帮俺|给我|给俺|替我|替俺|(?:帮|替)(?:她|他)(?!们)(?=把|[^，,。!?？\\s]{0,4}?(?:开|停|复机|挂失|办|退|取消|补|改|查))|帮忙|麻烦(?:你们?|您)?(?:帮|给)?(?:我|俺)?|(?<!申|邀|聘)请(?!问)(?:你|您)?(?:帮|给)?(?:我|俺)?|你们?(?:(?:这边|那边)(?:能不能|能|可以)?)?(?:直接)?(?:帮|给)(?:我|俺|他|她)?|(?:能不能|能否)给(?:他|她)(?!们)|你们?(?=赶紧|快点?|马上|看看|查查|查一下|查下)|能(?:不能)?帮(?:我|她|他)|可以帮(?:我|她|他))(?:们|再|直接|赶紧|快点?|马上|立刻|现在|重新|先|就)?';
const ZH_VERB =
  '(?:查查|查一下|查下|查询|查|看看|看一下|看下|核实|核对|处理|解决|改|换|变更|修改|退订|退掉|退|取消|停掉|停了|停|关掉|关闭|关(?!于|心|系|注)|开通|开一下|开机|开|复机|恢复|补开|补打|补办|重开|重新开|重开一张|解绑|解除|解了|解|绑定|催|修|维修|移机|过户|降|升|调出来|拆|注销|销户|办理|办|弄|转到|转成|作废|重置|操作|挂失|冻结|转回|退回|撤回|合到|合并|导出|发给我|发我|瞅瞅|瞅一下|瞅|瞧瞧|复个机|复个|补一张|补张|补一下|补|移到|搬到|迁到|留着|保留|销了|销掉|申请|退钱|退给我|追回|要回|调一下|调出|打出来|打一张|寄给我|寄到|寄过来|邮寄|看下为什么|移了|移走|移过去|check|cancel)';
// The verb may follow a few words naming the thing ("给我那条固话开通"), but not as a clause about the
// past ("帮我爸妈在上海办的亲情1+": 办的 describes, it does not ask).
const ZH_REQUEST = new RegExp(`${ZH_ASK}(?:把[^，,。!?？]{1,24}?|[^，,。!?？\\s]{0,6}?)${ZH_VERB}(?!的)`, 'u');
// A top-up asked for a number ("帮我给13012345678充五十块"): paying into a line is done by the visitor online or
// by an agent, never by the bot. Without a number ("帮我充话费怎么充") it stays a question about topping up.
const ZH_TOP_UP_FOR = /(?:帮|替)(?:我|俺)?给?\d{5,13}\S{0,4}(?:充|交|缴)/u;
// "把我上个月的详单调出来给我", "把我那个号停了": something of the visitor's, acted on, for them.
// "把我的套餐从96元的改成66元的", "把我家亲情1+降一档": a change with its new state named (成, 到, 一档).
const ZH_BA = new RegExp(`把(?:我|俺)[^，,。!?？]{0,14}?${ZH_VERB}(?:了|掉|吧|出来|给我|一下|成|到|一档)`, 'u');
// "能不能派人上门看看", "安排个师傅来家里": someone sent to the visitor's home, which only the operator can arrange.
const ZH_DISPATCH = /(?:派|安排|叫|找)(?:个|一个|名)?(?:人|师傅|工作人员|技术员|维修(?:人员|师傅)?)(?:过来|来)?(?:上门|到家|来家里|到我家|过来看|来看|来修)/u;
// "查下我这个座机的长途包开了没有", "看一下我的话费怎么扣的": the service told to look at something of the
// visitor's, at the start of a clause (a question about how to check is "怎么查", which this does not match).
const ZH_CHECK_MINE = /(?:^|[，,。!！?？\s])(?:查查|查一下|查下|看看|看一下|看下|核实一下|核对一下)(?:我|俺)(?:的|这个|那个|家|们)/u;
// Something of the visitor's that has not come or arrived ("上礼拜在商城下的单 手机到现在还没个动静",
// "充的钱还没到账"): a problem with their own order or payment, which only an agent can look into.
const ZH_STILL_NOT = /(?:下的单|买的|充的|交的|订的|付的|寄的|办的)[^，,。!?？]{0,12}(?:还没|没个动静|没动静|没到账|没收到|还不到)/u;
// An order to stop or cancel ending the message, with nobody addressed: "漫游包我用不着了 停了吧".
const ZH_STOP_NOW = /(?:^|[\s，,。!！])(?:那就|就|那)?(?:停了|停掉|关了|关掉|退了|退掉|取消了|取消掉|销了|销掉)吧[!！。.]*$/u;
// A request for information, not an action: "帮我解释一下", "给我说说怎么办".
// "人工客服能帮我办哪些事" asks what can be done, not for something to be done.
const ZH_INFO = /(帮我|给我|替我|麻烦你?|请你)(看看|看下|查查)?(告诉|说说|说一下|讲讲|讲一下|解释|介绍|分析|推荐|算算|算一下)|帮(我|忙)?\S{0,3}(哪些|什么事|啥事|哪类|什么业务|些啥|些什么|(?<!为)什么)/u;

const EN_VERB =
  '(?:turn (?:it|them|my \\S+) (?:back )?(?:on|off)|reverse|pull up|pull|get someone to (?:look|check|fix)|send (?:a |an )?(?:technician|engineer|someone)|report (?:it |my \\S+ )?(?:lost|stolen)|reset|check|look into|look at|find out|investigate|cancel|unbind|unlink|restore|reactivate|re-activate|reconnect|turn on|turn off|switch on|switch off|activate|enable|disable|reissue|re-issue|resend|re-send|redo|fix|correct|change|switch|downgrade|upgrade|stop|suspend|close|terminate|move|transfer|refund|pull up|show me|send me|open|add|remove|top up|recharge|update|unblock|unlock|waive|sort out|deal with|chase (?:it |this |that |them )?up|chase|follow up on|issue|chk|trace|block|freeze|pop (?:it|them|this|that)? ?(?:onto|on|into)|put (?:it|them|this|that) (?:onto|on|into)|sign (?:me|us|them) up|set (?:it|this|that) up|return (?:my|our) money|mail|post|courier|deliver|reprint|print (?:it|them|one) again|make (?:the |a |an )?(?:fapiao|invoice)|get (?:my|our) money back|sort (?:it|this|that) out)';
// "please restore my landline", "can you reissue it", "I need you to check my bill"
const EN_ASK = new RegExp(`\\b(?:please|pls|plz|kindly|can you|could you|would you|will you|can u|could u|can someone|could someone|can somebody|i want you to|i need you to|i'd like you to|you need to|you have to|you must|help me|help us|would you be able to|are you able to|would it be possible for you to|(?:i'd|i would) be grateful if (?:someone|somebody|you) could|is there (?:a|any) way (?:you|u) (?:can|could))\\b(?:\\s+(?:please|just|now|quickly|immediately|also|then|possibly|kindly|help me|help us))*\\s+${EN_VERB}\\b`, 'u');
// An imperative at the start of a sentence on something of the visitor's: "cancel my order", "show me my bill".
const EN_OWN = '(?:the\\s+[^.?!]{0,30}?\\b(?:i|we) (?:placed|made|bought|ordered|paid|topped up|got)\\b|(?:my|our)\\s+(?:\\S+\\s+){0,2}(?:number|order|pack|pass|data|card|phone|mobile|line|account|bundle|plan|package|broadband|landline|bill|fapiao|invoice|subscription|contract|sim|service|tariff|wechat|phone number|call list|call records|detailed bill|billing mode|mode|top-up|topup|payment)s?)';
const EN_IMPERATIVE = new RegExp(`(?:^|[.!?,;]\\s*|\\b(?:ok|okay|so|now|then|just|right|fine|alright|and)\\s+)${EN_VERB}\\s+(?:${EN_OWN}|it|this|that|what happened|why)\\b`, 'u');
// "... cancel the subscription for me", "check what happened"
const EN_FOR_ME = new RegExp(`\\b(?:${EN_VERB}|bind|link|do (?:it|that|this))\\b[^.?!]{0,50}\\bfor (?:me|us|her|him)\\b|\\b(?:check|find out|look into) what happened\\b`, 'u');
// The verb then the please ("chk pls", "cancel it please"), or the thing named as the visitor's after it
// ("cancel the long-distance pack on my landline").
const EN_VERB_PLEASE = new RegExp(`\\b${EN_VERB}\\s+(?:pls|please|plz)\\b|(?:^|[.!?,;]\\s*)${EN_VERB}\\b[^.?!]{0,60}\\b(?:on|of|from|for|to) (?:my|our)\\b`, 'u');
// Said outright at the end, whatever came before: "... sort it out", "... get my money back".
const EN_ANYWAY = /\b(?:sort (?:it|this|that) out|get (?:my|our) money back|(?:i need|i want|give me|send me) a new one|(?:can|could) (?:you|u) do (?:it|that|this) (?:right )?now)\b/u;
// Something the visitor paid for or ordered that has not come: "paid with alipay 2 hours ago and the money still not on my number".
const EN_STILL_NOT = /\b(?:i )?(?:paid|ordered|bought|topped up|sent)\b[^.?!]{0,60}\b(?:still not|still hasn'?t|not yet|hasn'?t|has not|haven'?t|never) (?:arrived|come|on|in|received|credited|shown up|showed up|reached)\b/u;
// Asked in the passive of something of theirs ("could one of them be refunded?"), or told to a "you" ("ok then you
// print mine now"): the service is asked to act all the same.
const EN_PASSIVE = /\b(?:could|can|would|will) (?:one of them|(?:my|our|the (?:extra|double|duplicate|wrong)) (?:\w+ ){0,2}(?:charge|payment|order|invoice|fapiao|top-?up|fee|money)s?) (?:please )?be (?:refunded|cancell?ed|reversed|reissued|re-issued|corrected|changed|returned|credited|fixed)\b/u;
const EN_YOU_DO = /(?:^|\b(?:ok|okay|so|then|now)\s+(?:then\s+)?)you (?:print|send|cancel|change|check|fix|do|give) (?:it|mine|this|that|them|my)\b/u;
// Asking how, or whether one may: a FAQ question even with "my" in it.
const EN_INFO = /\b(?:how (?:do|can|should|would) (?:i|we)|how to|can i|could i|may i|is it possible|am i allowed|tell me how|explain|what (?:do|should) i)\b/u;
// "check my subscriptions by sms" tells how the visitor would check: a question, not a request.
const EN_HOW = /\b(?:by|via) (?:sms|text)\b/u;

export function detectAccountAction(normalized: string): AccountAction | undefined {
  const zh = !ZH_INFO.test(normalized)
    ? (ZH_REQUEST.exec(normalized) ?? ZH_BA.exec(normalized) ?? ZH_CHECK_MINE.exec(normalized) ?? ZH_DISPATCH.exec(normalized) ?? ZH_TOP_UP_FOR.exec(normalized) ?? ZH_STOP_NOW.exec(normalized) ?? ZH_STILL_NOT.exec(normalized))
    : null;
  if (zh) return { matched: zh[0] };
  if (EN_INFO.test(normalized)) return undefined;
  const en = EN_ANYWAY.exec(normalized) ?? EN_STILL_NOT.exec(normalized) ?? EN_PASSIVE.exec(normalized) ?? EN_YOU_DO.exec(normalized) ?? EN_ASK.exec(normalized) ?? (EN_HOW.test(normalized) ? null : (EN_IMPERATIVE.exec(normalized) ?? EN_VERB_PLEASE.exec(normalized))) ?? EN_FOR_ME.exec(normalized);
  return en ? { matched: en[0].trim() } : undefined;
}
