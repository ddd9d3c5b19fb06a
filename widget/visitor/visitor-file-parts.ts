// The widget's pieces for files in a chat with a person, apart from <chat-widget> so its template gains a line
// each: the paperclip (with the picked file's preview), a file message's card, and the hand-over of a pasted or
// dropped file to the paperclip.
import { html, nothing, type TemplateResult } from 'lit';
import type { AttachButton } from '../shared/attach-button.ts';
import '../shared/attach-button.ts';
import { dragHasFiles, fileOf, formatBytes, type AttachmentLabels } from '../shared/attachment-files.ts';
import type { ChatItem, VisitorConnection } from './visitor-connection.ts';
import type { Strings } from './visitor-i18n.ts';

export function attachmentLabels(s: Strings): AttachmentLabels {
  return {
    attach: s.attach,
    remove: s.attachRemove,
    open: s.attachOpen,
    download: s.attachDownload,
    tooLarge: (maxBytes) => s.attachTooLarge(formatBytes(maxBytes)),
    unsupported: s.fileUnsupported,
  };
}

/** The paperclip, while files may be sent (a person has the chat). */
export function renderAttachButton(chat: VisitorConnection, s: Strings): TemplateResult | typeof nothing {
  return chat.filesAllowed ? html`<cw-attach-button .labels=${attachmentLabels(s)}></cw-attach-button>` : nothing;
}

/** A file message's card (stored, or still being sent), or undefined for a text message. */
export function renderAttachment(m: ChatItem, chat: VisitorConnection, s: Strings): TemplateResult | undefined {
  if (!m.attachment && !m.localFile) return undefined;
  return html`<cw-attachment-card
    .attachment=${m.attachment}
    .file=${m.attachment ? undefined : m.localFile}
    .source=${chat.attachmentSource}
    .labels=${attachmentLabels(s)}
    ?sending=${m.state === 'sending'}
  ></cw-attachment-card>`;
}

function attachButton(root: ParentNode): AttachButton | null {
  return root.querySelector('cw-attach-button');
}

/** The picked file, handed over for sending (the paperclip's preview empties). */
export function takePickedFile(root: ParentNode): File | undefined {
  return attachButton(root)?.take();
}

/**
 * A paste or drop carrying a file, while files may be sent: the file goes to the paperclip (its preview shows, or
 * why it cannot be sent) and the browser's own handling is stopped. True when taken.
 */
export function takeTransferredFile(root: ParentNode, e: ClipboardEvent | DragEvent): boolean {
  const button = attachButton(root);
  const file = fileOf('clipboardData' in e ? e.clipboardData : e.dataTransfer);
  if (!button || !file) return false;
  e.preventDefault();
  button.stage(file);
  return true;
}

/** A drag of files over the panel: the drop is ours (without this the browser would open the file). */
export function allowFileDrop(root: ParentNode, e: DragEvent): void {
  if (attachButton(root) && dragHasFiles(e)) {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  }
}
