import * as fs from 'node:fs';
import * as path from 'node:path';

/** A request for something that is not (or may not be shown) inside the runs folder: HTTP 404. */
export class NotFoundError extends Error {
  /** @param message - what was not found, safe to show to the client. */
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * True for a single, plain path segment: no separators, no NUL, not `.` or `..`, not hidden.
 * Route parameters arrive percent-decoded, so `%2e%2e` and `%2F` are caught here.
 */
export function isSafeSegment(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('.') &&
    !/[/\\\0]/.test(name) &&
    !path.isAbsolute(name) &&
    !/^[a-zA-Z]:/.test(name)
  );
}

/** True when `child` is `parent` or lies below it (both absolute, already resolved). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves `segments` below `root` and returns the real path, or throws {@link NotFoundError}
 * when a segment is unsafe, the target does not exist, or its real path (after following
 * symlinks) leaves the real runs folder. Every file the server reads goes through here.
 *
 * @param root - the runs folder.
 * @param segments - path segments from the request, e.g. `[run, 'episodes', file]`.
 */
export async function resolveInside(root: string, segments: string[]): Promise<string> {
  for (const segment of segments) {
    if (!isSafeSegment(segment)) throw new NotFoundError(`not found: ${JSON.stringify(segment)}`);
  }
  const shown = segments.join('/');
  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.promises.realpath(root);
    real = await fs.promises.realpath(path.join(realRoot, ...segments));
  } catch {
    throw new NotFoundError(`not found: ${shown}`);
  }
  if (!isWithin(realRoot, real)) throw new NotFoundError(`not found: ${shown}`);
  return real;
}
