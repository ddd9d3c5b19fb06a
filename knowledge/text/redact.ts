// Masks what looks like a secret in a message a rule marked for redaction (a password typed into the chat).

/** Runs of 4+ digits, or 6+ letters and digits mixed: service passwords, PINs, card passwords. */
const SECRET = /\d{4,}|(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{6,}/g;

/** "我的服务密码是123456 帮我查下余额" -> "我的服务密码是****** 帮我查下余额": the request stays readable for an agent. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (m) => '*'.repeat(Math.min(m.length, 8)));
}

/**
 * A password keyword, a few filler characters (是, 为, is, :), then the candidate secret: the same shape
 * of secret SECRET masks (4+ digits or 6+ mixed letters and digits), here also with punctuation in it.
 */
const PASSWORD_PHRASE =
  /((?:服务|查询|登录|支付|宽带|充值卡)?(?:密码|口令)|\b(?:password|passcode|passwd|pwd|pin)\b)([\s:：=是为is]{0,6})([A-Za-z\d!@#$%^&*._+-]{4,})/gi;

/**
 * Masks only the secret after a password keyword ("服务密码是123456" -> "服务密码是******"), leaving other
 * numbers (10193, 2025-03-03, ¥58) alone: the form for logs, where maskSecrets would mask every number.
 */
export function maskPasswordPhrases(text: string): string {
  return text.replace(PASSWORD_PHRASE, (_m, keyword: string, filler: string, secret: string) => {
    // "password is wrong", "密码是什么": a word, not a secret (SECRET needs a digit or 4+ digits).
    if (!/\d/.test(secret)) return `${keyword}${filler}${secret}`;
    return `${keyword}${filler}${'*'.repeat(Math.min(secret.length, 8))}`;
  });
}
