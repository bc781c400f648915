import {
  InvalidConfigError,
  InvalidMapError,
  Rng,
  describeValue,
  validateSeed,
} from '../../src/index';

/**
 * The built-in FrozenLake maps, the same tiles as Gymnasium's `MAPS` in
 * `gymnasium/envs/toy_text/frozen_lake.py`: S start, F frozen, H hole, G goal.
 */
export const FROZEN_LAKE_MAPS: Readonly<Record<'4x4' | '8x8', readonly string[]>> = Object.freeze({
  '4x4': Object.freeze(['SFFF', 'FHFH', 'FFFH', 'HFFG']),
  '8x8': Object.freeze([
    'SFFFFFFF',
    'FFFFFFFF',
    'FFFHFFFF',
    'FFFFFHFF',
    'FFFHFFFF',
    'FHHFFFHF',
    'FHFFHFHF',
    'FFFHFFFG',
  ]),
});

/**
 * Checks that `rows` is a non-empty array of equal-length, non-empty strings.
 *
 * @param rows - the map, one string per row.
 * @param where - who received the map, for the message (e.g. `'FrozenLake desc'`).
 * @throws InvalidMapError naming the first bad row and the column where it goes wrong.
 */
export function checkRectangular(rows: unknown, where: string): asserts rows is string[] {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new InvalidMapError(
      `${where} must be a non-empty array of strings (one per row); received ` +
        `${describeValue(rows)}. Example: ['SFFF', 'FHFH', 'FFFH', 'HFFG'].`,
    );
  }
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (typeof row !== 'string' || row.length === 0) {
      throw new InvalidMapError(
        `${where}: row ${r} must be a non-empty string; received ${describeValue(row)}.`,
      );
    }
    if (row.length !== rows[0].length) {
      const col = Math.min(row.length, rows[0].length);
      throw new InvalidMapError(
        `${where}: row ${r}, column ${col}: the row has ${row.length} columns but row 0 has ` +
          `${rows[0].length}. Every row must have the same length; pad or trim row ${r}.`,
      );
    }
  }
}

/**
 * True when a 4-connected path over non-hole cells leads from (0, 0) to (N-1, N-1).
 * Iterative breadth-first search with an array queue: no recursion, so size 100 and larger
 * cannot overflow the stack (the recursive check of openai/gym #1422 did above about 30x30).
 *
 * @param board - a square map; `'H'` cells block the path.
 */
export function hasPathToGoal(board: readonly string[]): boolean {
  const n = board.length;
  const seen = new Uint8Array(n * n);
  const queue = new Int32Array(n * n);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const cell = queue[head++];
    if (cell === n * n - 1) return true;
    const r = Math.floor(cell / n);
    const c = cell % n;
    const neighbours = [r > 0 ? cell - n : -1, r < n - 1 ? cell + n : -1];
    neighbours.push(c > 0 ? cell - 1 : -1, c < n - 1 ? cell + 1 : -1);
    for (const next of neighbours) {
      if (next < 0 || seen[next] || board[Math.floor(next / n)][next % n] === 'H') continue;
      seen[next] = 1;
      queue[tail++] = next;
    }
  }

  return false;
}

/** Options of {@link generateRandomMap}. */
export interface RandomMapOptions {
  /** Side length N of the square map, an integer \>= 2. @defaultValue 8 */
  size?: number;
  /**
   * Probability that a tile is frozen (`F`) rather than a hole (`H`), in [0, 1]. @defaultValue 0.8
   */
  p?: number;
  /** Seed of the map's own {@link Rng}; omit for a map drawn from OS entropy. */
  seed?: number;
  /** Boards drawn before giving up when none has a path. @defaultValue 10000 */
  maxAttempts?: number;
}

function checkMapOptions(options: RandomMapOptions): Required<Omit<RandomMapOptions, 'seed'>> {
  const { size = 8, p = 0.8, maxAttempts = 10_000 } = options;
  if (!Number.isInteger(size) || size < 2) {
    throw new InvalidConfigError(
      `generateRandomMap: size must be an integer >= 2; received ${describeValue(size)}. ` +
        'The start (0,0) and the goal (N-1,N-1) need two distinct cells.',
    );
  }
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new InvalidConfigError(
      `generateRandomMap: p (probability of a frozen tile) must be in [0, 1]; ` +
        `received ${describeValue(p)}.`,
    );
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidConfigError(
      `generateRandomMap: maxAttempts must be a positive integer; ` +
        `received ${describeValue(maxAttempts)}.`,
    );
  }

  return { size, p, maxAttempts };
}

function drawBoard(rng: Rng, size: number, p: number): string[] {
  const board: string[] = [];
  for (let r = 0; r < size; r++) {
    let row = '';
    for (let c = 0; c < size; c++) row += rng.random() < p ? 'F' : 'H';
    board.push(row);
  }
  board[0] = 'S' + board[0].slice(1);
  board[size - 1] = board[size - 1].slice(0, -1) + 'G';

  return board;
}

/**
 * A random FrozenLake map with a guaranteed path, as Gymnasium's `generate_random_map`:
 * each tile is frozen with probability `p`, S at (0, 0), G at (N-1, N-1); boards without a
 * path (checked by breadth-first search) are redrawn. Unlike Gymnasium, the redraws are
 * bounded, so impossible settings (e.g. `p = 0`) fail instead of looping for ever.
 *
 * @param options - size, p, seed, maxAttempts (see {@link RandomMapOptions}).
 * @returns the map, one string per row; the same seed always gives the same map.
 * @throws InvalidConfigError for bad options, or when `maxAttempts` boards all lack a path.
 * @throws InvalidSeedError for a negative or fractional seed.
 * @example
 * ```ts
 * const desc = generateRandomMap({ size: 8, p: 0.8, seed: 123 });
 * const env = new FrozenLake({ desc });
 * ```
 */
export function generateRandomMap(options: RandomMapOptions = {}): string[] {
  const { size, p, maxAttempts } = checkMapOptions(options);
  if (options.seed !== undefined) validateSeed(options.seed);
  const rng = new Rng(options.seed);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const board = drawBoard(rng, size, p);
    if (hasPathToGoal(board)) return board;
  }

  throw new InvalidConfigError(
    `generateRandomMap: no ${size}x${size} map with p = ${p} had a path from S to G after ` +
      `${maxAttempts} attempts. Raise p (the probability of a frozen tile; 0.8 is typical) ` +
      'or maxAttempts.',
  );
}
