// Validates the body of POST /api/chat into a clean ChatRequest, or a ValidationError naming the field.
import { z } from 'zod';
import { isProvinceId, ValidationError, CLIENT_MESSAGE_ID_RULE, clientMessageIdField } from '../../handoff/index.ts';
import type { Lang } from '../../knowledge/types.ts';
import { charCount, cleanVisitorText } from '../../knowledge/text/clean-text.ts';

export interface ChatRequest {
  /** Control characters stripped, trimmed, never empty. */
  text: string;
  conversationId?: string;
  lang?: Lang;
  /**
   * The widget's id for this message: a retry with the same id in the same conversation stores nothing
   * new and gets the first response. A first message (no conversationId) is matched only together with
   * visitorId: within 2 minutes, while that conversation is still at this first turn with no person on it,
   * the retry gets the same conversation and reply and a new token (the lost one stops working). Without
   * visitorId a retried first message starts another conversation.
   */
  clientMessageId?: string;
  /** What the widget knows of the visitor's page; kept with a new conversation for the agent. */
  visitor?: VisitorContext;
  /**
   * The widget's stable id of this browser (not a credential: alone it grants nothing); kept with a new
   * conversation so an agent can block the visitor by it. With clientMessageId it makes a first message
   * retryable (see clientMessageId). Ignored when continuing.
   */
  visitorId?: string;
  /** The invitation the visitor accepted (a new conversation only): marks the chat invited, may route it to the agent. */
  invitationId?: string;
  /**
   * The visitor's home province as the embedding page knows it (a province site): a lower-case pinyin id
   * of handoff/routing/provinces.ts. Kept with a new conversation (routing, the hours answer); ignored when continuing.
   */
  province?: string;
}

/** The widget sends 22 characters (16 random bytes, base64url); other clients may send up to 64. */
export const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface VisitorContext {
  /** http(s) URL of the page the chat runs on. */
  pageUrl?: string;
  /** http(s) URL of the page before it (document.referrer). */
  referrer?: string;
  userAgent?: string;
}

/** Longer ids cannot be ours (UUIDs are 36); refusing them early keeps junk out of lookups and logs. */
const MAX_ID_LENGTH = 128;
/** Long query strings are real, but a URL past this is not a page address worth keeping. */
export const MAX_URL_LENGTH = 4096;
/** Kept of a user agent: enough to tell browsers apart. */
export const MAX_USER_AGENT = 512;

/** An http(s) URL; `''` (no referrer) and null mean absent. */
const pageAddress = (field: string) =>
  z
    .string()
    .max(MAX_URL_LENGTH)
    .refine((value) => value === '' || isHttpUrl(value), { error: `${field} must be an http(s) URL`, params: { code: 'invalid_visitor' } })
    .nullish();

/**
 * Origin and path only: query strings and fragments carry personal data (search terms, order and phone numbers,
 * tokens), so they are dropped before anything is stored or shown to agents (as for page-view reports).
 */
function withoutQuery(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function schema(maxChars: number) {
  return z.object({
    text: z
      .string()
      .transform(cleanVisitorText)
      .superRefine((text, ctx) => {
        if (text === '') {
          ctx.addIssue({ code: 'custom', message: 'text must not be empty', params: { code: 'empty_text' } });
        } else if (charCount(text) > maxChars) {
          ctx.addIssue({
            code: 'custom',
            message: `text must be at most ${maxChars} characters`,
            params: { code: 'message_too_long' },
          });
        }
      }),
    // null is accepted as "absent": clients often send `conversationId: null` for a new chat.
    conversationId: z.string().min(1).max(MAX_ID_LENGTH).nullish(),
    lang: z.enum(['zh', 'en']).nullish(),
    clientMessageId: clientMessageIdField,
    visitorId: z.string().regex(VISITOR_ID).nullish(),
    invitationId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).nullish(),
    province: z
      .string()
      .max(32)
      .refine(isProvinceId, { error: 'province must be the lower-case pinyin id of a mainland province (guangdong, sichuan ...)', params: { code: 'invalid_province' } })
      .nullish(),
    visitor: z
      .object({
        pageUrl: pageAddress('visitor.pageUrl'),
        referrer: pageAddress('visitor.referrer'),
        userAgent: z.string().nullish(),
      })
      .nullish(),
  });
}

