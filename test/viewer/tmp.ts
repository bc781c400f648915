import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

/** A fresh temporary folder; {@link removeTempDirs} deletes every one made in this file. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsgym-viewer-${label}-`));
  created.push(dir);
  return dir;
}

/** Deletes the folders made by {@link tempDir}; register it with `afterAll` at top level. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
