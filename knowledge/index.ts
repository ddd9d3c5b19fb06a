// Public surface of the knowledge module: types, loading, checking and test cases.
export type * from './types.ts';
export { LANGS } from './types.ts';
export { KnowledgeError, formatProblem, type Problem, type Severity } from './knowledge-error.ts';
export { loadKnowledge, listKnowledgeFiles, type LoadResult, type LoadOptions, type FileCache } from './load-knowledge.ts';
export { checkKnowledge, questionKey } from './check-knowledge.ts';
export { loadTests, parseExpectation, defaultTestThresholds, type LoadedTests, type TestPart } from './load-tests.ts';
export { parseYamlSource, defaultYamlLimits, type YamlLimits } from './yaml-source.ts';
export { contentLimits } from './schema.ts';
export { runTestSuites, expectationMet, rate, reliability, type ReliabilityBand, type Outcome, type StartConversation, type TestReport, type TurnResult, type Tally } from './run-tests.ts';
export { watchKnowledge } from './watch-knowledge.ts';
export { lintKnowledge, shanghaiDate, defaultLintOptions, type LintFinding, type LintOptions, type LintRule, type LocateInEntry } from './lint-knowledge.ts';
export { parseKbChange, kbChangeToYaml, applyKbChange, formatEdits, kbChangeSchema, type KbChange, type ApplyOptions, type ApplyResult, type FileEdit, type ParseChangeResult } from './kb-change.ts';
