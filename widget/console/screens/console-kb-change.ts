// The KB change-file form the editors' screens share (Unanswered, FAQ drafts): add questions to an entry or draft
// a new entry, then download the server's YAML for `npm run kb -- apply`; the live KB is never written.
import { css, html, type TemplateResult } from 'lit';
import type { KbChange } from '../console-api.ts';
import type { Strings } from '../console-strings.ts';

export type KbChangeMode = 'add' | 'new';

/** What the new-entry form starts with: the topic of the best candidate and the visitor's words in their language. */
export interface NewEntryDefaults {
  /** The first part of an entry id (`billing`), or '' when there is no candidate. */
  topic: string;
  lang: 'zh' | 'en';
  /** Questions in `lang`, one a line. */
  questions: string;
  /** The answer in `lang`, or ''. */
  answer: string;
}

/** The form's look in either screen (labels above fields, a row of buttons). */
export const kbChangeStyles = css`
  .actions { display: flex; gap: 8px; flex-wrap: wrap; }
  form { display: flex; flex-direction: column; gap: 6px; }
  label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
  textarea { min-height: 48px; }
  /* An entry id is short: a field across a wide screen reads as a sentence to write. */
  input[name='entry'], input[name='id'] { max-width: 28em; }
  /* The label's small caption size must not shrink what the editor types. */
  label input, label textarea { font-size: 14px; }
`;

/** The topic (an entry id's first part), which also names the FAQ file. */
export function topicOf(entryId: string | undefined): string {
  return entryId?.split('.')[0] ?? '';
}

export function addQuestionsChange(entry: string, lang: 'zh' | 'en', questions: string[]): KbChange {
  return { changes: [{ addQuestions: { entry: entry.trim(), lang, questions } }] };
}

/** The change of a submitted new-entry form (fields of newEntryFields). */
export function newEntryChange(form: HTMLFormElement): KbChange {
  const data = new FormData(form);
  const field = (k: string) => String(data.get(k) ?? '').trim();
  const lines = (k: string) => field(k).split('\n').map((l) => l.trim()).filter(Boolean);
  const id = field('id');
  return {
    changes: [{
      newEntry: {
        // The topic (the id's first part) names the FAQ file, as the shipped files are laid out.
        file: `faq/${topicOf(id)}.yaml`,
        entry: { id, questions: { zh: lines('zh'), en: lines('en') }, answer: { zh: field('answerZh'), en: field('answerEn') } },
      },
    }],
  };
}

/** The new-entry form's fields: the id (prefilled with the topic) and questions and answer in both languages. */
export function newEntryFields(s: Strings, d: NewEntryDefaults): TemplateResult {
  const mine = (lang: 'zh' | 'en', text: string) => (d.lang === lang ? text : '');
  return html`<label>${s.unansweredEntryId}<input name="id" required .value=${d.topic ? `${d.topic}.` : ''} placeholder="billing.new-thing" /></label>
    <label>${s.unansweredQuestions} (zh)<textarea name="zh" required .value=${mine('zh', d.questions)}></textarea></label>
    <label>${s.unansweredQuestions} (en)<textarea name="en" required .value=${mine('en', d.questions)}></textarea></label>
    <label>${s.unansweredAnswer} (zh)<textarea name="answerZh" required .value=${mine('zh', d.answer)}></textarea></label>
    <label>${s.unansweredAnswer} (en)<textarea name="answerEn" required .value=${mine('en', d.answer)}></textarea></label>`;
}

/** Download and Cancel. */
export function kbChangeButtons(s: Strings, downloadTestId: string, primary: boolean, cancel: () => void): TemplateResult {
  return html`<div class="actions"><button type="submit" class=${primary ? 'primary' : ''} data-testid=${downloadTestId}>${s.unansweredDownload}</button>
    <button type="button" @click=${cancel}>${s.cancel}</button></div>`;
}

/** Saves the server's YAML as a file (a link click: no navigation) and returns what to tell the editor. */
export function saveKbChangeFile(s: Strings, file: { name: string; blob: Blob }): string {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.click();
  // Revoked later, not at once: the browser may still be reading the blob when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return `${s.unansweredDownloaded} ${file.name} — npm run kb -- apply ${file.name}`;
}
