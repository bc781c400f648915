import { describe, expect, it } from 'vitest';
import { FrozenLake, generateRandomMap, hasPathToGoal } from '../../envs/index';
import { InvalidConfigError, InvalidSeedError } from '../../src/index';

/** An independent breadth-first search over non-hole cells, from S to G. */
function reachable(map: string[]): boolean {
  const n = map.length;
  const seen = new Set<string>(['0,0']);
  const queue: [number, number][] = [[0, 0]];
  while (queue.length > 0) {
    const [r, c] = queue.shift()!;
    if (map[r][c] === 'G') return true;
    for (const [dr, dc] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      const [nr, nc] = [r + dr, c + dc];
      const key = `${nr},${nc}`;
      if (nr < 0 || nc < 0 || nr >= n || nc >= n || seen.has(key) || map[nr][nc] === 'H') continue;
      seen.add(key);
      queue.push([nr, nc]);
    }
  }

  return false;
}

describe('generateRandomMap (P4)', () => {
  it('gives the same map for the same seed', () => {
    const m1 = generateRandomMap({ size: 8, p: 0.8, seed: 123 });
    const m2 = generateRandomMap({ size: 8, p: 0.8, seed: 123 });

    expect(m2).toEqual(m1);
    expect(generateRandomMap({ size: 8, p: 0.8, seed: 124 })).not.toEqual(m1);
  });

  it('puts S at (0,0), G at (N-1,N-1) and a path between them, for seeds 0..999', () => {
    for (let seed = 0; seed < 1000; seed++) {
      const map = generateRandomMap({ size: 8, p: 0.8, seed });

      expect(map).toHaveLength(8);
      expect(map.every((row) => row.length === 8 && /^[SFHG]+$/.test(row))).toBe(true);
      expect(map[0][0]).toBe('S');
      expect(map[7][7]).toBe('G');
      expect(map.join('').replace(/[^S]/g, '')).toBe('S');
      expect(reachable(map)).toBe(true);
    }
  });

  it('builds a valid 100x100 map without overflowing the stack', () => {
    const big = generateRandomMap({ size: 100, p: 0.8, seed: 1 });

    expect(big).toHaveLength(100);
    expect(big[0][0] + big[99][99]).toBe('SG');
    expect(reachable(big)).toBe(true);
    expect(new FrozenLake({ desc: big }).observationSpace.n).toBe(10_000);
  });

  it('fails with a clear error after bounded attempts when no path can exist (p = 0)', () => {
    expect(() => generateRandomMap({ size: 2, p: 0 })).toThrow(InvalidConfigError);
    expect(() => generateRandomMap({ size: 2, p: 0, seed: 0, maxAttempts: 5 })).toThrow(
      'generateRandomMap: no 2x2 map with p = 0 had a path from S to G after 5 attempts. ' +
        'Raise p (the probability of a frozen tile; 0.8 is typical) or maxAttempts.',
    );
  });

  it('gives an all-frozen map for p = 1', () => {
    expect(generateRandomMap({ size: 3, p: 1, seed: 9 })).toEqual(['SFF', 'FFF', 'FFG']);
  });

  it('rejects bad sizes, probabilities, attempts and seeds', () => {
    expect(() => generateRandomMap({ size: 1 })).toThrow(
      /size must be an integer >= 2; received 1/,
    );
    expect(() => generateRandomMap({ p: 1.5 })).toThrow(/p .* must be in \[0, 1\]; received 1\.5/);
    expect(() => generateRandomMap({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => generateRandomMap({ seed: -1 })).toThrow(InvalidSeedError);
  });
});

describe('hasPathToGoal', () => {
  it('finds a winding path and reports a blocked goal', () => {
    expect(hasPathToGoal(['SHF', 'FHF', 'FFG'])).toBe(true);
    expect(hasPathToGoal(['SFH', 'FHF', 'HFG'])).toBe(false);
    expect(hasPathToGoal(['SH', 'HG'])).toBe(false);
  });
});
