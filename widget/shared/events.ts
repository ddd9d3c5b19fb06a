// Every DOM event the widget and the console send, declared once: its name, and what its detail carries.
// Each bubbles out of shadow roots (composed) to whoever listens: the page for the widget, the console shell.
import type { Agent, BlockJson, FaqDraftJson, ViewMessage, ConsultNoteJson } from '../../handoff/http/wire.ts';

export const WidgetEvent = {
  /** <chat-widget> opened or closed (the embedding page may follow it). */
  toggle: 'chat-widget-toggle',
} as const;

/** Sent by both faces' shared parts (widget/shared/). */
export const SharedEvent = {
  /** <cw-emoji-picker>: an emoji was chosen; the composer around it inserts it at the caret. */
  emojiPick: 'emoji-pick',
  /** <cw-attach-button>: a file was picked (button, paste or drop) and waits above the composer to be sent. */
  attachmentPick: 'attachment-pick',
  /** <cw-attachment-card>: its remove button (a picked file the visitor or agent no longer wants to send). */
  attachmentRemove: 'attachment-remove',
} as const;

export const ConsoleEvent = {
  signedIn: 'signed-in',
  messageSent: 'message-sent',
  chatClosed: 'chat-closed',
  chatDismiss: 'chat-dismiss',
  transferred: 'transferred',
  saveFaqDraft: 'save-faq-draft',
  faqDraftSaved: 'faq-draft-saved',
  visitorBlocked: 'visitor-blocked',
  /** A block was made or lifted somewhere in the console: counters and lists reload. */
  blocksChanged: 'visitor-blocks-changed',
  /** The participants strip's buttons: open the invitation dialog; leave a chat joined as a colleague. */
  inviteColleague: 'invite-colleague',
  leaveChat: 'leave-chat',
  /** Working together: a colleague was invited into the chat (the chat's participants reload). */
  colleagueInvited: 'colleague-invited',
  /** This agent left a chat they had joined as a colleague: its tab shows it ended. */
  chatLeft: 'chat-left',
  /** A private consult note was sent from this console (the thread shows it before the stream brings it back). */
  consultSent: 'consult-sent',
  /** An invitation into a colleague's chat was accepted or declined here. */
  invitationAnswered: 'invitation-answered',
} as const;

export interface ChatWidgetToggleDetail {
  open: boolean;
}
export interface EmojiPickDetail {
  emoji: string;
}
export interface AttachmentPickDetail {
  file: File;
}
export interface ConversationDetail {
  conversationId: string;
}
export interface MessageSentDetail {
  conversationId: string;
  message: ViewMessage;
}
export interface SaveFaqDraftDetail {
  message: ViewMessage;
}
export interface FaqDraftSavedDetail {
  conversationId: string;
  draft: FaqDraftJson;
}
export interface ConsultSentDetail {
  note: ConsultNoteJson;
}
export interface InvitationAnsweredDetail {
  conversationId: string;
  accepted: boolean;
}
export interface VisitorBlockedDetail {
  conversationId: string;
  block: BlockJson;
}

/** What each event's detail is, so a listener added with addEventListener is typed. */
export interface EventDetails {
  'chat-widget-toggle': ChatWidgetToggleDetail;
  'emoji-pick': EmojiPickDetail;
  'attachment-pick': AttachmentPickDetail;
  'attachment-remove': undefined;
  'signed-in': Agent;
  'message-sent': MessageSentDetail;
  'chat-closed': ConversationDetail;
  'chat-dismiss': ConversationDetail;
  transferred: ConversationDetail;
  'save-faq-draft': SaveFaqDraftDetail;
  'faq-draft-saved': FaqDraftSavedDetail;
  'visitor-blocked': VisitorBlockedDetail;
  'visitor-blocks-changed': undefined;
  'invite-colleague': ConversationDetail;
  'leave-chat': ConversationDetail;
  'colleague-invited': ConversationDetail;
  'chat-left': ConversationDetail;
  'consult-sent': ConsultSentDetail;
  'invitation-answered': InvitationAnsweredDetail;
}

/** The event, bubbling and composed, for `el.dispatchEvent(...)`. */
export function composedEvent<K extends keyof EventDetails>(name: K, ...detail: EventDetails[K] extends undefined ? [] : [EventDetails[K]]): CustomEvent<EventDetails[K]> {
  return new CustomEvent(name, { ...(detail.length ? { detail: detail[0] } : {}), bubbles: true, composed: true });
}

declare global {
  interface HTMLElementEventMap {
    'chat-widget-toggle': CustomEvent<ChatWidgetToggleDetail>;
    'emoji-pick': CustomEvent<EmojiPickDetail>;
    'attachment-pick': CustomEvent<AttachmentPickDetail>;
    'attachment-remove': CustomEvent<undefined>;
    'signed-in': CustomEvent<Agent>;
    'message-sent': CustomEvent<MessageSentDetail>;
    'chat-closed': CustomEvent<ConversationDetail>;
    'chat-dismiss': CustomEvent<ConversationDetail>;
    transferred: CustomEvent<ConversationDetail>;
    'save-faq-draft': CustomEvent<SaveFaqDraftDetail>;
    'faq-draft-saved': CustomEvent<FaqDraftSavedDetail>;
    'visitor-blocked': CustomEvent<VisitorBlockedDetail>;
    'visitor-blocks-changed': CustomEvent<undefined>;
    'invite-colleague': CustomEvent<ConversationDetail>;
    'leave-chat': CustomEvent<ConversationDetail>;
    'colleague-invited': CustomEvent<ConversationDetail>;
    'chat-left': CustomEvent<ConversationDetail>;
    'consult-sent': CustomEvent<ConsultSentDetail>;
    'invitation-answered': CustomEvent<InvitationAnsweredDetail>;
  }
}
