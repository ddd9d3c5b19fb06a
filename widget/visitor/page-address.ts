// The page address the widget reports: origin and path, never the query string or fragment.

/**
 * Query strings and fragments carry tokens and personal data (password-reset links, order and phone numbers), and
 * the chat server may be another origin: the server drops them on arrival too, but they should not travel at all.
 * A value that is not a URL comes back as it is (the server refuses it).
 */
export function pageAddress(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return value;
  }
}
