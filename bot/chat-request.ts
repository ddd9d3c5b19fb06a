// Validates the body of POST /api/chat into a clean ChatRequest, or a ValidationError naming the field.
import { z } from 'zod';
import { ValidationError } from '../handoff/index.ts';
import type { Lang } from '../knowledge/types.ts';
import { charCount, cleanVisitorText } from './clean-visitor-text.ts';

export interface ChatRequest {
  /** Control characters stripped, trimmed, never empty. */
  text: string;
  conversationId?: string;
  lang?: Lang;
}

/** Longer ids cannot be ours (UUIDs are 36); refusing them early keeps junk out of lookups and logs. */
const MAX_ID_LENGTH = 128;

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
  });
}

const FIELD_RULES: Record<string, { code: string; message: string }> = {
  text: { code: 'invalid_type', message: 'text must be a string' },
  conversationId: {
    code: 'invalid_conversation_id',
    message: `conversationId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
  },
  lang: { code: 'invalid_lang', message: 'lang must be "zh" or "en"' },
};

export function parseChatRequest(body: unknown, maxChars: number): ChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'the request body must be a JSON object');
  }
  const parsed = schema(maxChars).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    if (issue.code === 'custom') {
      throw new ValidationError(String(issue.params?.code ?? 'invalid_value'), issue.message, field);
    }
    if (field === 'text' && issue.code === 'invalid_type' && (body as Record<string, unknown>).text === undefined) {
      throw new ValidationError('missing_field', 'text is required', 'text');
    }
    const rule = FIELD_RULES[field] ?? { code: 'invalid_value', message: `${field} is not valid` };
    throw new ValidationError(rule.code, rule.message, field);
  }
  const request: ChatRequest = { text: parsed.data.text };
  if (parsed.data.conversationId != null) request.conversationId = parsed.data.conversationId;
  if (parsed.data.lang != null) request.lang = parsed.data.lang;
  return request;
}
