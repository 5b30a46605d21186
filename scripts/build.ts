/**
 * Bundles the two Lambda@Edge functions with esbuild, bakes the build config
 * into each (Lambda@Edge has no environment variables), zips them and fails
 * when a zip is over the viewer-request limit.
 *
 *   npm run build [-- --config gatekeeper.build.json] [--out dist/edge]
 */
import { build } from 'esbuild';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ZipFile } from 'yazl';
import { parseBuildConfig, type BuildConfig } from '../edge/config';

export const ROOT = resolve(__dirname, '..');
/** Lambda@Edge viewer-request limit for a zipped function. */
export const MAX_ZIP_BYTES = 1024 * 1024;
export const FUNCTIONS = ['gate', 'cosigner'] as const;
export type EdgeFunction = (typeof FUNCTIONS)[number];

export interface BuildResult {
  gate: string;
  cosigner: string;
  sizes: Record<EdgeFunction, number>;
}

/** What each bundle may know: the gate never learns the signing-key secret. */
export function configFor(fn: EdgeFunction, config: BuildConfig): BuildConfig {
  return fn === 'gate' ? { ...config, signingKeySecretId: null } : config;
}

async function zipOne(jsPath: string, zipPath: string): Promise<void> {
  const zip = new ZipFile();
  // A fixed mtime keeps the zip (and so the Lambda code hash) reproducible.
  zip.addFile(jsPath, 'index.js', { mtime: new Date('2026-01-01T00:00:00Z'), mode: 0o644 });
  zip.end();
  await new Promise<void>((ok, fail) => {
    const out = createWriteStream(zipPath);
    out.on('close', ok);
    out.on('error', fail);
    zip.outputStream.pipe(out);
  });
}

export async function buildEdge(opts: { config: BuildConfig; outDir: string; minify?: boolean }): Promise<BuildResult> {
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  if (opts.config.signingKeySecretId === null) throw new Error('signingKeySecretId: required to build the cosigner');
  const sizes = {} as Record<EdgeFunction, number>;
  for (const fn of FUNCTIONS) {
    const js = join(outDir, fn, 'index.js');
    await build({
      entryPoints: [join(ROOT, 'edge', 'entry', `${fn}.ts`)],
      outfile: js,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: opts.minify ?? true,
      mainFields: ['module', 'main'],
      legalComments: 'none',
      logLevel: 'warning',
      define: { __GK_BUILD_CONFIG__: JSON.stringify(configFor(fn, opts.config)) },
    });
    const zipPath = join(outDir, `${fn}.zip`);
    await zipOne(js, zipPath);
    sizes[fn] = statSync(zipPath).size;
    if (sizes[fn] > MAX_ZIP_BYTES) {
      throw new Error(`${fn}.zip is ${sizes[fn]} bytes, above the ${MAX_ZIP_BYTES}-byte viewer-request limit`);
    }
  }
  return { gate: join(outDir, 'gate.zip'), cosigner: join(outDir, 'cosigner.zip'), sizes };
}

export function loadBuildConfig(path: string): BuildConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  try {
    return parseBuildConfig(raw);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const given = arg(argv, '--config') ?? process.env.GATEKEEPER_BUILD_CONFIG;
  const own = join(ROOT, 'gatekeeper.build.json');
  const path = given ?? (existsSync(own) ? own : join(ROOT, 'gatekeeper.build.example.json'));
  if (given === undefined && !existsSync(own)) console.log(`build: no gatekeeper.build.json, using ${path}`);
  const outDir = arg(argv, '--out') ?? join(ROOT, 'dist', 'edge');
  mkdirSync(dirname(outDir), { recursive: true });
  const r = await buildEdge({ config: loadBuildConfig(path), outDir });
  for (const fn of FUNCTIONS) console.log(`build: ${fn}.zip ${r.sizes[fn]} bytes`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`build: ${(e as Error).message}`);
    process.exit(2);
  });
}
