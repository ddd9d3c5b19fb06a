// Masks secrets a visitor types into the chat (service passwords, PINs), on the text as the engine reads it
// (NFKC: full-width digits and letters from Chinese input methods are the same secret as their ASCII form).
// Everything that keeps or shows visitor text goes through here or mask-personal-data.ts: the stored message
// (and so the search index and the agent's view), the unanswered inbox, FAQ drafts and log lines.
import { englishWords } from './english-words.ts';
import { replaceNormalized } from './normalized-match.ts';

/** Runs of 4+ digits, or 6+ letters and digits mixed: service passwords, PINs, card passwords. */
const SECRET = /\d{4,}|(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{6,}/g;

const stars = (length: number) => '*'.repeat(Math.min(length, 8));

/** "我的服务密码是123456 帮我查下余额" -> "我的服务密码是****** 帮我查下余额": the request stays readable for an agent. */
export function maskSecrets(text: string): string {
  return replaceNormalized(text, SECRET, (m) => stars(m[0].length));
}

/**
 * A password keyword, a few filler characters (是, 为, is, :, =), then the candidate secret: printable ASCII
 * after normalization, without the , ; that end a clause.
 */
const PASSWORD_PHRASE =
  /((?:服务|查询|登录|登陆|支付|宽带|充值卡)?(?:密码|密碼|口令)|\b(?:password|passcode|passwd|pwd|pin)\b)((?:\s|[:=是为為]|\bis\b){0,6})([A-Za-z\d!@#$%^&*._+\-~?/\\|()[\]{}<>'"`]{4,})/gi;

/**
 * Whether what follows a password keyword is a secret: anything with a digit or a symbol in it, or 6+ letters
 * that are not an English word ("qwertyui" is, "password is incorrect" is not; "密码是什么" never reaches here).
 */
function looksSecret(candidate: string): boolean {
  if (/[^A-Za-z]/.test(candidate)) return true;
  return candidate.length >= 6 && !englishWords().has(candidate.toLowerCase());
}

/**
 * Masks only the secret after a password keyword ("服务密码是123456" -> "服务密码是******", "pwd=Secret123"),
 * leaving other numbers (10193, 2025-03-03, ¥58) alone: the form for text kept or logged whole.
 */
export function maskPasswordPhrases(text: string): string {
  return replaceNormalized(text, PASSWORD_PHRASE, (m) => {
    const [, keyword = '', filler = '', candidate = ''] = m;
    // "password is wrong": a word, not a secret; the visitor's own characters stay.
    if (!looksSecret(candidate)) return undefined;
    return `${keyword}${filler}${stars(candidate.length)}`;
  });
}

/**
 * A visitor's message as it is stored, indexed and shown to agents: a secret after a password keyword always
 * masked; when the engine says the message carries one (a `redact` rule, "我的服务密码是…"), every digit run
 * and letter-digit run too.
 */
export function maskVisitorMessage(text: string, carriesSecret: boolean): string {
  const masked = maskPasswordPhrases(text);
  return carriesSecret ? maskSecrets(masked) : masked;
}
