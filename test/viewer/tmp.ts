import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary folder for one test file (removed by the OS; tests never share one). */
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tsgym-viewer-${label}-`));
}
