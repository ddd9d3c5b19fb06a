// Renders message text as Lit text nodes and safe <a> elements: never HTML, line breaks kept by CSS.
import { html, type TemplateResult } from 'lit';
import { parseLinks } from '../shared/ui-links.ts';

export function renderText(text: string): TemplateResult {
  return html`${parseLinks(text).map((part) =>
    part.kind === 'link' ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>` : part.text,
  )}`;
}
