import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptFileError, FileNotFoundError, describeValue } from './errors';

/**
 * Writes `data` to `filePath` atomically: a temp file in the same folder is written and
 * fsynced, then renamed over the target, so readers see the old file or the new one, never a
 * half-written one.
 */
export function writeFileAtomic(filePath: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const tmp = `${filePath}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, filePath);
}

/**
 * Reads and parses a JSON file.
 *
 * @param what - what the file is, for the error message (e.g. `'checkpoint'`).
 * @throws FileNotFoundError when the file is missing; CorruptFileError when it is unreadable or
 *   not valid JSON.
 */
export function readJsonFile<T = unknown>(filePath: string, what: string): T {
  if (!fs.existsSync(filePath)) {
    throw new FileNotFoundError(`${what} ${filePath} does not exist; check the path.`);
  }
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (cause) {
    throw new CorruptFileError(`cannot read ${what} ${filePath}: ${String(cause)}.`, { cause });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new CorruptFileError(
      `${what} ${filePath} is not valid JSON (${text.length} bytes, starts with ` +
        `${describeValue(text.slice(0, 40))}); it is damaged or truncated. ` +
        'Use an earlier file or start again.',
      { cause },
    );
  }
}
