// The widget's own words in Chinese and English, the welcome topic chips, and time/wait formatting.

export type Lang = 'zh' | 'en';

export interface Topic {
  label: string;
  /** Sent as the visitor's message when the chip is chosen: a question the knowledge base answers. */
  question: string;
}

const zh = {
  title: '在线客服',
  open: '打开在线客服',
  minimize: '收起聊天窗口',
  welcome: '您好，我是联通网上营业厅在线客服助手。充值、发票、详单、宽带套餐、漫游等问题都可以问我；需要人工时点“转人工”。',
  topicsLabel: '常见问题',
  placeholder: '请输入您的问题…',
  inputLabel: '输入消息',
  send: '发送',
  handoff: '转人工',
  endChat: '结束对话',
  switchLang: 'English',
  switchLangLabel: 'Switch to English',
  visitor: '我',
  bot: '智能助手',
  agent: '客服',
  system: '系统消息',
  queue: (position: number, eta: string) => `排队中：您排在第 ${position} 位${eta ? `，预计等待约 ${eta}` : ''}`,
  queueWaiting: '正在为您转接人工客服…',
  withAgent: (name: string) => `客服 ${name} 正在为您服务`,
  typing: (name: string) => `${name} 正在输入…`,
  offline: '网络已断开，正在尝试重新连接…',
  reconnecting: '连接中断，正在重新连接…',
  restarting: '正在重新连接…',
  sendFailed: '发送失败',
  retry: '重试',
  errorGeneric: '出错了，请稍后再试。',
  tooMany: '发送太频繁，请稍后再试。',
  blocked: '在线客服暂时无法为您服务，请拨打客服热线 10010。',
  inviteLabel: '在线客服邀请',
  inviteDefault: '您好，有什么可以帮您的吗？',
  inviteFrom: (name: string) => `${name} 邀请您咨询`,
  inviteAccept: '开始咨询',
  inviteDismiss: '关闭邀请',
  ticketTitle: '留言',
  ticketIntro: '请留下联系方式和问题，我们会尽快回复您。',
  ticketContact: '联系方式（手机号或邮箱）',
  ticketText: '留言内容',
  ticketSubmit: '提交留言',
  ticketReplyLabel: '对您留言的回复',
  ticketYours: (time: string) => `您的留言（${time}）`,
  ticketWaiting: '留言已收到，客服会尽快回复，回复会显示在这里。',
  bannerLabel: '安全提示',
  emoji: '表情',
  emojiClose: '关闭表情',
  attach: '发送图片或 PDF 文件',
  attachRemove: '不发送这个文件',
  attachOpen: '查看大图',
  attachDownload: '下载',
  attachTooLarge: (mb: string) => `文件太大，最大 ${mb}。`,
  fileTooLarge: '文件太大，无法发送。',
  fileUnsupported: '只能发送图片（PNG、JPEG、GIF、WebP）或 PDF 文件。',
  fileNotNow: '人工客服接待时才能发送文件。',
  cancel: '取消',
  ratingTitle: '请为本次服务评分',
  ratingStar: (n: number) => `${n} 星`,
  ratingComment: '意见或建议（可选）',
  ratingSubmit: '提交评价',
  ratingSkip: '跳过',
  ratingThanks: '感谢您的评价！',
  suggestions: '您可能想问',
  choose: '请选择',
  newMessages: (n: number) => `${n} 条新消息`,
  receiptSent: '已发送',
  receiptRead: '已读',
  minutes: (n: number) => `${n} 分钟`,
  seconds: (n: number) => `${n} 秒`,
  topics: [
    { label: '充值', question: '短信怎么充值' },
    { label: '发票', question: '充值发票怎么开' },
    { label: '详单', question: '怎么查通话详单' },
    { label: '宽带', question: '宽带加固话那个组合套餐是啥' },
    { label: '漫游', question: '国内漫游资费多少' },
    { label: '微信营业厅', question: '微信营业厅怎么关注' },
  ] as Topic[],
};

export type Strings = typeof zh;

