import { Rng } from './rng';
import { InvalidConfigError, InvalidActionError, describeValue } from './errors';

/** A mask over a Discrete space: entry i is 1 (or true) when value `start + i` is allowed. */
export type Mask = ArrayLike<number | boolean>;

/** Element types a {@link Box} can hold. */
export type BoxDtype = 'float32' | 'float64' | 'int32';

/** Typed array matching a {@link BoxDtype}. */
export type BoxArray = Float32Array | Float64Array | Int32Array;

/** JSON form of any space; `spaceFromJSON` rebuilds the space. */
export type SpaceJSON =
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'Box'; low: number[]; high: number[]; shape: number[]; dtype: BoxDtype }
  | { type: 'MultiDiscrete'; nvec: number[] }
  | { type: 'MultiBinary'; n: number }
  | { type: 'Dict'; spaces: Record<string, SpaceJSON> }
  | { type: 'Tuple'; spaces: SpaceJSON[] };

/**
 * A set of valid observations or actions. Spaces hold no random state: `sample` draws from
 * the {@link Rng} passed in, so seeding an env never changes what a space samples, and two
 * envs never share a generator (PITFALLS P3).
 */
export abstract class Space<T> {
  /** Draws a uniformly random member, restricted by `mask` where the space supports it. */
  abstract sample(rng: Rng, mask?: unknown): T;
  /** True if `x` is a member; never throws, whatever `x` is (PITFALLS P16). */
  abstract contains(x: unknown): x is T;
  /** The JSON form, rebuilt by {@link spaceFromJSON}. */
  abstract toJSON(): SpaceJSON;
}

function requirePositiveInt(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidConfigError(
      `${name} must be a positive integer; received ${describeValue(value)}.`,
    );
  }
}

/**
 * The integers `start, start + 1, ..., start + n - 1`.
 *
 * @example
 * ```ts
 * const space = new Discrete(4);
 * space.sample(new Rng(0), [1, 0, 1, 0]); // 0 or 2
 * ```
 */
export class Discrete extends Space<number> {
  /**
   * @param n - number of values, a positive integer.
   * @param start - smallest value. @defaultValue 0
   * @throws InvalidConfigError for a non-positive or fractional `n`, or a fractional `start`.
   */
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    super();
    requirePositiveInt(n, 'Discrete n');
    if (!Number.isInteger(start)) {
      throw new InvalidConfigError(`Discrete start must be an integer; received ${start}.`);
    }
  }

  /**
   * @param mask - optional, length `n`; only values whose entry is truthy are drawn.
   * @throws InvalidActionError when the mask has the wrong length or allows nothing.
   */
  sample(rng: Rng, mask?: Mask): number {
    if (mask === undefined) return this.start + rng.int(this.n);
    checkMask(mask, this.n);
    let allowed = 0;
    for (let i = 0; i < this.n; i++) if (mask[i]) allowed++;
    if (allowed === 0) {
      throw new InvalidActionError(
        `mask allows no action: every entry of ${describeValue(mask)} is 0. ` +
          'At least one action must be legal; check how the mask was built.',
      );
    }
    let k = rng.int(allowed);
    for (let i = 0; i < this.n; i++) {
      if (mask[i] && k-- === 0) return this.start + i;
    }
    return this.start;
  }

  contains(x: unknown): x is number {
    return (
      typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n
    );
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }
}

function checkMask(mask: Mask, n: number): void {
  if (mask === null || typeof mask !== 'object' || mask.length !== n) {
    throw new InvalidActionError(
      `mask must be an array of ${n} entries (1 = allowed, 0 = not); ` +
        `received ${describeValue(mask)}.`,
    );
  }
}

const dtypeArray = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

/**
 * A box in R^n: every element within `[low, high]`, stored flat (row-major) in a typed array
 * of the box's dtype. Unbounded sides sample from a normal or exponential distribution, as in
 * Gymnasium.
 */
export class Box extends Space<BoxArray> {
  /** Lower bound per element (flat). */
  readonly low: Float64Array;
  /** Upper bound per element (flat). */
  readonly high: Float64Array;
  /** Number of elements, the product of `shape`. */
  readonly size: number;

