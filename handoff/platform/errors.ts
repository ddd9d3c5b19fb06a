// Typed errors the routes throw; bot/error-handler.ts maps each class to one HTTP status.

/** Base of every error a client can be told about: a stable `code` and a human message. */
export abstract class AppError extends Error {
  abstract readonly code: string;
}

/** Bad input: `code` says what is wrong, `field` which part of the request (when one is to blame). */
export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Something that does not exist, or that the caller may not know exists (a wrong token looks the same). */
export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
}

/** No usable credentials were sent at all. */
export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'unauthorized';
}

/** Credentials are fine but the action is not allowed for them (foreign Origin, wrong role...). */
export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
}

/** The state changed under the caller (another agent took the chat, a concurrent turn won). */
export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  /** `conflict` unless the caller names what is in the way (`no_visitor_id`: the chat has no visitor id). */
  constructor(
    message: string,
    readonly code: string = 'conflict',
  ) {
    super(message);
  }
}

/** The request body is larger than the configured limit. */
export class PayloadTooLargeError extends AppError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
}

/** The request body is not of a type the route takes (not JSON by its Content-Type; a file of another type). */
export class UnsupportedMediaTypeError extends AppError {
  override readonly name = 'UnsupportedMediaTypeError';
  /** `unsupported_media_type` unless the caller names what is refused (`unsupported_type`: an attachment's content). */
  constructor(
    message: string,
    readonly code: string = 'unsupported_media_type',
  ) {
    super(message);
  }
}

/** Too many requests from one client or for one conversation; retry after `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  override readonly name = 'RateLimitedError';
  /** `rate_limited` unless the caller names the limit (`too_many_streams`: a cap on open live streams). */
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly code: string = 'rate_limited',
  ) {
    super(message);
  }
}

/**
 * The visitor (by address or visitor id) is blocked by an agent (handoff/visitors/visitor-blocks.ts). The message is
 * the same calm one for every refused request: it says nothing about who blocked or why.
 */
export class VisitorBlockedError extends AppError {
  override readonly name = 'VisitorBlockedError';
  readonly code = 'visitor_blocked';
  constructor(message = 'this chat is not available') {
    super(message);
  }
}
