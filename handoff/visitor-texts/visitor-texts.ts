// What every visitor's widget shows that admins edit (issue 17): the welcome text, a warning banner (an anti-fraud
// notice, 警示语) in zh and en, and the launcher's logo; their store port, checks, and what the widget is sent.
import { z } from 'zod';
import type { Bilingual, Lang } from '../../knowledge/types.ts';
import { charCount, holdsUnstorableCharacters } from '../../knowledge/text/clean-text.ts';
import { ValidationError } from '../platform/errors.ts';

/** Longest welcome text per language, in characters. */
export const MAX_WELCOME_CHARS = 500;
/** Longest banner per language, in characters: a line or two above the chat, not an article. */
export const MAX_BANNER_CHARS = 300;

/** The raster types a logo may be (judged by its bytes): no SVG, which can carry script. */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

export interface LogoInfo {
  type: LogoType;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the bytes: names the image's public URL, so a new logo is a new URL. */
  sha256: string;
}

export interface StoredLogo extends LogoInfo {
  bytes: Uint8Array;
}

/** What admins saved; an empty text is "not set" (the welcome falls back to the knowledge base, no banner). */
export interface VisitorTextsRecord {
  welcome: Bilingual<string>;
  banner: Bilingual<string>;
  logo?: LogoInfo;
  updatedAt?: string;
  /** The account id that saved last. */
  updatedBy?: string;
}

export const EMPTY_VISITOR_TEXTS: VisitorTextsRecord = { welcome: { zh: '', en: '' }, banner: { zh: '', en: '' } };

export interface VisitorTextsStore {
  /** The texts and the logo's description (not its bytes); EMPTY_VISITOR_TEXTS before anything was saved. */
  get(): Promise<VisitorTextsRecord>;
  /** The logo with its bytes, when one is set. */
  logo(): Promise<StoredLogo | undefined>;
  saveTexts(texts: Pick<VisitorTextsRecord, 'welcome' | 'banner'>, at: Date, by: string): Promise<VisitorTextsRecord>;
  /** `null` removes the logo (the widget's own icon again). */
  saveLogo(logo: StoredLogo | null, at: Date, by: string): Promise<VisitorTextsRecord>;
}

/** What GET /api/visitor/texts sends the widget: every text resolved per language, the logo's path if any. */
export interface PublicVisitorTexts {
  welcome: Bilingual<string>;
  /** '' = no banner in that language. */
  banner: Bilingual<string>;
  /** Path of the logo on the chat server (the widget prefixes its server), or null for the built-in icon. */
  logo: string | null;
}

/** The public path of a logo: its hash in the name, so it can be cached for good and a new one is a new path. */
export function logoPath(logo: Pick<LogoInfo, 'sha256'>): string {
  return `/api/visitor/logo/${logo.sha256}`;
}

/**
 * The texts a widget shows. Welcome: the admin's, else the knowledge base's `welcome` (messages.yaml), else ''
 * (the widget's built-in words). Banner: a warning matters in either language, so one written in one language only
 * is shown in the other too, rather than no warning at all.
 */
export function publicTexts(record: VisitorTextsRecord, kbWelcome: Bilingual<string> | undefined): PublicVisitorTexts {
  const welcome = (lang: Lang) => record.welcome[lang] || kbWelcome?.[lang] || '';
  const banner = (lang: Lang, other: Lang) => record.banner[lang] || record.banner[other];
  return {
    welcome: { zh: welcome('zh'), en: welcome('en') },
    banner: { zh: banner('zh', 'en'), en: banner('en', 'zh') },
    logo: record.logo ? logoPath(record.logo) : null,
  };
}

/**
 * Markup in a text: an opening or closing tag, a comment or a declaration. The widget renders text only, so it would
 * show as literal angle brackets; refused so an admin who pasted HTML learns it at once. "a < b" stays allowed.
 */
const MARKUP = /<\s*[/!?]?\s*[a-z]/i;

/** An admin's text: line ends as \n, trimmed; control characters, direction overrides and markup refused (400). */
function adminText(max: number) {
  return z
    .string({ error: `must be a string of at most ${max} characters` })
    .transform((value, ctx) => {
      const text = value.replace(/\r\n?/g, '\n').trim();
      if (holdsUnstorableCharacters(text)) {
        ctx.addIssue({ code: 'custom', message: 'must not hold control characters or direction overrides', params: { code: 'control_characters' } });
        return z.NEVER;
      }
      if (MARKUP.test(text)) {
        ctx.addIssue({ code: 'custom', message: 'must be plain text, without HTML tags', params: { code: 'markup_not_allowed' } });
        return z.NEVER;
      }
      if (charCount(text) > max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters`, params: { code: 'too_long' } });
        return z.NEVER;
      }
      return text;
    });
}

/** PUT /api/admin/visitor-texts: both texts in both languages ('' = not set). Strict: an unknown key is a 400. */
export const visitorTextsBodySchema = z.strictObject({
  welcome: z.strictObject({ zh: adminText(MAX_WELCOME_CHARS), en: adminText(MAX_WELCOME_CHARS) }),
  banner: z.strictObject({ zh: adminText(MAX_BANNER_CHARS), en: adminText(MAX_BANNER_CHARS) }),
});

/** Which of the texts an admin's save changed (`welcome.zh` ...), for the audit row: names only, never the words. */
export function changedTexts(before: VisitorTextsRecord, after: Pick<VisitorTextsRecord, 'welcome' | 'banner'>): string[] {
  const changed: string[] = [];
  for (const key of ['welcome', 'banner'] as const) {
    for (const lang of ['zh', 'en'] as const) if (before[key][lang] !== after[key][lang]) changed.push(`${key}.${lang}`);
  }
  return changed;
}

/** A logo as the console sends it: a data: URL with base64 bytes (the declared type is not trusted). */
const DATA_URL = /^data:[a-z0-9.+/-]{0,100};base64,([A-Za-z0-9+/]+={0,2})$/i;

/** The bytes of a `data:...;base64,...` URL, or a 400 naming the field. */
export function dataUrlBytes(value: string, field: string): Uint8Array {
  const match = DATA_URL.exec(value);
  if (!match || match[1]!.length % 4 !== 0) {
    throw new ValidationError('invalid_image', `${field} must be a data: URL with the image's bytes in base64`, field);
  }
  return new Uint8Array(Buffer.from(match[1]!, 'base64'));
}
