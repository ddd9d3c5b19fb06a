// The flood bench's well-behaved visitors: each its own client address and keep-alive connection, each
// starting a conversation and then sending a message at a steady pace, timing every answer.
import http from 'node:http';
import type { ChatQuestion } from '../http/chat-questions.ts';
import { postChat } from './post-chat.ts';

export interface SteadyVisitorsOptions {
  url: string;
  /** Visitors, each on its own address 127.1.0.1, 127.1.0.2, ... Range 1-5000. */
  visitors: number;
  /** Time between one visitor's messages, ms. Range 500-10000: under the per-conversation limit (burst 30, then 0.5/s) for a phase. */
  intervalMs: number;
  /** Seconds of messages (conversation set-up is not timed). */
  seconds: number;
  questions: readonly ChatQuestion[];
}

export interface SteadyRun {
  /** Latency of every continuing message, ms, whatever its status. */
  latenciesMs: number[];
  total: number;
  non2xx: number;
  /** Network errors (no HTTP status). */
  errors: number;
  statuses: Record<string, number>;
  /** Wall time from the first message to the last answer, ms. */
  durationMs: number;
  /** First failure seen (status and body-less detail), to explain a non-2xx count. */
  firstFailure?: string;
}

/** The address of visitor `i` (0-based): 127.1.0.1 upward, never 127.0.x.x (the server's and the attacker's). */
export function visitorAddress(i: number): string {
  return `127.1.${Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export interface SteadyVisitors {
  /** Every visitor starts a fresh conversation (a new visit), so each phase begins with full per-conversation buckets. */
  startConversations(): Promise<void>;
  /** One phase: every visitor sends a message every intervalMs for `seconds`, spread evenly over the interval. */
  run(seconds: number): Promise<SteadyRun>;
  close(): void;
}

export function createSteadyVisitors(options: Omit<SteadyVisitorsOptions, 'seconds'>): SteadyVisitors {
  const { url, visitors, intervalMs, questions } = options;
  const people = Array.from({ length: visitors }, (_, i) => ({
    address: visitorAddress(i),
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    conversation: undefined as { conversationId: string; token: string } | undefined,
    asked: i * 7,
  }));
  const question = (p: (typeof people)[number]) => questions[p.asked++ % questions.length]!;

  return {
    async startConversations() {
      await Promise.all(
        people.map(async (p) => {
          const answer = await postChat({ url, agent: p.agent, localAddress: p.address, text: question(p).text, readBody: true });
          if (answer.status !== 200 || !answer.json?.conversationId || !answer.json.token) {
            throw new Error(`bench flood: visitor ${p.address} could not start a conversation: ${answer.status} ${answer.error ?? ''}`);
          }
          p.conversation = { conversationId: answer.json.conversationId, token: answer.json.token };
        }),
      );
    },
    async run(seconds) {
      const result: SteadyRun = { latenciesMs: [], total: 0, non2xx: 0, errors: 0, statuses: {}, durationMs: 0 };
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
      await Promise.all(
        people.map(async (p, i) => {
          // Spread over the interval so the load is even rather than 100 requests every interval.
          let due = t0 + (i * intervalMs) / visitors;
          while (due < end) {
            await sleep(due - performance.now());
            const answer = await postChat({ url, agent: p.agent, localAddress: p.address, text: question(p).text, ...p.conversation! });
            result.total++;
            result.latenciesMs.push(answer.ms);
            result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
            if (answer.status === 0) result.errors++;
            else if (answer.status < 200 || answer.status >= 300) result.non2xx++;
            if ((answer.status < 200 || answer.status >= 300) && !result.firstFailure) result.firstFailure = `${p.address}: ${answer.status} ${answer.error ?? ''}`.trim();
            // A slow answer delays this visitor's next message, as a person waits for the reply (no backlog burst).
            due = Math.max(due + intervalMs, performance.now());
          }
        }),
      );
      result.durationMs = performance.now() - t0;
      return result;
    },
    close() {
      for (const p of people) p.agent.destroy();
    },
  };
}