const en: Strings = {
  title: 'Online service',
  open: 'Open the chat',
  minimize: 'Minimize the chat',
  welcome: "Hi, I'm the China Unicom online hall assistant. Ask me about top-ups, invoices, detailed bills, broadband bundles or roaming; press \"Talk to a person\" any time.",
  topicsLabel: 'Common topics',
  placeholder: 'Type your question…',
  inputLabel: 'Message',
  send: 'Send',
  handoff: 'Talk to a person',
  endChat: 'End chat',
  switchLang: '中文',
  switchLangLabel: '切换到中文',
  visitor: 'You',
  bot: 'Assistant',
  agent: 'Agent',
  system: 'Notice',
  queue: (position, eta) => `In the queue: position ${position}${eta ? `, about ${eta} to wait` : ''}`,
  queueWaiting: 'Getting you a person…',
  withAgent: (name) => `${name} is helping you`,
  typing: (name) => `${name} is typing…`,
  offline: 'You are offline. Reconnecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  restarting: 'Reconnecting…',
  sendFailed: 'Not sent',
  retry: 'Retry',
  errorGeneric: 'Something went wrong. Please try again.',
  tooMany: 'Too many messages. Please wait a moment.',
  blocked: 'Online chat is not available right now. Please call 10010.',
  inviteLabel: 'Chat invitation',
  inviteDefault: 'Hi! Can I help you with anything?',
  inviteFrom: (name) => `${name} invites you to chat`,
  inviteAccept: 'Chat now',
  inviteDismiss: 'Close the invitation',
  ticketTitle: 'Leave a message',
  ticketIntro: "Leave your contact details and question and we'll get back to you.",
  ticketContact: 'Contact (phone or email)',
  ticketText: 'Your message',
  ticketSubmit: 'Send message',
  ticketReplyLabel: 'Reply to the message you left',
  ticketYours: (time) => `Your message (${time})`,
  ticketWaiting: "We've got your message; our answer will appear here.",
  bannerLabel: 'Safety notice',
  emoji: 'Emoji',
  emojiClose: 'Close emoji',
  attach: 'Send a picture or PDF',
  attachRemove: 'Do not send this file',
  attachOpen: 'View full size',
  attachDownload: 'Download',
  attachTooLarge: (mb: string) => `That file is too large (at most ${mb}).`,
  fileTooLarge: 'That file is too large to send.',
  fileUnsupported: 'Only pictures (PNG, JPEG, GIF, WebP) and PDF files can be sent.',
  fileNotNow: 'Files can be sent while an agent is with you.',
  cancel: 'Cancel',
  ratingTitle: 'How did we do?',
  ratingStar: (n) => `${n} star${n === 1 ? '' : 's'}`,
  ratingComment: 'Comments (optional)',
  ratingSubmit: 'Send rating',
  ratingSkip: 'Skip',
  ratingThanks: 'Thanks for your rating!',
  suggestions: 'You may ask',
  choose: 'Choose one',
  newMessages: (n) => `${n} new message${n === 1 ? '' : 's'}`,
  receiptSent: 'Sent',
  receiptRead: 'Read',
  minutes: (n) => `${n} min`,
  seconds: (n) => `${n} s`,
  topics: [
    { label: 'Top-up', question: 'How do I top up by SMS?' },
    { label: 'Invoices', question: 'How do I get an invoice for my phone bill?' },
    { label: 'Detailed bill', question: 'How do I check my detailed bill?' },
    { label: 'Broadband', question: 'What is the broadband bundle?' },
    { label: 'Roaming', question: 'What are the domestic roaming rates?' },
    { label: 'WeChat hall', question: 'How do I follow the WeChat hall?' },
  ],
};

export function strings(lang: Lang): Strings {
  return lang === 'en' ? en : zh;
}

export function parseLang(value: string | null | undefined): Lang | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh' || v.startsWith('zh-')) return 'zh';
  return undefined;
}

/** A wait as people say it: under a minute in seconds (rounded to 10), else whole minutes (at least 1). */
export function formatEta(seconds: number | undefined, lang: Lang): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return '';
  const s = strings(lang);
  if (seconds < 60) return s.seconds(Math.max(10, Math.round(seconds / 10) * 10));
  return s.minutes(Math.max(1, Math.round(seconds / 60)));
}

/** "14:05" for today, "11-23 14:05" for another day (local time); '' for a bad date. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}