  /**
   * @param low - lower bound, one number for every element or one per element.
   * @param high - upper bound, likewise.
   * @param shape - dimensions; defaults to the length of `low` or `high` when arrays.
   * @param dtype - element type. @defaultValue 'float32'
   * @throws InvalidConfigError when shapes disagree or some `low > high`.
   */
  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    readonly shape: number[] = defaultShape(low, high),
    readonly dtype: BoxDtype = 'float32',
  ) {
    super();
    if (!(dtype in dtypeArray)) {
      throw new InvalidConfigError(
        `Box dtype must be 'float32', 'float64' or 'int32'; received ${describeValue(dtype)}.`,
      );
    }
    shape.forEach((d, i) => requirePositiveInt(d, `Box shape[${i}]`));
    this.size = shape.reduce((a, b) => a * b, 1);
    this.low = broadcast(low, this.size, 'low');
    this.high = broadcast(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i] <= this.high[i])) {
        throw new InvalidConfigError(
          `Box low[${i}] = ${this.low[i]} exceeds high[${i}] = ${this.high[i]}; low <= high needed.`,
        );
      }
      const [ilo, ihi] = int32Range(this.low[i], this.high[i]);
      if (dtype === 'int32' && ilo > ihi) {
        throw new InvalidConfigError(
          `int32 Box [low[${i}], high[${i}]] = [${this.low[i]}, ${this.high[i]}] holds no ` +
            'int32 integer; widen the bounds or use a float dtype.',
        );
      }
    }
  }

  /** A new zero-filled array of this box's dtype and size. */
  zeros(): BoxArray {
    return new dtypeArray[this.dtype](this.size);
  }

  sample(rng: Rng): BoxArray {
    const out = this.zeros();
    const isInt = this.dtype === 'int32';
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const [ilo, ihi] = int32Range(lo, hi);
      let v: number;
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        v = isInt ? ilo + rng.int(ihi - ilo + 1) : uniform(rng, lo, hi);
      } else if (Number.isFinite(lo)) v = lo - Math.log(1 - rng.random());
      else if (Number.isFinite(hi)) v = hi + Math.log(1 - rng.random());
      else v = rng.normal();
      out[i] = isInt ? Math.min(Math.max(Math.round(v), ilo), ihi) : v;
    }
    if (this.dtype === 'float32') clampFloat32(out as Float32Array, this.low, this.high);
    return out;
  }

  contains(x: unknown): x is BoxArray {
    if (!(x instanceof dtypeArray[this.dtype]) || x.length !== this.size) return false;
    // A float32 box holds its bounds as float32, as Gymnasium casts low and high to the dtype:
    // Float32Array.of(0.1)[0] is 0.10000000149, and must count as inside Box(-0.1, 0.1).
    const round = this.dtype === 'float32' ? Math.fround : (v: number) => v;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (!(v >= round(this.low[i]) && v <= round(this.high[i]))) return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    const finite = (a: Float64Array) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
    return {
      type: 'Box',
      low: finite(this.low) as number[],
      high: finite(this.high) as number[],
      shape: [...this.shape],
      dtype: this.dtype,
    };
  }
}

// The integers an int32 box can hold in [lo, hi]: bounds may be fractional (0.3 rounds to 0,
// outside the box) or beyond int32 (Int32Array would wrap 3e9 to a negative number).
function int32Range(lo: number, hi: number): [number, number] {
  return [Math.max(Math.ceil(lo), -(2 ** 31)), Math.min(Math.floor(hi), 2 ** 31 - 1)];
}

// rng.uniform's `high - low` overflows to Infinity for bounds near +-Number.MAX_VALUE; the
// convex combination gives the same draw whenever the width is finite and stays in range.
function uniform(rng: Rng, lo: number, hi: number): number {
  if (Number.isFinite(hi - lo)) return rng.uniform(lo, hi);
  const u = rng.random();
  return lo * (1 - u) + hi * u;
}

// Rounding is monotonic, so a draw in [low, high] rounds into the float32 bounds that
// `contains` uses; the clamp only guards draws from the unbounded tails.
function clampFloat32(out: Float32Array, low: Float64Array, high: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    if (out[i] < Math.fround(low[i])) out[i] = low[i];
    if (out[i] > Math.fround(high[i])) out[i] = high[i];
  }
}

function defaultShape(low: number | ArrayLike<number>, high: number | ArrayLike<number>): number[] {
  if (typeof low !== 'number') return [low.length];
  if (typeof high !== 'number') return [high.length];
  return [1];
}

function broadcast(v: number | ArrayLike<number> | null, size: number, name: string): Float64Array {
  const out = new Float64Array(size);
  if (typeof v === 'number') return out.fill(v);
  if (v === null || v === undefined || v.length !== size) {
    throw new InvalidConfigError(
      `Box ${name} must be a number or have ${size} elements (the product of shape); ` +
        `received ${describeValue(v)}.`,
    );
  }
  for (let i = 0; i < size; i++) {
    const e = v[i] as number | null;
    out[i] = e === null ? (name === 'low' ? -Infinity : Infinity) : e;
  }
  return out;
}

/** A vector of independent Discrete values, element i in `[0, nvec[i])`, as an Int32Array. */
export class MultiDiscrete extends Space<Int32Array> {
  /** @param nvec - the number of values of each element (positive integers). */
  constructor(readonly nvec: number[]) {
    super();
    nvec.forEach((n, i) => requirePositiveInt(n, `MultiDiscrete nvec[${i}]`));
  }

