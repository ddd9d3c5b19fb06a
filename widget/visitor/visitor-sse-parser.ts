// An incremental Server-Sent Events parser (the WHATWG event-stream rules) for streams read with fetch.

export interface SseMessage {
  /** `message` when the stream named none. */
  event: string;
  /** The data lines joined with "\n". */
  data: string;
  /** The last event id seen on the stream so far (it carries over to later events, as in EventSource). */
  lastEventId: string;
}

export interface SseParser {
  /** Feeds decoded text; chunks may split lines anywhere (also between "\r" and "\n"). */
  push(chunk: string): void;
}

export interface SseHandlers {
  onMessage: (message: SseMessage) => void;
  /** The `retry:` hint in milliseconds. */
  onRetry?: (ms: number) => void;
}

export function createSseParser({ onMessage, onRetry }: SseHandlers): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastEventId = '';
  let skipLeadingLf = false;

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onMessage({ event: event || 'message', data: data.join('\n'), lastEventId });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        event = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) onRetry?.(Number(value));
        break;
    }
  };

  return {
    push(chunk: string) {
      if (skipLeadingLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLeadingLf = false;
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== '\n' && ch !== '\r') continue;
        line(buffer.slice(start, i));
        if (ch === '\r') {
          if (i + 1 === buffer.length) skipLeadingLf = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
}

/** Reads a fetch response body into `parser` until the stream ends or `signal` aborts; the body is then cancelled. */
export async function pumpSse(body: ReadableStream<Uint8Array<ArrayBuffer>>, parser: SseParser, signal: AbortSignal): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) break;
      parser.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
