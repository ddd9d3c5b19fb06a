// Masks what looks like a secret in a message a rule marked for redaction (a password typed into the chat).

/** Runs of 4+ digits, or 6+ letters and digits mixed: service passwords, PINs, card passwords. */
const SECRET = /\d{4,}|(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{6,}/g;

/** "我的服务密码是123456 帮我查下余额" -> "我的服务密码是****** 帮我查下余额": the request stays readable for an agent. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (m) => '*'.repeat(Math.min(m.length, 8)));
}
