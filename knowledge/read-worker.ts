// A knowledge-parsing thread: reads the faq files it is sent, one at a time (see parallel-read.ts).
import { readKnowledgeFile } from './read-file.ts';
import { serveTasks } from './worker-pool.ts';
import type { YamlLimits } from './yaml-source.ts';

export interface ReadRequest {
  name: string;
  text: string;
  limits: YamlLimits;
}

serveTasks((request: ReadRequest) => readKnowledgeFile(request.name, request.text, request.limits));
