// A knowledge-parsing thread: reads the faq files it is sent, one at a time (see parallel-read.ts).
import { parentPort } from 'node:worker_threads';
import { readKnowledgeFile, type FileContent } from './read-file.ts';
import type { YamlLimits } from './yaml-source.ts';

export interface ReadRequest {
  name: string;
  text: string;
  limits: YamlLimits;
}

export type ReadReply = { ok: true; content: FileContent } | { ok: false; error: string };

parentPort?.on('message', (request: ReadRequest) => {
  let reply: ReadReply;
  try {
    reply = { ok: true, content: readKnowledgeFile(request.name, request.text, request.limits) };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
