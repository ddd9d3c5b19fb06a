// The folder that holds package.json: static assets and the widget build are found from it, the same whether
// the server runs from the sources (tsx) or from the compiled build under dist/server.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function projectRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`server: no package.json above ${from}`);
  }
}
