import { describe, expect, it } from 'vitest';
import {
  Box,
  Dict,
  Discrete,
  InvalidActionError,
  InvalidConfigError,
  MultiBinary,
  MultiDiscrete,
  Rng,
  Tuple,
  spaceFromJSON,
  type Space,
} from '../../src/index';

const spaces: [string, Space<unknown>][] = [
  ['Discrete(5)', new Discrete(5)],
  ['Discrete(3, start -1)', new Discrete(3, -1)],
  ['Box float32', new Box(-1, 1, [2, 3])],
  ['Box float64 half-unbounded', new Box([0, -Infinity], [Infinity, 2], [2], 'float64')],
  ['Box int32', new Box(-2, 2, [4], 'int32')],
  ['MultiDiscrete', new MultiDiscrete([2, 3, 4])],
  ['MultiBinary', new MultiBinary(5)],
  ['Dict', new Dict({ position: new Discrete(16), velocity: new Box(-1, 1, [2]) })],
  ['Tuple', new Tuple([new Discrete(2), new MultiBinary(3)])],
];

/** Values that are members of none of the spaces above, of every wrong kind (PITFALLS P16). */
const strangers: unknown[] = [
  undefined,
  null,
  NaN,
  Infinity,
  1.5,
  '1',
  true,
  {},
  [],
  [1, 2],
  new Float32Array([NaN, NaN, NaN, NaN, NaN, NaN]),
  new Int32Array(99),
  () => 0,
  Symbol('x'),
];

describe.each(spaces)('%s', (_name, space) => {
  it('samples only members', () => {
    const rng = new Rng(0);

    const samples = Array.from({ length: 500 }, () => space.sample(rng));

    expect(samples.every((s) => space.contains(s))).toBe(true);
  });

  it('samples the same values from equally seeded Rngs (spaces hold no generator, P3)', () => {
    const a = new Rng(42);
    const b = new Rng(42);

    const fromA = Array.from({ length: 20 }, () => space.sample(a));
    const fromB = Array.from({ length: 20 }, () => space.sample(b));

    expect(fromB).toEqual(fromA);
  });

  it('rebuilds an equal space from its JSON text', () => {
    const text = JSON.stringify(space.toJSON());

    const rebuilt = spaceFromJSON(JSON.parse(text));

    expect(rebuilt.toJSON()).toEqual(space.toJSON());
    expect(rebuilt.contains(space.sample(new Rng(1)))).toBe(true);
  });

  it('returns false without throwing for values of the wrong shape, type or NaN (P16)', () => {
    const results = strangers.map((x) => space.contains(x));

    expect(results).toEqual(strangers.map(() => false));
  });
});

describe('Discrete', () => {
  it('holds start .. start + n - 1 when start is given', () => {
    const space = new Discrete(3, -1);
    const rng = new Rng(0);

    const seen = new Set(Array.from({ length: 300 }, () => space.sample(rng)));

    expect([...seen].sort()).toEqual([-1, 0, 1]);
    expect([-2, 2].map((x) => space.contains(x))).toEqual([false, false]);
  });

  it('samples only the values a mask allows, each of them', () => {
    const space = new Discrete(4, 10);
    const rng = new Rng(3);

    const seen = new Set(Array.from({ length: 400 }, () => space.sample(rng, [1, 0, true, 0])));

    expect([...seen].sort()).toEqual([10, 12]);
  });

  it('throws InvalidActionError naming the mask when the mask allows no action', () => {
    const space = new Discrete(3);

    const draw = () => space.sample(new Rng(0), [0, 0, 0]);

    expect(draw).toThrow(InvalidActionError);
    expect(draw).toThrow(/mask allows no action: every entry of \[0,0,0\] is 0/);
  });

  it('throws InvalidActionError when the mask has the wrong length', () => {
    const draw = () => new Discrete(3).sample(new Rng(0), [1, 1]);

    expect(draw).toThrow(/mask must be an array of 3 entries .* received \[1,1\]/);
  });

  it('rejects a non-positive n, naming the argument and the value', () => {
    expect(() => new Discrete(0)).toThrow(InvalidConfigError);
    expect(() => new Discrete(0)).toThrow('Discrete n must be a positive integer; received 0.');
  });
});

