import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the client sources (index.html, main.ts, scene/, render/). */
export const CLIENT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../client');
/** Where `npm run viewer` puts the bundle (gitignored). */
export const DEFAULT_CLIENT_DIST = path.join(CLIENT_ROOT, 'dist');
const STAMP = 'build-info.json';

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'dist' && entry.name !== 'node_modules') {
      files.push(...sourceFiles(full));
    } else if (entry.isFile()) {
      files.push(full);
    }
  }
  return files.sort();
}

function packageVersion(name: string): string {
  const pkg = path.resolve(CLIENT_ROOT, '../../node_modules', name, 'package.json');
  try {
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Hash of everything the bundle is made from: the client sources and the versions of PixiJS
 * and Vite. Content, not modification times, so a fresh clone or a checkout never looks stale.
 */
export function clientSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(CLIENT_ROOT)) {
    hash.update(path.relative(CLIENT_ROOT, file));
    hash.update(fs.readFileSync(file));
  }
  hash.update(`pixi.js@${packageVersion('pixi.js')} vite@${packageVersion('vite')}`);
  return hash.digest('hex');
}

/** True when `outDir` holds a bundle built from the current sources. */
export function isClientBuilt(outDir: string = DEFAULT_CLIENT_DIST): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(outDir, STAMP), 'utf8')) as {
      hash?: string;
    };
    return stamp.hash === clientSourceHash() && fs.existsSync(path.join(outDir, 'index.html'));
  } catch {
    return false;
  }
}

/**
 * Bundles the client with Vite into `outDir` and stamps it with {@link clientSourceHash}.
 *
 * @param outDir - output folder (emptied first).
 */
export async function buildClient(outDir: string = DEFAULT_CLIENT_DIST): Promise<void> {
  const { build } = await import('vite');
  const hash = clientSourceHash();
  await build({
    root: CLIENT_ROOT,
    configFile: false,
    base: './',
    logLevel: 'warn',
    clearScreen: false,
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  });
  fs.writeFileSync(
    path.join(outDir, STAMP),
    JSON.stringify({ hash, builtAt: new Date().toISOString() }),
  );
}

/**
 * Builds the client unless `outDir` already holds a bundle of the current sources.
 *
 * @returns true when it built.
 */
export async function ensureClientBuilt(outDir: string = DEFAULT_CLIENT_DIST): Promise<boolean> {
  if (isClientBuilt(outDir)) return false;
  await buildClient(outDir);
  return true;
}