/** Built once per limit (config has one): building a zod schema, and its first parse, cost far more than a parse. */
const schemas = new Map<number, ReturnType<typeof schema>>();
function schemaFor(maxChars: number): ReturnType<typeof schema> {
  let built = schemas.get(maxChars);
  if (!built) {
    built = schema(maxChars);
    schemas.set(maxChars, built);
  }
  return built;
}

const FIELD_RULES: Record<string, { code: string; message: string }> = {
  text: { code: 'invalid_type', message: 'text must be a string' },
  conversationId: {
    code: 'invalid_conversation_id',
    message: `conversationId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
  },
  lang: { code: 'invalid_lang', message: 'lang must be "zh" or "en"' },
  clientMessageId: CLIENT_MESSAGE_ID_RULE,
  visitorId: { code: 'invalid_visitor_id', message: 'visitorId must be 16-64 characters of A-Z, a-z, 0-9, _ and -' },
  invitationId: { code: 'invalid_invitation', message: 'invitationId must be an invitation id' },
  province: { code: 'invalid_province', message: 'province must be the lower-case pinyin id of a mainland province (guangdong, sichuan ...)' },
  visitor: { code: 'invalid_visitor', message: 'visitor must be an object { pageUrl?, referrer?, userAgent? }' },
  'visitor.pageUrl': { code: 'invalid_visitor', message: `visitor.pageUrl must be an http(s) URL of at most ${MAX_URL_LENGTH} characters` },
  'visitor.referrer': { code: 'invalid_visitor', message: `visitor.referrer must be an http(s) URL of at most ${MAX_URL_LENGTH} characters` },
  'visitor.userAgent': { code: 'invalid_visitor', message: 'visitor.userAgent must be a string' },
};

export function parseChatRequest(body: unknown, maxChars: number): ChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  }
  const parsed = schemaFor(maxChars).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // Nested fields are named by their path (visitor.pageUrl).
    const field = issue.path.map(String).join('.');
    if (issue.code === 'custom') {
      throw new ValidationError(String(issue.params?.code ?? 'invalid_value'), issue.message, field);
    }
    if (field === 'text' && issue.code === 'invalid_type' && (body as Record<string, unknown>).text === undefined) {
      throw new ValidationError('missing_field', 'text is required', 'text');
    }
    const rule = FIELD_RULES[field] ?? FIELD_RULES[String(issue.path[0])] ?? { code: 'invalid_value', message: `${field} is not valid` };
    throw new ValidationError(rule.code, rule.message, field);
  }
  const request: ChatRequest = { text: parsed.data.text };
  if (parsed.data.conversationId != null) request.conversationId = parsed.data.conversationId;
  if (parsed.data.lang != null) request.lang = parsed.data.lang;
  if (parsed.data.clientMessageId != null) request.clientMessageId = parsed.data.clientMessageId;
  if (parsed.data.visitorId != null) request.visitorId = parsed.data.visitorId;
  if (parsed.data.invitationId != null) request.invitationId = parsed.data.invitationId;
  if (parsed.data.province != null) request.province = parsed.data.province;
  const visitor = parsed.data.visitor;
  if (visitor) {
    const context: VisitorContext = {};
    if (visitor.pageUrl) context.pageUrl = withoutQuery(visitor.pageUrl);
    if (visitor.referrer) context.referrer = withoutQuery(visitor.referrer);
    const userAgent = visitor.userAgent ? cleanVisitorText(visitor.userAgent).slice(0, MAX_USER_AGENT) : '';
    if (userAgent) context.userAgent = userAgent;
    request.visitor = context;
  }
  return request;
}
