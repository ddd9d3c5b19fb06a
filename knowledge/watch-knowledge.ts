// Watches a knowledge directory for YAML files added, changed or deleted, and reports them debounced.
import path from 'node:path';
import { watch } from 'chokidar';

export interface WatchKnowledgeOptions {
  /** Quiet time after the last event before `onChange` runs, so a save of several files is one reload. Range 0-1500 ms; default 200. */
  debounceMs: number;
  /** Called once per burst of events with the files involved, relative to the directory. */
  onChange: (files: string[]) => void;
  /** Watcher failures (permissions, too many watches); the watcher keeps going where it can. */
  onError?: (err: Error) => void;
}

export interface KnowledgeWatcher {
  /** Resolves once the initial scan is done: edits before that may not be seen. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const YAML_FILE = /\.ya?ml$/i;

export function watchKnowledge(dir: string, options: Pick<WatchKnowledgeOptions, 'onChange'> & Partial<WatchKnowledgeOptions>): KnowledgeWatcher {
  const { debounceMs = 200, onChange, onError } = options;
  const root = path.resolve(dir);
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const watcher = watch(root, {
    ignoreInitial: true,
    // faq/ sits one level down; deeper folders are not part of a knowledge base.
    depth: 2,
    // Directories must pass so that chokidar descends into them; of files, only YAML matters
    // (editors' swap and backup files would otherwise trigger reloads).
    ignored: (file, stats) => (stats?.isFile() ?? false) && !YAML_FILE.test(file),
  });

  const flush = () => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const files = [...pending].sort();
    pending.clear();
    onChange(files);
  };

  const note = (relative: string) => {
    pending.add(relative);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const onFile = (file: string) => {
    if (YAML_FILE.test(file)) note(path.relative(root, file));
  };
  watcher.on('add', onFile).on('change', onFile).on('unlink', onFile);
  // A deleted folder (faq/ removed wholesale) changes the knowledge base as much as its files.
  watcher.on('unlinkDir', (folder) => note(`${path.relative(root, folder)}/`));
  watcher.on('error', (err) => onError?.(err instanceof Error ? err : new Error(String(err))));

  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
