// Renders server or visitor text safely: Lit text bindings only, http(s) links as <a> elements.
import { html, type TemplateResult } from 'lit';
import { parseLinks } from '../shared/ui-links.ts';

/**
 * The text with its links; line breaks are kept by the container's `white-space: pre-wrap`.
 * Nothing in `text` is ever parsed as HTML.
 */
export function richText(text: string): TemplateResult {
  return html`${parseLinks(text).map((part) =>
    part.kind === 'link'
      ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>`
      : part.text,
  )}`;
}
