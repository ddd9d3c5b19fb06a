// The answer engine: normalize -> language -> rules -> synonyms -> retrieval -> confidence -> decision.
// Pure and synchronous: everything costly is built once per knowledge-base version.
// Why one file of this size: it is the pipeline itself, each stage a call into its own module (normalize,
// rules, retrieve, answer-gate, follow-up, entities, ...); what stays here is the order of the stages and the
// decision they add up to, which reads best in one place.
import type { AnswerType, Entry, KnowledgeBase, Lang } from '../../knowledge/types.ts';
import type { Candidate, ConversationContext, Decision, Explain, Suggestion } from './decision.ts';
import { defaultEngineOptions, type EngineOptions } from './engine-options.ts';
import { normalize } from './normalize.ts';
import { detectLanguage } from './detect-language.ts';
import { buildSynonyms } from './synonyms.ts';
import { buildSpeller } from './spell.ts';
import { englishWords } from '../../knowledge/text/english-words.ts';
import { buildHomophoneFixer, buildPinyinReader } from './homophones.ts';
import { detectAccountAction } from './account-action.ts';
import { asksQuestion, splitClauses } from './clauses.ts';
import { buildEntityReader, excludes, type EntityMention, type EntityProfile } from './entities.ts';
import { createAnalyzer, type Unit } from './tokenize.ts';
import { loadChineseLexicon } from './jieba.ts';
import { buildRuleMatcher, buildRuleWordRemover } from './match-rules.ts';
import { ENTRIES_PER_STEP, retrieverSteps, runSteps, type IndexedEntry } from './retrieve.ts';
import { buildContrasts, looksLikeFollowUp } from './follow-up.ts';
import { gateFeatures, gateProbability, type GateFeatures } from './answer-gate.ts';
import { rankCandidates } from './candidate-ranker.ts';
import { trainLearnedChannel, type LearnedChannel } from './learned-channel.ts';
import { messageFeatures, probability } from './message-classifier.ts';

/** One message being decided: what every stage after the rules reads (the detectors' features computed once). */
interface Turn {
  normalized: string;
  ctx: ConversationContext;
  lang: Lang;
  explain: Explain;
  base: { lang: Lang; explain: Explain; suggestions: Suggestion[] };
  features: readonly string[];
}

export interface DecideOptions {
  /** The visitor's chosen language; otherwise detected, then the conversation's, then Chinese. */
  lang?: Lang;
  context?: ConversationContext;
  /** Overrides RetrievalOptions.postingsBudget for this call: the scale bench times a full OR query against the pruned one. */
  postingsBudget?: number;
}

export interface Engine {
  readonly kb: KnowledgeBase;
  readonly options: EngineOptions;
  decide(text: string, opts?: DecideOptions): Decision;
  nextContext(prev: ConversationContext, decision: Decision): ConversationContext;
  /**
   * Whether any rule marked `redact` matches the text (a password typed into the chat), whatever rule
   * would win: for messages no decision is made on (a person has the chat), and as a second check on bot turns.
   */
  carriesSecret(text: string): boolean;
  entry(id: string): Entry | undefined;
}

/** Ranked candidates and what they say about the query, before any decision. */
interface Reading {
  query: string;
  tokens: string[];
  units: Unit[];
  candidates: Candidate[];
  topScore: number;
  margin: number;
  coverage: number;
  confidence: number;
  /** What the answer gate was given (its output is `confidence` when a gate model is set). */
  features?: GateFeatures;
  /** The learned channel's choice among all entries, for the explain trace. */
  learned?: { entryId: string; lead: number };
  /**
   * The two best entries account for the question equally and are nearly as close, before any lean
   * to a default side: the words asked do not tell them apart ("密码" alone), so the visitor chooses.
   */
  tied: boolean;
}

/** Score kept by an entry only about a non-default side when the question names none (0..1; default 0.9). */
const OFF_DEFAULT_SCORE = 0.9;
/**
 * Share of a handoff message's words an entry must account for to name its subject (0..1; default 0.2):
 * below it, "帮我转人工" says nothing of a subject and the conversation's topic decides.
 */
const SUBJECT_COVERAGE = 0.2;
/** A service number or code: five or more digits (10193, 10655132), as no amount in the KB is. */
const CODE = /^\d{5,}$/;
/** The abroad side's word in the domestic/abroad contrast of synonyms.yaml, named by any country. */
const ABROAD = '国际';

/**
 * Distinct question features assumed per entry when judging, before reading any question, whether the learned
 * channel's table (features x entries) can fit its cell budget; above it the channel is not trained
 * (range 500-5000; default 1000).
 */
const MIN_FEATURES_PER_KB = 1000;

/** Lead in closest-question similarity that makes two close entries not a tie (0..1; default 0.08). */
const CLEAR_SIMILARITY_LEAD = 0.08;

/**
 * Lead in coverage that makes a close runner-up no rival: it scored near the winner but accounts for far less
 * of the question ("微信人工几点上班": the agents' hours cover it all, the way to reach one half). On the tuning
 * part's blind batches 0.3 and 0.4 answer 2 more right, no more wrong; 0.2 one more wrong (0..1; default 0.4).
 */
