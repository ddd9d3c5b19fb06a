// The report as a CSV download: one sheet of sections (figures, hours, reasons, entries, agents) a
// spreadsheet opens, with every cell escaped against CSV and formula injection.
import type { Report } from './reports.ts';

type Cell = string | number | null;

/**
 * One CSV cell. A text starting with = + - @ (or a tab or carriage return, which some spreadsheets skip
 * before reading a formula) gets a leading apostrophe so it is shown as text, never run as a formula
 * (an agent's display name or a handoff reason is typed by people); then RFC 4180 quoting when the cell
 * holds a comma, quote or line break. Numbers are written as they are (never negative here); null is empty.
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function rows(lines: Cell[][]): string {
  return lines.map((line) => line.map(csvCell).join(',')).join('\r\n');
}

/** UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese names right; CRLF line ends (RFC 4180). */
export function reportCsv(report: Report): string {
  const sections = [
    rows([
      ['figure', 'value'],
      ['from', report.from],
      ['to', report.to],
      ['conversations', report.conversations],
      ['containmentRate', report.containmentRate],
      ['handoffRate', report.handoffRate],
      ['fallbackRate', report.fallbackRate],
      ['avgWaitSeconds', report.avgWaitSeconds],
      ['avgHandleSeconds', report.avgHandleSeconds],
      ['csatAverage', report.csat.average],
      ['csatCount', report.csat.count],
    ]),
    rows([['hour', 'conversations'], ...report.byHour.map((n, hour): Cell[] => [hour, n])]),
    rows([['handoffReason', 'conversations'], ...Object.entries(report.handoffReasons)]),
    rows([['entryId', 'answers'], ...report.topEntries.map((e): Cell[] => [e.entryId, e.count])]),
    rows([
      ['agentId', 'displayName', 'conversations', 'avgHandleSeconds', 'csatAverage', 'csatCount'],
      ...report.agents.map((a): Cell[] => [a.id, a.displayName, a.conversations, a.avgHandleSeconds, a.csat.average, a.csat.count]),
    ]),
  ];
  return `\uFEFF${sections.join('\r\n\r\n')}\r\n`;
}
