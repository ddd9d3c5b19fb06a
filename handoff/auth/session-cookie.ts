// The agent session cookie: `agent_session`, Path=/, HttpOnly, SameSite=Strict, Secure over https.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'agent_session';

/** `auto`: Secure when the request came over https (behind a TLS proxy, say `always`). */
export type SecureCookies = 'auto' | 'always' | 'never';

function isSecure(c: Context, secure: SecureCookies): boolean {
  if (secure !== 'auto') return secure === 'always';
  return new URL(c.req.url).protocol === 'https:';
}

/** Max-Age is the session's absolute lifetime: the browser drops the cookie when the server would refuse it. */
export function setSessionCookie(c: Context, secret: string, maxAgeSeconds: number, secure: SecureCookies): void {
  setCookie(c, SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecure(c, secure),
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
  });
}

export function clearSessionCookie(c: Context, secure: SecureCookies): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isSecure(c, secure) });
}

export function readSessionCookie(c: Context): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  return value === undefined || value === '' ? undefined : value;
}
