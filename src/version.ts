import { readFileSync } from 'node:fs';

/** tsgym's version, read from package.json once. */
export const TSGYM_VERSION: string = (() => {
  try {
    const url = new URL('../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
