// The console's side of files in a chat: the words of the paperclip and the file cards, and the agent's upload
// (same origin, session cookie) with what to tell the agent when the server refuses it.
import type { ViewMessage } from '../../../handoff/http/wire.ts';
import { formatBytes, postAttachment, type AttachmentLabels } from '../../shared/attachment-files.ts';
import type { Strings } from '../console-strings.ts';

export function consoleAttachmentLabels(s: Strings): AttachmentLabels {
  return {
    attach: s.attach,
    remove: s.attachRemove,
    open: s.attachOpen,
    download: s.attachDownload,
    tooLarge: (maxBytes) => s.attachTooLarge(formatBytes(maxBytes)),
    unsupported: s.fileUnsupported,
  };
}

/** Sends `file` into the chat the agent holds: the stored message, or the reason it was refused, in the agent's words. */
export async function sendAgentFile(base: string, conversationId: string, file: File, s: Strings): Promise<{ message: ViewMessage } | { error: string }> {
  const result = await postAttachment(`${base}/api/agent/conversations/${encodeURIComponent(conversationId)}/attachments`, file, { credentials: 'same-origin' });
  if (result.ok) return { message: result.message };
  switch (result.status) {
    case 413:
      return { error: s.fileTooLarge };
    case 415:
      return { error: s.fileUnsupported };
    case 409:
      return { error: s.fileNotYours };
    default:
      return { error: result.message };
  }
}
