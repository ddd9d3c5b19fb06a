// Problems found in knowledge files, always with the file and position an editor needs.

export type Severity = 'error' | 'warning';

export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: Severity;
}

/** Thrown where a single problem must stop the caller (e.g. the server starting on a broken KB). */
export class KnowledgeError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;

  constructor(problem: Pick<Problem, 'file' | 'line' | 'col' | 'message'>) {
    super(`knowledge: ${problem.file}:${problem.line}:${problem.col} ${problem.message}`);
    this.name = 'KnowledgeError';
    this.file = problem.file;
    this.line = problem.line;
    this.col = problem.col;
  }
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
