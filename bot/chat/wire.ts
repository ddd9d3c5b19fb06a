// The JSON of the visitor's chat API (POST /api/chat), as the widget reads it. Types only; the rest of what
// the browser reads is handoff/http/wire.ts.
export type { ChatReply, ChatResponse } from './chat-turn.ts';
export type { Suggestion } from '../engine/decision.ts';