describe('Box', () => {
  it('keeps float32 samples inside bounds that float32 cannot represent exactly', () => {
    const space = new Box(0.1, 0.1000001, [8], 'float32');
    const rng = new Rng(5);

    const samples = Array.from({ length: 1000 }, () => space.sample(rng));

    expect(samples.every((s) => s instanceof Float32Array && space.contains(s))).toBe(true);
  });

  it('contains float32 values equal to bounds that float32 cannot represent exactly', () => {
    const space = new Box(-0.1, 0.1, [2], 'float32');

    expect(space.contains(Float32Array.of(0.1, -0.1))).toBe(true);
    expect(space.contains(Float32Array.of(0.1000001, 0))).toBe(false);
  });

  it('keeps float32 samples inside large bounds whose float32 spacing exceeds 1e-7', () => {
    const space = new Box(1e10 + 1, 1e10 + 5000, [4], 'float32');
    const rng = new Rng(1);

    const samples = Array.from({ length: 500 }, () => space.sample(rng));

    expect(samples.every((s) => space.contains(s))).toBe(true);
  });

  it('samples int32 values inside fractional bounds', () => {
    const space = new Box(0.5, 2.5, [1], 'int32');
    const rng = new Rng(2);

    const values = new Set(Array.from({ length: 200 }, () => space.sample(rng)[0]));

    expect([...values].sort()).toEqual([1, 2]);
    expect(() => new Box(0.2, 0.8, [1], 'int32')).toThrow(/holds no int32 integer/);
  });

  it('samples int32 values inside a fractional half-open bound and bounds past int32', () => {
    const halfOpen = new Box(0.3, Infinity, [64], 'int32');
    const wide = new Box(0, 3e9, [64], 'int32');
    const rng = new Rng(6);

    const samples = [halfOpen.sample(rng), wide.sample(rng)];

    expect(halfOpen.contains(samples[0])).toBe(true);
    expect(wide.contains(samples[1])).toBe(true);
    expect(() => new Box(3e9, 4e9, [1], 'int32')).toThrow(/holds no int32 integer/);
  });

  it('samples float64 values inside bounds whose width overflows to Infinity', () => {
    const space = new Box(-Number.MAX_VALUE, Number.MAX_VALUE, [16], 'float64');

    const sample = space.sample(new Rng(4));

    expect(sample.every((v) => Number.isFinite(v))).toBe(true);
    expect(space.contains(sample)).toBe(true);
  });

  it('samples float32 values spread over [low, high]', () => {
    const space = new Box(-2, 3, [1000]);

    const sample = space.sample(new Rng(0));

    expect(Math.min(...sample)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...sample)).toBeLessThanOrEqual(3);
    expect(Math.min(...sample)).toBeLessThan(-1.9);
    expect(Math.max(...sample)).toBeGreaterThan(2.9);
  });

  it('samples int32 integers over the whole closed range', () => {
    const space = new Box(-2, 2, [500], 'int32');

    const sample = space.sample(new Rng(0));

    expect(new Set(sample)).toEqual(new Set([-2, -1, 0, 1, 2]));
  });

  it('returns false for the wrong element type, wrong length, NaN or out-of-bounds values', () => {
    const space = new Box(0, 1, [2], 'float32');

    const verdicts = [
      space.contains(new Float32Array([0.5, 0.5])),
      space.contains(new Float64Array([0.5, 0.5])),
      space.contains([0.5, 0.5]),
      space.contains(new Float32Array([0.5])),
      space.contains(new Float32Array([0.5, NaN])),
      space.contains(new Float32Array([0.5, 1.5])),
    ];

    expect(verdicts).toEqual([true, false, false, false, false, false]);
  });

  it('round-trips infinite bounds through JSON as null', () => {
    const space = new Box(-Infinity, Infinity, [2], 'float64');

    const json = JSON.parse(JSON.stringify(space.toJSON()));

    expect(json.low).toEqual([null, null]);
    expect(Array.from((spaceFromJSON(json) as Box).high)).toEqual([Infinity, Infinity]);
  });

  it('rejects low above high, naming the element and both values', () => {
    expect(() => new Box([0, 2], [1, 1])).toThrow(
      'Box low[1] = 2 exceeds high[1] = 1; low <= high needed.',
    );
  });
});

describe('MultiDiscrete', () => {
  it('applies one mask per element', () => {
    const space = new MultiDiscrete([3, 2]);
    const rng = new Rng(0);

    const samples = Array.from({ length: 200 }, () =>
      space.sample(rng, [
        [0, 0, 1],
        [1, 0],
      ]),
    );

    expect(samples.every((s) => s[0] === 2 && s[1] === 0)).toBe(true);
  });

  it('returns false for values out of range per element', () => {
    const space = new MultiDiscrete([3, 2]);

    expect([space.contains(Int32Array.of(2, 1)), space.contains(Int32Array.of(2, 2))]).toEqual([
      true,
      false,
    ]);
  });
});

describe('Dict', () => {
  it('returns false for a missing or extra key', () => {
    const space = new Dict({ a: new Discrete(2) });

    expect([space.contains({ a: 1 }), space.contains({}), space.contains({ a: 1, b: 0 })]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('spaceFromJSON', () => {
  it('rejects an unknown type and lists the known ones', () => {
    const build = () => spaceFromJSON({ type: 'Graph' } as never);

    expect(build).toThrow(InvalidConfigError);
    expect(build).toThrow(/unknown type "Graph"; expected Discrete, Box, MultiDiscrete/);
  });
});

describe('MultiDiscrete flat masks', () => {
  it('samples each element from its slice of a flat concatenated mask', () => {
    const space = new MultiDiscrete([3, 3]);
    const mask = Uint8Array.from([0, 0, 1, 1, 0, 0]);

    const samples = Array.from({ length: 50 }, (_, i) =>
      Array.from(space.sample(new Rng(i), mask)),
    );

    expect(samples.every(([a, b]) => a === 2 && b === 0)).toBe(true);
  });

  it('rejects a flat mask that leaves an element without a legal value', () => {
    const space = new MultiDiscrete([2, 2]);

    expect(() => space.sample(new Rng(0), [1, 0, 0, 0])).toThrow(/entries start at index 2/);
  });
});
