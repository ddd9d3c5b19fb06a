// Builds the front-end bundles as `npm run build` does and weighs them: raw, gzip -9 and brotli -11.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildWidgets, defaultBuildOptions, type BundleName } from '../../widget/build.ts';

export interface BundleSize {
  name: BundleName;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

export interface BundleSizes {
  /** esbuild's wall time for both bundles and the pages (ms). */
  buildMs: number;
  outdir: string;
  files: BundleSize[];
}

/** Always builds (no staleness check): the sizes are of what the sources make now. */
export async function buildAndWeigh(): Promise<BundleSizes> {
  const started = performance.now();
  const result = await buildWidgets({ ifStale: false });
  const buildMs = performance.now() - started;
  const files: BundleSize[] = [];
  for (const f of result.files) {
    const contents = await readFile(path.join(defaultBuildOptions.outdir, f.name));
    files.push({
      name: f.name as BundleName,
      bytes: contents.length,
      gzipBytes: gzipSync(contents, { level: 9 }).length,
      brotliBytes: brotliCompressSync(contents, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: contents.length },
      }).length,
    });
  }
  return { buildMs, outdir: defaultBuildOptions.outdir, files };
}