  /**
   * @param mask - optional: one Discrete mask per element, or all of them concatenated into
   *   one flat array of `sum(nvec)` entries (the layout vectorised envs put in
   *   `info.actionMask`).
   * @throws InvalidActionError when the mask has the wrong shape or allows nothing for some
   *   element.
   */
  sample(rng: Rng, mask?: Mask[] | Mask): Int32Array {
    const out = new Int32Array(this.nvec.length);
    const flat = mask !== undefined && isFlatMask(mask, this.nvec);
    let offset = 0;
    for (let i = 0; i < this.nvec.length; i++) {
      const n = this.nvec[i];
      if (mask === undefined) out[i] = rng.int(n);
      else if (flat) out[i] = sliceSample(rng, mask as Mask, offset, n);
      else out[i] = new Discrete(n).sample(rng, (mask as Mask[])[i]);
      offset += n;
    }
    return out;
  }

  contains(x: unknown): x is Int32Array {
    if (!(x instanceof Int32Array) || x.length !== this.nvec.length) return false;
    return x.every((v, i) => v >= 0 && v < this.nvec[i]);
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiDiscrete', nvec: [...this.nvec] };
  }
}

function isFlatMask(mask: Mask[] | Mask, nvec: number[]): boolean {
  const total = nvec.reduce((a, b) => a + b, 0);
  const first = (mask as ArrayLike<unknown>)[0];
  return mask.length === total && (typeof first === 'number' || typeof first === 'boolean');
}

function sliceSample(rng: Rng, mask: Mask, offset: number, n: number): number {
  let allowed = 0;
  for (let a = 0; a < n; a++) if (mask[offset + a]) allowed++;
  if (allowed === 0) {
    throw new InvalidActionError(
      `mask allows no value for the element whose entries start at index ${offset}; ` +
        'every element needs at least one legal value.',
    );
  }
  let k = rng.int(allowed);
  for (let a = 0; a < n; a++) if (mask[offset + a] && k-- === 0) return a;
  return 0;
}

/** `n` binary flags as an Int8Array of 0s and 1s. */
export class MultiBinary extends Space<Int8Array> {
  /** @param n - number of flags, a positive integer. */
  constructor(readonly n: number) {
    super();
    requirePositiveInt(n, 'MultiBinary n');
  }

  sample(rng: Rng): Int8Array {
    const out = new Int8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = rng.random() < 0.5 ? 1 : 0;
    return out;
  }

  contains(x: unknown): x is Int8Array {
    if (!(x instanceof Int8Array) || x.length !== this.n) return false;
    return x.every((v) => v === 0 || v === 1);
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiBinary', n: this.n };
  }
}

/** A record of named sub-spaces; members are plain objects with exactly those keys. */
export class Dict<T extends Record<string, unknown> = Record<string, unknown>> extends Space<T> {
  /** @param spaces - the sub-space of each key. */
  constructor(readonly spaces: Record<string, Space<unknown>>) {
    super();
  }

  sample(rng: Rng): T {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(this.spaces)) out[k] = s.sample(rng);
    return out as T;
  }

  contains(x: unknown): x is T {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    const keys = Object.keys(this.spaces);
    if (Object.keys(x).length !== keys.length) return false;
    return keys.every((k) => k in x && this.spaces[k].contains((x as Record<string, unknown>)[k]));
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const [k, s] of Object.entries(this.spaces)) spaces[k] = s.toJSON();
    return { type: 'Dict', spaces };
  }
}

/** A fixed-length tuple of sub-spaces; members are arrays. */
export class Tuple<T extends unknown[] = unknown[]> extends Space<T> {
  /** @param spaces - the sub-space of each position. */
  constructor(readonly spaces: Space<unknown>[]) {
    super();
  }

  sample(rng: Rng): T {
    return this.spaces.map((s) => s.sample(rng)) as T;
  }

  contains(x: unknown): x is T {
    if (!Array.isArray(x) || x.length !== this.spaces.length) return false;
    return this.spaces.every((s, i) => s.contains(x[i]));
  }

  toJSON(): SpaceJSON {
    return { type: 'Tuple', spaces: this.spaces.map((s) => s.toJSON()) };
  }
}

/**
 * Rebuilds a space from its JSON form.
 *
 * @throws InvalidConfigError for an unknown `type`.
 */
export function spaceFromJSON(json: SpaceJSON): Space<unknown> {
  switch (json?.type) {
    case 'Discrete':
      return new Discrete(json.n, json.start);
    case 'Box':
      return new Box(json.low, json.high, json.shape, json.dtype);
    case 'MultiDiscrete':
      return new MultiDiscrete(json.nvec);
    case 'MultiBinary':
      return new MultiBinary(json.n);
    case 'Dict': {
      const spaces: Record<string, Space<unknown>> = {};
      for (const [k, s] of Object.entries(json.spaces)) spaces[k] = spaceFromJSON(s);
      return new Dict(spaces);
    }
    case 'Tuple':
      return new Tuple(json.spaces.map(spaceFromJSON));
    default:
      throw new InvalidConfigError(
        `space JSON has unknown type ${describeValue((json as { type?: unknown })?.type)}; ` +
          'expected Discrete, Box, MultiDiscrete, MultiBinary, Dict or Tuple.',
      );
  }
}
