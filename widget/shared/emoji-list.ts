// The emoji both composers offer: a short, curated list for customer-service chats (greetings, thanks, yes/no,
// phones, bills), named in both languages for screen readers. In code, so nothing is fetched at run time.

export interface EmojiChoice {
  emoji: string;
  zh: string;
  en: string;
}

export const EMOJI: readonly EmojiChoice[] = [
  { emoji: '😀', zh: '笑脸', en: 'grinning face' },
  { emoji: '😊', zh: '微笑', en: 'smiling face' },
  { emoji: '🙂', zh: '淡淡一笑', en: 'slightly smiling face' },
  { emoji: '😉', zh: '眨眼', en: 'winking face' },
  { emoji: '😂', zh: '笑哭', en: 'face with tears of joy' },
  { emoji: '😍', zh: '喜欢', en: 'smiling face with heart-eyes' },
  { emoji: '🤔', zh: '思考', en: 'thinking face' },
  { emoji: '😅', zh: '尴尬', en: 'grinning face with sweat' },
  { emoji: '😢', zh: '难过', en: 'crying face' },
  { emoji: '😭', zh: '大哭', en: 'loudly crying face' },
  { emoji: '😠', zh: '生气', en: 'angry face' },
  { emoji: '😱', zh: '惊恐', en: 'face screaming in fear' },
  { emoji: '😴', zh: '困了', en: 'sleeping face' },
  { emoji: '🙏', zh: '拜托', en: 'folded hands' },
  { emoji: '👍', zh: '赞', en: 'thumbs up' },
  { emoji: '👎', zh: '踩', en: 'thumbs down' },
  { emoji: '👌', zh: '好的', en: 'OK hand' },
  { emoji: '👏', zh: '鼓掌', en: 'clapping hands' },
  { emoji: '🤝', zh: '握手', en: 'handshake' },
  { emoji: '💪', zh: '加油', en: 'flexed biceps' },
  { emoji: '👋', zh: '挥手', en: 'waving hand' },
  { emoji: '❤️', zh: '爱心', en: 'red heart' },
  { emoji: '🌹', zh: '玫瑰', en: 'rose' },
  { emoji: '🎉', zh: '庆祝', en: 'party popper' },
  { emoji: '✅', zh: '完成', en: 'check mark' },
  { emoji: '❌', zh: '错误', en: 'cross mark' },
  { emoji: '⚠️', zh: '警告', en: 'warning' },
  { emoji: '❓', zh: '疑问', en: 'question mark' },
  { emoji: '📱', zh: '手机', en: 'mobile phone' },
  { emoji: '📞', zh: '电话', en: 'telephone receiver' },
  { emoji: '📶', zh: '信号', en: 'antenna bars' },
  { emoji: '🔋', zh: '电池', en: 'battery' },
  { emoji: '💻', zh: '电脑', en: 'laptop' },
  { emoji: '🌐', zh: '网络', en: 'globe with meridians' },
  { emoji: '💰', zh: '钱', en: 'money bag' },
  { emoji: '🧾', zh: '票据', en: 'receipt' },
  { emoji: '📧', zh: '邮件', en: 'e-mail' },
  { emoji: '⏰', zh: '闹钟', en: 'alarm clock' },
  { emoji: '☕', zh: '咖啡', en: 'hot beverage' },
  { emoji: '🌟', zh: '星星', en: 'glowing star' },
];
