import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from './visitor-sse-parser.ts';

function parse(chunks: string[]) {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const parser = createSseParser({ onMessage: (m) => messages.push(m), onRetry: (ms) => retries.push(ms) });
  for (const c of chunks) parser.push(c);
  return { messages, retries };
}

describe('createSseParser', () => {
  it('reads the server\'s wire format: retry hint, named events with ids, heartbeats', () => {
    const { messages, retries } = parse([
      'retry: 3000\n\n',
      'event: message\nid: 1\ndata: {"id":1,"text":"a\\nb"}\n\n',
      ': ping\n\n',
      'event: ready\nid: 1\ndata: {"status":"bot","lastMessageId":1}\n\n',
    ]);
    expect(retries).toEqual([3000]);
    expect(messages).toEqual([
      { event: 'message', data: '{"id":1,"text":"a\\nb"}', lastEventId: '1' },
      { event: 'ready', data: '{"status":"bot","lastMessageId":1}', lastEventId: '1' },
    ]);
  });

  it('handles events split anywhere across chunks, also inside a CRLF pair', () => {
    const text = 'event: typing\r\ndata: {"typing":true}\r\n\r\nevent: status\r\ndata: {"status":"assigned"}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const { messages } = parse([text.slice(0, cut), text.slice(cut)]);
      expect(messages.map((m) => [m.event, m.data])).toEqual([
        ['typing', '{"typing":true}'],
        ['status', '{"status":"assigned"}'],
      ]);
    }
  });

  it('joins multi-line data, defaults the event name, and ignores unknown fields', () => {
    const { messages } = parse(['data: one\ndata: two\nfoo: bar\n\n', 'data\n\n', 'data:x\r\r']);
    expect(messages).toEqual([
      { event: 'message', data: 'one\ntwo', lastEventId: '' },
      { event: 'message', data: '', lastEventId: '' },
      { event: 'message', data: 'x', lastEventId: '' },
    ]);
  });

  it('does not dispatch an event without data, nor a half-received one', () => {
    const { messages } = parse(['event: ready\n\n', 'event: message\ndata: {"partial"']);
    expect(messages).toEqual([]);
  });

  it('keeps the last id for later events and ignores a bad retry', () => {
    const { messages, retries } = parse(['id: 7\nevent: message\ndata: a\n\nevent: typing\ndata: b\n\nretry: soon\n\n']);
    expect(messages.map((m) => m.lastEventId)).toEqual(['7', '7']);
    expect(retries).toEqual([]);
  });
});
