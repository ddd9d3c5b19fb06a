// Long messages and two questions in one: the clauses a message can be read by, one at a time.
// A story before the question dilutes how much of the message an entry accounts for; "几号能取?
// 另外代办要带什么" asks two things, each of which an entry answers.

/** Clauses shorter than this (characters, spaces excluded) carry no question of their own. Range 2-8; default 4. */
const MIN_CLAUSE_CHARS = 4;
/** At most this many clauses are read (the last ones: a story comes first, the question last). Range 2-8; default 3. */
const MAX_CLAUSES = 3;
/**
 * A message at least this long is also split at commas: a comma then separates sentences, not list
 * items. Chinese characters, or English words (a word says about what two characters do). Ranges
 * 20-80 and 8-40; defaults 30 and 15.
 */
const LONG_MESSAGE_CHARS = 30;
const LONG_MESSAGE_WORDS = 15;

// Sentence ends and words that open another question.
const SENTENCE = /[?!;。！？；]+|\s*(?:另外|还有个?问题|还有就是|还有|再问一?下|顺便问一?下|顺便|以及|第二个?问题)\s*|\s*\b(?:another question|second question|btw|by the way|two questions)\b:?\s*/u;
const COMMA = /[,，、]+/u;

export function splitClauses(normalized: string): string[] {
  const han = normalized.match(/\p{Script=Han}/gu)?.length ?? 0;
  const words = normalized.match(/[a-z]+/g)?.length ?? 0;
  const long = han >= LONG_MESSAGE_CHARS || words >= LONG_MESSAGE_WORDS || han + 2 * words >= LONG_MESSAGE_CHARS * 1.5;
  const pieces = normalized
    .split(SENTENCE)
    .flatMap((p) => (long ? p.split(COMMA) : [p]))
    .map((p) => p?.trim() ?? '')
    .filter((p) => p.replace(/\s+/g, '').length >= MIN_CLAUSE_CHARS);
  return pieces.length > 1 ? pieces.slice(-MAX_CLAUSES) : [];
}

// Marks of a question: a question mark, a closing particle, or an interrogative word.
const QUESTION = /[?？]|[吗呢么嘛][?？!。.]*$|怎么|如何|怎样|咋|多少|几|什么|啥|哪|能不能|可不可以|是不是|有没有|\b(how|what|when|where|which|who|why|can|could|do|does|is|are|will)\b/u;

// A question asked outright, for weighing it against a complaint's tone: "什么破" and "is" inside a
// sentence are not questions, so English counts an interrogative word, or an auxiliary opening the message.
const OUTRIGHT = /[?？]|[吗呢么嘛][!。.]*$|怎么|如何|怎样|咋|多少|几|什么(?!破)|啥|哪|能不能|可不可以|是不是|有没有|\b(how|what|when|where|which|why)\b|^(can|could|do|does|is|are|will|should)\b/u;

/** The message asks something outright (a question mark, a closing particle or an interrogative word). */
export function asksQuestion(text: string): boolean {
  return OUTRIGHT.test(text);
}

/** How many of the clauses ask something: two or more make a message worth reading clause by clause even when it reads well whole. */
export function questionsAsked(clauses: readonly string[]): number {
  return clauses.filter((c) => QUESTION.test(c)).length;
}
