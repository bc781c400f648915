import seedrandom from 'seedrandom';
import { randomInt } from 'node:crypto';
import { InvalidSeedError, InvalidConfigError, describeValue } from './errors';

/** Saved state of an {@link Rng}; JSON-serialisable. */
export interface RngState {
  /** The seed the generator was created with. */
  seed: number;
  /** Derivation path of a child stream, `''` for a root generator. */
  stream: string;
  /** Internal state of the underlying Alea generator. */
  alea: object;
  /** The second normal of the last polar-method pair, not yet returned (null when none). */
  spareNormal?: number | null;
}

type Alea = seedrandom.PRNG & { state(): object };

/**
 * Throws {@link InvalidSeedError} unless `seed` is a non-negative safe integer.
 *
 * @param seed - the value to check.
 * @param argument - the argument name used in the message.
 */
export function validateSeed(seed: unknown, argument = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidSeedError(
      `${argument} must be a non-negative integer (0 to ${Number.MAX_SAFE_INTEGER}); ` +
        `received ${describeValue(seed)}. Pass a whole number such as 0 or 42.`,
    );
  }
}

/**
 * The seeded random number generator every random draw in tsgym goes through.
 * Alea (from `seedrandom`) underneath: fast, 2^116 period, state saved and restored as JSON.
 * Child streams (`spawn`) are derived from the seed and a name, so they do not depend on
 * how many numbers the parent drew.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const explore = rng.spawn('exploration');
 * const action = explore.int(4);
 * ```
 */
export class Rng {
  /** The seed this generator (or its root) was created with. */
  readonly seed: number;
  /** Derivation path of this stream; `''` for a root generator. */
  readonly stream: string;
  private gen: Alea;
  private spareNormal: number | undefined;

  /**
   * @param seed - a non-negative integer; omit to draw one from OS entropy (read it back
   *   from `rng.seed` to reproduce the run).
   * @throws InvalidSeedError for a negative, fractional or non-numeric seed.
   */
  constructor(seed?: number, stream = '') {
    if (seed === undefined) seed = Rng.entropySeed();
    validateSeed(seed);
    this.seed = seed;
    this.stream = stream;
    this.gen = seedrandom.alea(`${seed}|${stream}`, { state: true }) as Alea;
  }

  /** A fresh seed from OS entropy, for runs the user did not seed. */
  static entropySeed(): number {
    return randomInt(0, 2 ** 31 - 1);
  }

  /** Restores a generator saved by {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(state.seed, state.stream);
    rng.setState(state);
    return rng;
  }

  /**
   * An independent stream derived from this generator's seed and `name`.
   *
   * @param name - a label such as `'exploration'` or `'env-3'`; equal names give equal streams.
   */
  spawn(name: string): Rng {
    // '/' joins nested names, so it is escaped inside a name: otherwise spawn('a/b') and
    // spawn('a').spawn('b') would share one stream. Names without '/' or '%' are unchanged.
    const part = name.replace(/%/g, '%25').replace(/\//g, '%2F');
    return new Rng(this.seed, this.stream === '' ? part : `${this.stream}/${part}`);
  }

  /** Saves the full generator state (JSON-serialisable). */
  getState(): RngState {
    return {
      seed: this.seed,
      stream: this.stream,
      alea: this.gen.state(),
      spareNormal: this.spareNormal ?? null,
    };
  }

  /**
   * Restores a state from {@link Rng.getState}; later draws repeat exactly.
   *
   * @throws InvalidConfigError when `state` is not a saved Rng state.
   */
  setState(state: RngState): void {
    if (typeof state !== 'object' || state === null || typeof state.alea !== 'object') {
      throw new InvalidConfigError(
        `state must be an object returned by Rng.getState(); received ${describeValue(state)}.`,
      );
    }
    this.gen = seedrandom.alea('', { state: state.alea as never }) as Alea;
    this.spareNormal = typeof state.spareNormal === 'number' ? state.spareNormal : undefined;
  }

  /** A uniform float in [0, 1). */
  random(): number {
    return this.gen();
  }

  /** A uniform integer in [0, n); `n` must be a positive integer. */
  int(n: number): number {
    return Math.floor(this.gen() * n);
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.gen();
  }

  /** A normal draw (Marsaglia polar method). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.gen() - 1;
      v = 2 * this.gen() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }

  /** A Gamma(shape, 1) draw (Marsaglia and Tsang, 2000); `shape` \> 0. */
  gamma(shape: number): number {
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia and Tsang, section 6).
      return this.gamma(shape + 1) * Math.pow(this.gen(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.gen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A Beta(alpha, beta) draw, as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
  beta(alpha: number, beta: number): number {
    const x = this.gamma(alpha);
    const y = this.gamma(beta);
    return x / (x + y);
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all 0). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.gen() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0 && weights[i] > 0) return i;
    }
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}
