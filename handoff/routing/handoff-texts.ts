// What visitors are told as a chat moves between bot, queue and agents: knowledge/messages.yaml wins,
// these defaults fill the gaps (so a knowledge base without a text never leaves the visitor with nothing).
import type { Bilingual, Lang } from '../../knowledge/types.ts';

/** The `messages` of the knowledge base (messages.yaml): key -> text in both languages. */
export type Messages = Record<string, Bilingual<string>>;

/** Placeholders: {agent} in agent_joined, colleague_joined and colleague_left; {opensAt} in outside_hours; {province} and {hours} in agent_hours_province. */
export const defaultHandoffTexts = {
  handoff: {
    zh: '好的，正在为您转接人工客服，请稍候。',
    en: "OK, I'm getting you a person. Please hold on.",
  },
  agent_joined: {
    zh: '客服 {agent} 已接入，正在为您服务。',
    en: '{agent} has joined the chat and will help you now.',
  },
  closed: {
    zh: '本次对话已结束，感谢您的咨询！如还有问题，随时可以再问我。',
    en: 'This chat has ended. Thanks for contacting us! Feel free to ask again any time.',
  },
  closed_idle: {
    zh: '由于长时间没有新消息，本次对话已自动结束。如还有问题，随时可以再问我。',
    en: 'This chat was closed after a long silence. Feel free to ask again any time.',
  },
  outside_hours: {
    zh: '现在不是人工客服的服务时间，客服人员将于 {opensAt} 上线。您可以先留言，我们会尽快回复；也可以继续问我常见问题。',
    en: "Our agents are offline right now and will be back at {opensAt}. You can leave a message and we'll reply as soon as possible, or keep asking me common questions.",
  },
  no_agents: {
    zh: '已为您排队。现在暂时没有人工客服在线，客服上线后会按顺序接待您。不想等的话，也可以留言（留下联系方式和问题），我们会尽快回复。',
    en: "You're in the queue. No agent is online at this moment; the first one to sign in will take your chat. If you'd rather not wait, leave a message (your contact details and question) and we'll reply as soon as possible.",
  },
  // A colleague the holder invited joined the chat, or left it (handoff/collaboration/): the visitor sees two names.
  colleague_joined: {
    zh: '客服 {agent} 也加入了对话，和我们一起为您服务。',
    en: '{agent} has also joined the chat to help you.',
  },
  colleague_left: {
    zh: '客服 {agent} 已离开对话。',
    en: '{agent} has left the chat.',
  },
  transferred: {
    zh: '正在为您转接其他客服，请稍候。',
    en: "I'm passing you to a colleague. Please hold on.",
  },
  requeued: {
    zh: '客服连接中断，已为您优先重新排队，请稍候。',
    en: 'Your agent got disconnected. You are back at the front of the queue; please hold on.',
  },
  ask_province: {
    zh: '为了给您转接本省的人工客服，请问您的号码是哪个省的？请选择或直接输入省份名称（不清楚的话选“其他省份”）。',
    en: 'To put you through to the team for your area, which province is your number from? Choose one or type its name (or "Other province" if unsure).',
  },
  agent_hours_province: {
    zh: '您所在的{province}，人工客服服务时间为{hours}。',
    en: 'For {province}, human agents work {hours}.',
  },
  ticket_received: {
    zh: '您的留言已收到，我们会通过您留下的联系方式尽快回复。',
    en: "We've got your message and will get back to you through the contact details you left.",
  },
} satisfies Record<string, Bilingual<string>>;

export type HandoffTextKey = keyof typeof defaultHandoffTexts;

/** The text for `key` in `lang` with `{name}` placeholders filled; the knowledge base's wording first. */
export function handoffText(
  messages: Messages | undefined,
  key: HandoffTextKey,
  lang: Lang,
  vars: Record<string, string> = {},
): string {
  const template = messages?.[key]?.[lang]?.trim() || defaultHandoffTexts[key][lang];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}
