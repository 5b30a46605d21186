/**
 * Bundles the browser client (sdk/browser.ts) as one minified ES module for
 * pages and the local demo, and fails when it grows past the size budget: it
 * is loaded by every report page a vendor serves.
 *
 *   npx tsx scripts/build-browser.ts [--out dist/browser]
 */
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const BROWSER_BUNDLE = 'gatekeeper-client.js';
export const DEFAULT_BROWSER_OUT = join(ROOT, 'dist', 'browser');
/** The client's budget, minified (not gzipped). */
export const MAX_BROWSER_BYTES = 10 * 1024;

export interface BrowserBuildResult {
  /** Absolute path of the bundle. */
  file: string;
  bytes: number;
}

export async function buildBrowserClient(outDir: string = DEFAULT_BROWSER_OUT): Promise<BrowserBuildResult> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, BROWSER_BUNDLE);
  await build({
    entryPoints: [join(ROOT, 'sdk', 'browser.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Evergreen browsers from 2021-2022 on (class fields, ??=, top-level ESM).
    target: ['es2022', 'chrome94', 'firefox93', 'safari16'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = statSync(file).size;
  if (bytes > MAX_BROWSER_BYTES) {
    throw new Error(`${BROWSER_BUNDLE} is ${bytes} bytes, above the ${MAX_BROWSER_BYTES}-byte budget`);
  }
  return { file, bytes };
}

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--out');
  const out = i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : DEFAULT_BROWSER_OUT;
  const { file, bytes } = await buildBrowserClient(out);
  process.stdout.write(`${file} ${bytes} bytes\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`build-browser: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