const CLEAR_COVERAGE_LEAD = 0.4;

/** Lead in closest-question similarity that lets a one- or two-word question held by several entries name one of them (0..1; default 0.2). */
const SHORT_QUESTION_LEAD = 0.2;

/** Candidates scoring at least this share of the top score are offered in a clarify (0..1; default 0.55). */
const CLARIFY_SCORE_SHARE = 0.55;

export function createEngine(kb: KnowledgeBase, options: Partial<EngineOptions> = {}): Engine {
  return runSteps(engineSteps(kb, options));
}

/**
 * The same build, giving the event loop back every few milliseconds: a server reloading a large
 * knowledge base keeps answering with the old engine meanwhile (10k entries take seconds to index).
 */
export async function createEngineAsync(kb: KnowledgeBase, options: Partial<EngineOptions> = {}): Promise<Engine> {
  const steps = engineSteps(kb, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* engineSteps(kb: KnowledgeBase, options: Partial<EngineOptions>): Generator<void, Engine> {
  const opts: EngineOptions = { ...defaultEngineOptions, ...options };
  const rewrite = buildSynonyms(kb.synonyms);
  const prepare = (t: string) => rewrite(normalize(t)).trim();
  // Every entry text is normalized and rewritten once here; the index, the speller and the
  // contrast sides below all start from these (at 100k entries each pass costs seconds).
  const texts: { normalized: { zh: string[]; en: string[]; keywords: string[]; answer: { zh: string; en: string } }; indexed: IndexedEntry }[] = [];
  const rewritten = (t: string) => rewrite(t).trim();
  for (const e of kb.entries) {
    if (texts.length > 0 && texts.length % ENTRIES_PER_STEP === 0) yield;
    const normalized = { zh: e.questions.zh.map(normalize), en: e.questions.en.map(normalize), keywords: e.keywords.map(normalize), answer: { zh: normalize(e.answer.zh), en: normalize(e.answer.en) } };
    texts.push({
      normalized,
      indexed: {
        id: e.id,
        questions: [...normalized.zh, ...normalized.en].map(rewritten),
        keywords: normalized.keywords.map(rewritten),
        answers: [rewritten(normalized.answer.zh), rewritten(normalized.answer.en)],
      },
    });
  }
  const lexicon = loadChineseLexicon();
  const analyze = createAnalyzer(lexicon, texts.flatMap((t) => t.indexed.keywords), kb.synonyms.flatMap((g) => g.terms).map(prepare));
  // Homophone slips are read as the KB's own terms (keywords, synonym terms).
  const terms = new Set<string>([...kb.synonyms.flatMap((g) => g.terms).map(normalize), ...texts.flatMap((t) => t.normalized.keywords)]);
  const fixHomophones = buildHomophoneFixer(terms, lexicon);
  const englishWordList = englishWords();
  const readPinyin = buildPinyinReader(terms, (w) => englishWordList.has(w));
  const spell = buildSpeller([...kb.synonyms.flatMap((g) => g.terms).map(normalize), ...texts.flatMap(({ normalized: n }) => [...n.en, ...n.keywords, n.answer.en])], (w) => englishWordList.has(w));
  // The learned channel trains on every question variant and the entry's keywords read as one question.
  const trainingQuestions: { entry: number; features: string[] }[] = [];
  // Large generated KBs skip it before reading their questions twice (see LearnedChannelOptions.maxCells).
  for (const [i, t] of (texts.length * MIN_FEATURES_PER_KB <= opts.learnedChannel.maxCells ? texts : []).entries()) {
    if (i > 0 && i % ENTRIES_PER_STEP === 0) yield;
    for (const q of t.indexed.questions) trainingQuestions.push({ entry: i, features: channelFeatures(analyze(q)) });
    if (t.indexed.keywords.length > 0) trainingQuestions.push({ entry: i, features: channelFeatures(analyze(t.indexed.keywords.join(' '))) });
  }
  const channel: LearnedChannel | undefined = yield* trainLearnedChannel(trainingQuestions, opts.learnedChannel);
  const entryIndex = new Map(kb.entries.map((e, i) => [e.id, i]));
  const matchRule = buildRuleMatcher(kb.rules);
  const withoutRuleWords = buildRuleWordRemover(kb.rules);
  const matchSecretRule = buildRuleMatcher(kb.rules.filter((r) => r.redact));
  const retriever = yield* retrieverSteps(texts.map((t) => t.indexed), analyze, opts.retrieval);
  const contrasts = buildContrasts(kb.contrasts, rewrite);
  // Which contrast sides each entry's questions name, e.g. invoice.mobile-period names 移动.
  const entrySides = new Map<string, number[][]>();
  for (const [i, e] of kb.entries.entries()) {
    if (i > 0 && i % ENTRIES_PER_STEP === 0) yield;
    entrySides.set(e.id, contrasts.sides([...texts[i]!.indexed.questions, ...texts[i]!.indexed.keywords].join('\n')));
  }
  // What each entry is about on each contrast: an entry naming no carrier is about the default one (this is
  // Unicom's hall), so "Is the China Mobile WeChat hall open at night" is not answered from Unicom's hours.
  const scopeSides = new Map([...entrySides].map(([id, sides]) => [id, contrasts.withDefault(sides)]));
  // Which provinces and countries each entry names, and whether it states the rule for the rest.
  const entities = buildEntityReader();
  const entryEntities = new Map<string, EntityProfile>();
  for (const [i, e] of kb.entries.entries()) {
    if (i > 0 && i % ENTRIES_PER_STEP === 0) yield;
    const t = texts[i]!.normalized;
    // The scope is what the entry states (answer, keywords), not the examples its paraphrases happen to
    // name: a question variant saying 日本 does not make the roaming hotline Japan's alone.
    entryEntities.set(e.id, entities.describe([...t.keywords, t.answer.zh, t.answer.en].join('\n')));
  }
  const namedMembers = new Set([...entryEntities.values()].flatMap((p) => [...p.named.values()].flatMap((set) => [...set])));
  const byId = new Map(kb.entries.map((e) => [e.id, e]));
  const answerTypes = kb.answerTypes;
  const answered = new Map<string, Set<string>>();
  for (const [i, e] of kb.entries.entries()) {
    if (i > 0 && i % ENTRIES_PER_STEP === 0) yield;
    const a = texts[i]!.normalized.answer;
    answered.set(e.id, new Set(answerTypes.filter((t) => t.answers.some((p) => p.test(a.zh) || p.test(a.en))).map((t) => t.id)));
  }
  const entryAnswers = (e: Entry, typeId: string) => answered.get(e.id)?.has(typeId) ?? false;
  /** Keeps only entries holding every kind of fact asked (none asked: no filter). */
  const holdingAll = (asked: readonly AnswerType[]) => (asked.length > 0 ? (id: string) => asked.every((t) => entryAnswers(byId.get(id)!, t.id)) : undefined);
  // The ways of asking each kind of fact, global, to take them out of a question.
  const askPatterns = new Map(answerTypes.map((t) => [t.id, t.asks.map((p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`))]));
  const thresholds = { answer: opts.answerThreshold, clarify: opts.clarifyThreshold, margin: opts.minMargin };

  const message = (key: string, lang: Lang): string => kb.messages[key]?.[lang] ?? kb.messages.fallback?.[lang] ?? '';
  const suggestion = (id: string, lang: Lang): Suggestion[] => {
    const e = byId.get(id);
    return e ? [{ entryId: id, question: e.questions[lang][0] ?? e.questions.zh[0]! }] : [];
  };

  /** `mustCover`: a follow-up's own words, one of which the entry must contain ("那发票呢" must reach an invoice entry). */
  function read(
    query: string, mustCover: readonly string[] = [], previousEntryId?: string, postingsBudget?: number, followUp = false, english = false,
    keep?: (entryId: string) => boolean, messageSides?: number[][],
  ): Reading {
    // A city some entry names by its province is read as that province ("我在乌鲁木齐" asks what the
    // Xinjiang branch of the hours says): the city is a word no entry has, which would only dilute
    // how close the question is to the entries' own.
    const mentions: EntityMention[] = [];
    for (const m of entities.find(query)) {
      const asMember = m.byClassOnly && m.form !== m.name && namedMembers.has(m.canonical) && !query.includes(m.name) && query.includes(m.form);
      if (asMember) query = query.split(m.form).join(m.name);
      mentions.push(asMember ? { ...m, form: m.name } : m);
    }
    // A country is abroad: the word 国际 is asked with it, so the entries about calls and roaming
    // abroad are found even when the visitor names only the country ("and Japan?").
    const namesCountry = mentions.some((m) => m.classId === 'country');
    const analysis = analyze(namesCountry && !query.includes(ABROAD) ? `${query} ${ABROAD}` : query);
    // Provinces and countries are judged by class below, not as words an entry must contain: an
    // entry stating the rule for "other countries" covers Brazil without naming it.
    if (mentions.some((m) => m.byClassOnly)) {
      const entityWords = new Set(mentions.filter((m) => m.byClassOnly).flatMap((m) => analyze(m.form).units.map((u) => u.text)));
      analysis.units = analysis.units.map((u) => (entityWords.has(u.text) ? { ...u, salience: 0 } : u));
    }
    const { tokens, units } = analysis;
    // An entry only about the other side of a contrast (移动 for a 联通 question, 开通 for 怎么关)
    // is not a candidate at all, so it cannot win or shrink the margin of the right entry. A country
    // is abroad: it stands on the 国际 side of the domestic/abroad contrast.
    const abroad = namesCountry ? ` ${ABROAD}` : '';
    // A clause of a longer message keeps what the message named elsewhere ("China Mobile ... does it also get the discount").
    const ownSides = contrasts.sides(query + abroad).map((q, g) => (q.length === 0 && messageSides ? messageSides[g]! : q));
    const querySides = contrasts.inherit(ownSides, previousEntryId ? entrySides.get(previousEntryId) : undefined);
    // Service numbers and codes are identifiers: a question naming 10193 is about 10193, so an
    // entry without it cannot answer (amounts like 100 are short and stay out of this).
    const codes = analysis.units.filter((u) => CODE.test(u.text) && retriever.known(u.text)).map((u) => u.text);
    const learned = channel?.score(channelFeatures(analysis));
    const admissible = retriever.search(analysis, { postingsBudget })
      .filter((c) => !contrasts.conflicts(querySides, scopeSides.get(c.entryId) ?? []))
      .filter((c) => !mentions.some((m) => excludes(entryEntities.get(c.entryId)!, m, namedMembers)))
      .filter((c) => codes.every((code) => contains(c, code)))
      .filter((c) => mustCover.length === 0 || mustCover.some((u) => contains(c, u)))
      .filter((c) => !keep || keep(c.entryId));
    // The learned channel's scores are relative to its favourite of all entries: a favourite the filters
    // set aside (another carrier's entry) is a warning worth keeping. Not so in a follow-up's reading,
    // which folds in the previous question: there the channel favours the previous answer for its words,
    // and the entries holding the follow-up's own words are the choice ("那发票呢" after a discount).
    const raw = admissible.map((c) => learned?.relative.get(entryIndex.get(c.entryId)!) ?? 0);
    const [l1 = 0, l2 = 0] = [...raw].sort((a, b) => b - a);
    const scale = mustCover.length > 0 ? l1 : 1;
    // Without a channel (a KB too large for it) its features are NaN, which the models leave out: the
    // ranking and gate then weigh the lexical signals alone, not a channel that seems to disagree.
    const learnedLead = !learned ? NaN : mustCover.length > 0 ? (l1 > 0 ? (l1 - l2) / l1 : 0) : learned.lead;
    const scored = admissible.map((c, i) => ({ ...c, learned: !learned ? NaN : scale > 0 ? raw[i]! / scale : 0 }));
    const filtered = opts.ranker ? rankCandidates(opts.ranker, scored) : scored;
    // A question naming no carrier leans to the default one (联通 on Unicom's hall) when entries are close.
    const candidates = filtered
      .map((c) => (contrasts.offDefault(querySides, entrySides.get(c.entryId) ?? []) ? { ...c, score: c.score * OFF_DEFAULT_SCORE } : c))
      .sort((a, b) => b.score - a.score);
    // Two entries scoring alike: the one with a clearly closer question goes first ("怎么用短信给联通手机
    // 充值" asks how, as sms-topup's questions do; sms-targets' ask which numbers).
    if (candidates.length > 1 && (candidates[0]!.score - candidates[1]!.score) / candidates[0]!.score < opts.minMargin && candidates[1]!.similarity - candidates[0]!.similarity >= CLEAR_SIMILARITY_LEAD) {
      candidates.splice(0, 2, candidates[1]!, candidates[0]!);
    }
    const top = candidates[0];
    const choice = learned && learned.best >= 0 ? { entryId: kb.entries[learned.best]!.id, lead: round(learned.lead) } : undefined;
    if (!top) return { query, tokens, units, candidates, topScore: 0, margin: 0, coverage: 0, confidence: 0, tied: false, learned: choice };
    // Judged after the lean to the default side: "充值发票怎么开" is Unicom's question on Unicom's hall,
    // not a choice between Unicom and China Mobile.
    const [first, runnerUp] = candidates;
    // The words asked do not tell the two best apart: the runner-up accounts for the question as fully and
    // has a question as close to it ("发票" alone fits a dozen entries).
    const fullyCovering = candidates.filter((c) => c.coverage >= 0.99).length;
    const tied =
      (!!first && !!runnerUp && runnerUp.coverage >= first.coverage && (first.score - runnerUp.score) / first.score < opts.confidence.tieMargin && first.similarity - runnerUp.similarity < CLEAR_SIMILARITY_LEAD) ||
      // One or two words that several entries hold in full ("发票", "invoice"): the visitor chooses.
      (units.filter((u) => u.salience > 0).length <= 2 && fullyCovering >= 3 && !!first && !!runnerUp && first.similarity - runnerUp.similarity < SHORT_QUESTION_LEAD);
    const second = candidates[1]?.score ?? 0;
    const margin = (top.score - second) / top.score;
    const { coverageWeight, marginSaturation, marginFloor } = opts.confidence;
    const match = coverageWeight * top.coverage + (1 - coverageWeight) * top.similarity;
    const previous = previousEntryId ? byId.get(previousEntryId) : undefined;
    const features = gateFeatures(candidates, margin, units.length, english, followUp, learnedLead, {
      previous: top.entryId === previousEntryId,
      expectedNext: !!previous?.followups.includes(top.entryId),
    });
    const confidence = opts.gate ? gateProbability(opts.gate, features) : match * (marginFloor + (1 - marginFloor) * Math.min(1, margin / marginSaturation));
    return { query, tokens, units, candidates, topScore: top.score, margin, coverage: top.coverage, confidence, tied: tied && confidence < opts.confidence.tieConfidence, features, learned: choice };
  }

  // Two entries scoring alike are "really close" only when the question is as close to a question of
  // each: when one has a clearly closer question variant ("怎么用短信给联通手机充值" is how-to, the
  // other entry asks which numbers), the bot answers it instead of offering both.
  const similarityLead = (r: Reading) => (r.candidates[0]?.similarity ?? 0) - (r.candidates[1]?.similarity ?? 0);
  // A gate that is sure of the winner answers however close the runner-up scored: it has weighed the margin.
  // So does a winner whose runner-up covers far less of the question.
  const confident = (r: Reading) =>
    r.confidence >= opts.answerThreshold && (r.margin >= opts.minMargin || similarityLead(r) >= CLEAR_SIMILARITY_LEAD || r.confidence >= opts.confidence.sureDespiteMargin ||
      (r.candidates[0]?.coverage ?? 0) - (r.candidates[1]?.coverage ?? 0) >= CLEAR_COVERAGE_LEAD);

  function decide(text: string, decideOpts: DecideOptions = {}): Decision {
    const ctx = decideOpts.context ?? {};
    const typed = normalize(text);
    // Homophone slips are put right before anything reads the text: a misspelled 发票 must not
    // leave "移动" looking like a question about another carrier's services.
    // Words typed in pinyin are read as the KB's terms first, so the homophone check and the rest see Chinese.
    const normalized = fixHomophones(readPinyin(typed));
    const lang: Lang = decideOpts.lang ?? detectLanguage(normalized) ?? ctx.lang ?? 'zh';
    const explain: Explain = {
      normalized, ...(normalized !== typed ? { typed } : {}), query: '', lang, tokens: [], candidates: [], topScore: 0, margin: 0, coverage: 0, confidence: 0, thresholds,
    };
    const base = { lang, explain, suggestions: [] as Suggestion[] };

    const rule = matchRule(normalized, ctx.lastTopic);
    // How much the message reads as a request for a person or an action (the learned request detector).
    const features = opts.request || opts.outside ? messageFeatures(normalized) : [];
    const turn: Turn = { normalized, ctx, lang, explain, base, features };
    const request = opts.request ? probability(opts.request, features) : undefined;
    if (request !== undefined) explain.request = round(request);
    // Read as asking for a person or an action, in whatever words.
    const readsAsRequest = !!opts.request && request !== undefined && request >= opts.request.add;
    if (rule) {
      explain.rule = { id: rule.id, action: rule.action };
      const text = rule.reply?.[lang] ?? '';
      const redact = rule.redact || undefined;
      if (rule.action === 'handoff') {
        const reason = rule.reason === 'complaint' || rule.reason === 'account_action' ? rule.reason : 'requested';
        // A message the request detector reads as asking for an action ("…顺便给我办了") keeps its handoff
        // however well the knowledge base answers the question in it.
        const answered = reason !== 'requested' && !redact ? (readsAsRequest ? undefined : clearAnswer(turn)) ?? notARequest(turn, request) : undefined;
        if (answered) return answered;
        return { ...base, kind: 'handoff', reason, ruleId: rule.id, text, confidence: 1, topic: subjectOf(reason === 'account_action' ? normalized : withoutRuleWords(rule, normalized), ctx, lang), redact };
      }
      const reason = rule.reason === 'unsafe' || rule.reason === 'password' || rule.reason === 'out_of_scope' ? rule.reason : 'smalltalk';
      return { ...base, kind: 'fallback', reason, ruleId: rule.id, text, confidence: 1, redact };
    }

    // A request to act on the visitor's own number or order, in words no rule lists: a person does it.
    const action = detectAccountAction(normalized);
    if (action) {
      explain.accountAction = action.matched;
      const answered = notARequest(turn, request);
      if (answered) return answered;
      return { ...base, kind: 'handoff', reason: 'account_action', text: message('handoff_account_action', lang), confidence: 1, topic: subjectOf(normalized, ctx, lang) };
    }

    const d = fromKnowledge(turn, decideOpts.postingsBudget);
    // A request in words no rule lists ("能不能让你们的人帮我弄一下"), unless the knowledge base answers it outright.
    if (readsAsRequest && d.kind !== 'handoff' && !(d.kind === 'answer' && d.confidence >= opts.request!.keepAnswer)) {
      explain.requestHandoff = true;
      return { ...base, kind: 'handoff', reason: 'account_action', text: message('handoff_account_action', lang), confidence: round(request), topic: subjectOf(normalized, ctx, lang) };
    }
    // A kind of question the knowledge base does not cover, answered only so-so: "I don't know" beats a nearby fact.
    if (opts.outside && d.kind === 'answer' && d.confidence < opts.outside.keepAnswer) {
      const outside = probability(opts.outside, features);
      explain.outside = round(outside);
      if (outside >= opts.outside.threshold) {
        return withRepeatCheck({ ...base, kind: 'fallback', reason: 'no_match', text: message('fallback', lang), confidence: d.confidence }, ctx);
      }
    }
    return d;
  }

  /**
   * A handoff for a complaint's tone or account words that the request detector does not read as a
   * request at all ("被坑了好几次, 1G到底是多少M", "帮忙了解一下…至少要用多久"): what the knowledge base
   * says instead. Nothing when the detector is off or reads a request.
   */
  function notARequest(turn: Turn, request: number | undefined): Decision | undefined {
    if (!opts.request || request === undefined || request >= opts.request.veto) return undefined;
    const { explain } = turn;
    explain.handoffYielded = `${explain.rule?.id ?? `account-action:${explain.accountAction}`} (request ${round(request)})`;
    return fromKnowledge(turn);
  }

  /**
   * A complaint's tone or an account word is a reason to hand over unless the message also asks a
   * question the knowledge base answers outright: "被坑了好几次, 1G到底是多少M" wants the answer, and
   * gets it (the widget keeps its "talk to a person" button). Returns that answer, or nothing when the
   * handoff stands.
   */
  function clearAnswer(turn: Turn): Decision | undefined {
    if (!(opts.handoffYield <= 1) || !asksQuestion(turn.normalized)) return undefined;
    const { explain } = turn;
    const d = fromKnowledge(turn);
    if (d.kind !== 'answer' || d.confidence < opts.handoffYield) return undefined;
    explain.handoffYielded = explain.rule?.id ?? `account-action:${explain.accountAction}`;
    return d;
  }

  function fromKnowledge(turn: Turn, budget?: number): Decision {
    const { normalized, ctx, lang, explain, base, features } = turn;
    const en = lang === 'en';
    /**
     * Reads a text asking for a kind of fact (a price, a duration) as a question about its subject that
     * only an entry holding that kind of fact can answer: the words of asking (几块钱, 收多少, "how much
     * is it") are left out of the match, and entries without a price are not candidates. So a price
     * question reaches the rate table however it is worded, and gets "I don't know" when no entry has
     * a price for it, never a nearby fact.
     */
    const readText = (text: string, messageSides?: number[][]) => {
      const asked = answerTypes.filter((t) => t.asks.some((p) => p.test(text)));
      const query = asked.length > 0 ? stripAsks(rewrite(spell(text)), asked, askPatterns) : rewrite(spell(text));
      return { asked, reading: read(query, [], ctx.lastEntryId, budget, false, en, holdingAll(asked), messageSides) };
    };
    // A message of several clauses is read clause by clause first: a story before the question dilutes
    // how much of the whole an entry accounts for, and two questions want two answers. The whole is read
    // too only when no clause reads well (one question spread over commas).
    const clauses = splitClauses(normalized);
    let asked: AnswerType[];
    let reading: Reading;
    let askedText = normalized;
    // A second question in the same message that another entry answers with confidence.
    let second: { reading: Reading; text: string } | undefined;
    if (clauses.length > 0) {
      // A country named in one clause puts the whole message abroad ("my parents in Toronto ... the long distance pack rate").
      const messageSides = contrasts.sides(withAbroad(rewrite(spell(normalized))));
      const readings = clauses.map((c) => ({ text: c, ...readText(c, messageSides) }));
      const strongest = (rs: typeof readings) => rs.reduce((a, b) => (b.reading.confidence > a.reading.confidence ? b : a));
      // The clause that asks is the question; the story around it only reads well by accident ("just
      // relocated to Guangzhou, what hours…": the first clause reads as moving a line). Statements are
      // read for the answer only when no clause asks anything.
      const asking = readings.filter((r) => asksQuestion(r.text));
      let best = asking.length > 0 ? strongest(asking) : strongest(readings);
      if (!confident(best.reading)) {
        const whole = readText(normalized);
        if (whole.reading.confidence >= best.reading.confidence) best = { text: normalized, ...whole };
      }
      ({ reading, asked, text: askedText } = best);
      const topId = reading.candidates[0]?.entryId;
      second = readings
        .filter((r) => r.text !== askedText && confident(r.reading) && !r.reading.tied && r.reading.candidates[0]?.entryId !== topId)
        .sort((a, b) => b.reading.confidence - a.reading.confidence)[0];
      explain.clauses = readings.map((r) => ({ text: r.text, entryId: r.reading.candidates[0]?.entryId, confidence: round(r.reading.confidence) }));
    } else {
      ({ asked, reading } = readText(normalized));
    }
    // Asked for a kind of fact (a price) that the right entry states in words, not figures ("预交多少": one
    // month's base fee): when the outside detector is sure the KB covers the message, the entries without
    // such a figure are read too, and their best answers if it reads well.
    if (asked.length > 0 && !confident(reading) && opts.outside && probability(opts.outside, features) < opts.outside.insideBelow) {
      const open = read(rewrite(spell(askedText)), [], ctx.lastEntryId, budget, false, en, undefined);
      if (confident(open) && !open.tied) {
        explain.answerTypeRelaxed = true;
        reading = open;
        asked = [];
      }
    }
    // Answered below the bar: a follow-up the previous answer's entry lists as the next question.
    let expectedNext = false;
    // A follow-up leans on the previous question; read it both ways and keep the better reading.
    // A terse message may name no subject of its own ("发到哪个号码" after 联通在信): it leans on the
    // conversation even when it reads well alone, and the better of the two readings is kept.
    const terse = reading.units.filter((u) => u.salience > 0).length <= opts.terseFollowUpUnits;
    if (ctx.lastQuery && (looksLikeFollowUp(normalized) || !confident(reading) || terse)) {
      // Words judged by class (Brazil, 3G) are not words an entry must contain: the class decides them.
      const own = reading.units.filter((u) => !u.soft && u.salience > 0).map((u) => u.text);
      // A country in the follow-up replaces a domestic question's side too ("and roaming in Korea?").
      const named = withAbroad(reading.query);
      // A follow-up asking no kind of fact itself asks what the previous question did ("新疆呢" after "几点到几点").
      const frameAsked = asked.length > 0 ? asked : answerTypes.filter((t) => ctx.lastAsked?.includes(t.id));
      const folded = `${reading.query} ${contrasts.carryOver(ctx.lastQuery, named)}`;
      const combined = read(folded, own, ctx.lastEntryId, budget, true, en, holdingAll(frameAsked));
      const marked = looksLikeFollowUp(normalized);
      // The entries the previous answer lists as what is asked next are expected: one of them that reads
      // best, short of the bar, is answered ("can my assistant pick it up?" after the online invoice).
      const next = ctx.lastEntryId ? byId.get(ctx.lastEntryId)?.followups : undefined;
      // So is a follow-up that only names another place or country ("新疆呢" after the agents' hours) when the
      // previous entry, which the class filters kept, still reads best: it states the rule by place.
      const placeOnly = own.length === 0 && entities.find(normalized).some((m) => m.byClassOnly) && combined.candidates[0]?.entryId === ctx.lastEntryId;
      const expected = !confident(combined) && !combined.tied && (placeOnly || !!next?.includes(combined.candidates[0]?.entryId ?? '')) &&
        combined.confidence >= opts.expectedFollowUp && (placeOnly || combined.confidence > reading.confidence);
      if ((confident(combined) || expected) && (marked || expected || combined.confidence > reading.confidence)) {
        explain.followUp = { from: ctx.lastQuery, rewritten: combined.query, ...(expected ? { expected: true } : {}) };
        reading = combined;
        expectedNext = expected;
      } else if (marked && ctx.lastEntryId && !confident(reading) && !reading.units.some((u) => CODE.test(u.text)) &&
        (reading.candidates[0]?.entryId === ctx.lastEntryId || reading.confidence < opts.stayOnSubjectBelow)) {
        // The follow-up's own words read as no other entry's: it may ask another branch of the same fact.
        const stay = read(folded, [], ctx.lastEntryId, budget, true, en, holdingAll(frameAsked));
        if (stay.candidates[0]?.entryId === ctx.lastEntryId && confident(stay)) {
          explain.followUp = { from: ctx.lastQuery, rewritten: stay.query, stayed: true };
          reading = stay;
        }
      }
    }
    Object.assign(explain, {
      query: reading.query,
      tokens: reading.tokens,
      candidates: reading.candidates.slice(0, 5),
      topScore: reading.topScore,
      margin: reading.margin,
      coverage: reading.coverage,
      confidence: reading.confidence,
      gate: reading.features,
      learned: reading.learned,
    });

    if (reading.tokens.length === 0 && asked.length === 0) {
      return withRepeatCheck({ ...base, kind: 'fallback', reason: 'empty', text: message('fallback', lang), confidence: 0 }, ctx);
    }
    const top = reading.candidates[0];
    const topEntry = top && byId.get(top.entryId);
    // Asked for a kind of fact no entry close to the question holds: the bot does not know it.
    const unanswerable = asked.length > 0 && !top ? asked[0] : undefined;
    if (asked.length > 0) explain.answerType = { id: asked.map((t) => t.id).join('+'), entryId: top?.entryId ?? '' };
    const answerWith = (entry: Entry): Decision => {
      // Two questions in one message, each answered by its own entry: both answers, in the order asked.
      const also = second && byId.get(second.reading.candidates[0]!.entryId);
      const text = also ? joinAnswers(entry.answer[lang], also.answer[lang], normalized.indexOf(second!.text) < normalized.indexOf(askedText)) : entry.answer[lang];
      if (also) explain.alsoAnswered = also.id;
      return {
        ...base,
        kind: 'answer',
        entryId: entry.id,
        topic: entry.topic,
        text,
        confidence: round(reading.confidence),
        suggestions: entry.followups.flatMap((id) => suggestion(id, lang)).slice(0, opts.maxSuggestions),
      };
    };
    if (topEntry && (confident(reading) || expectedNext) && !unanswerable && !reading.tied) return answerWith(topEntry);
    if (top && !unanswerable && reading.confidence >= opts.clarifyThreshold && top.coverage >= opts.confidence.clarifyCoverage) {
      const close = reading.candidates.filter((c) => c.score >= top.score * CLARIFY_SCORE_SHARE && c.coverage >= top.coverage * 0.5);
      if (close.length >= 2) {
        return {
          ...base,
          kind: 'clarify',
          topic: topicOf(top.entryId),
          text: message('clarify', lang),
          confidence: round(reading.confidence),
          suggestions: close.slice(0, opts.maxSuggestions).flatMap((c) => suggestion(c.entryId, lang)),
        };
      }
    }
    // Just short of the bar, on a message the outside detector is sure the knowledge base covers (a
    // paraphrase of a listed question, not a trap): the best entry is far more often right than not.
    if (topEntry && opts.outside && reading.confidence >= opts.outside.insideAnswer) {
      const outside = probability(opts.outside, features);
      explain.outside = round(outside);
      if (outside < opts.outside.insideBelow) {
        explain.insideAnswer = true;
        return answerWith(topEntry);
      }
    }
    return withRepeatCheck({ ...base, kind: 'fallback', reason: 'no_match', text: message('fallback', lang), confidence: round(reading.confidence) }, ctx);
  }

  /** The visitor has now missed twice (configurable) in a row: a person will do better than a third guess. */
  function withRepeatCheck(d: Extract<Decision, { kind: 'fallback' }>, ctx: ConversationContext): Decision {
    const misses = (ctx.fallbacksInRow ?? 0) + 1;
    if (opts.handoffAfterFallbacks > 0 && misses >= opts.handoffAfterFallbacks) {
      return { ...d, kind: 'handoff', reason: 'low_confidence', text: message('handoff_low_confidence', d.lang), topic: subjectFrom(d.explain.candidates[0], ctx) };
    }
    return d;
  }

  /** The message with a country also read as abroad (国际), the side of the domestic/abroad contrast it stands on. */
  function withAbroad(text: string): string {
    return entities.find(text).some((m) => m.classId === 'country') ? `${text} ${ABROAD}` : text;
  }

  /**
   * What a handoff is about, so the right team gets it: the subject of the message itself (the entry its
   * words are closest to, rules set aside: "宽带一直掉线, 转人工" is broadband's), else the topic of the
   * turns before. A message naming no subject ("转人工") keeps the conversation's.
   */
  function subjectOf(normalized: string, ctx: ConversationContext, lang: Lang): string | undefined {
    return subjectFrom(read(rewrite(spell(normalized)), [], ctx.lastEntryId, undefined, false, lang === 'en').candidates[0], ctx);
  }

  /** The closest entry's topic when it really names a subject, else the conversation's topic. */
  function subjectFrom(top: Candidate | undefined, ctx: ConversationContext): string | undefined {
    // A word of two characters or more must match the entry's questions or keywords: a stray 转 names no subject.
    const named = top && [...(top.matched.q ?? []), ...(top.matched.kw ?? [])].some((u) => u.length >= 2 && !/^\d+$/.test(u));
    if (top && named && top.coverage >= SUBJECT_COVERAGE) return topicOf(top.entryId);
    return topicOf(ctx.lastEntryId) ?? ctx.lastTopic;
  }

  function topicOf(entryId: string | undefined): string | undefined {
    return entryId ? byId.get(entryId)?.topic : undefined;
  }

  function nextContext(prev: ConversationContext, d: Decision): ConversationContext {
    const missed = d.kind === 'fallback' && (d.reason === 'no_match' || d.reason === 'empty');
    const next: ConversationContext = {
      lang: d.lang,
      fallbacksInRow: missed ? (prev.fallbacksInRow ?? 0) + 1 : 0,
      lastEntryId: prev.lastEntryId,
      lastTopic: prev.lastTopic,
      lastQuery: prev.lastQuery,
    };
    const askedIds = d.explain.answerType?.id.split('+').filter(Boolean);
    if (d.kind === 'answer') {
      next.lastEntryId = d.entryId;
      next.lastTopic = d.topic;
      next.lastQuery = d.explain.query;
      next.lastAsked = askedIds;
    } else if (d.kind === 'handoff' && d.topic) {
      // What the handoff was about: a message left next goes to the same team.
      next.lastTopic = d.topic;
    } else if (d.kind === 'clarify' || (d.kind === 'fallback' && d.reason === 'no_match' && d.explain.candidates?.length)) {
      // A clarify names the subject asked about (its choices share it): a person asked for next is that team's.
      if (d.kind === 'clarify' && d.topic) next.lastTopic = d.topic;
      // A question the bot nearly placed stays the frame a short follow-up leans on ("...call the
      // States?" missed, then "Japan?"): the two read together may be clear where each alone is not.
      next.lastQuery = d.explain.query;
      next.lastAsked = askedIds;
    }
    return next;
  }

  // Read as decide() reads it: "wo de mima shi 123456" is a password typed in pinyin.
  const carriesSecret = (text: string) => matchSecretRule(readPinyin(normalize(text))) !== undefined;
  return { kb, options: opts, decide, nextContext, carriesSecret, entry: (id) => byId.get(id) };
}

/**
 * What the learned channel reads of a text: its search tokens (content words, Chinese bigrams, English
 * stems) and its function words, marked apart ("哪些" and "在哪" tell "who can" from "where").
 */
function channelFeatures(a: { tokens: readonly string[]; context: readonly string[] }): string[] {
  return [...a.tokens, ...a.context.map((w) => `~${w}`)];
}

/** The question with its words of asking for a kind of fact taken out ("长途包打日本几块钱" -> "长途包打日本"). */
function stripAsks(query: string, asked: readonly AnswerType[], global: ReadonlyMap<string, readonly RegExp[]>): string {
  let out = query;
  for (const t of asked) for (const p of global.get(t.id) ?? []) out = out.replace(p, ' ');
  return out.replace(/\s+/g, ' ').trim();
}

/** Two answers in one reply, the one asked first first. */
function joinAnswers(main: string, other: string, otherFirst: boolean): string {
  return otherFirst ? `${other}\n\n${main}` : `${main}\n\n${other}`;
}

/** The candidate entry matched this query word in some field. */
function contains(c: Candidate, unit: string): boolean {
  return Object.values(c.matched).some((terms) => terms.includes(unit));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

