import * as fs from 'node:fs';

/**
 * Whether a system package a test needs is present. When it is absent the test skips with a
 * message naming the package; when TSGYM_REQUIRE_SYSTEM_DEPS is set (as .ci/run does) an
 * absent package is a failure instead, so CI always runs these tests.
 *
 * @param debianPackage - the Debian package that provides `paths`.
 * @param paths - files that must exist.
 * @returns true when every path exists.
 */
export function hasSystemPackage(debianPackage: string, paths: string[]): boolean {
  const missing = paths.filter((p) => !fs.existsSync(p));
  if (missing.length === 0) return true;
  const message =
    `needs the Debian package '${debianPackage}' (missing: ${missing.join(', ')}); ` +
    `install it with: apt-get install ${debianPackage}`;
  if (process.env.TSGYM_REQUIRE_SYSTEM_DEPS) throw new Error(`CI requires it: ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** Path of Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Folder of Debian's Fashion-MNIST IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Launch flags for Debian's Chromium in the browser tests and the viewer benchmark: headless,
 * WebGL through SwiftShader (no GPU here), and no background networking (this machine's
 * network is closed).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-precise-memory-info',
  // WebGL still runs on SwiftShader; only page compositing moves to the CPU, which measured
  // 2-2.5x more frames per second on a loaded 2-core machine.
  '--disable-gpu-compositing',
];
