import { describe, expect, it } from 'vitest';
import { InvalidSeedError, Rng } from '../../src/index';

describe('Rng', () => {
  it('repeats the same draws for the same seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);

    const drawsA = Array.from({ length: 5 }, () => a.random());
    const drawsB = Array.from({ length: 5 }, () => b.random());

    expect(drawsA).toEqual(drawsB);
  });

  it('continues exactly from a saved state', () => {
    const rng = new Rng(7);
    rng.random();
    const state = JSON.parse(JSON.stringify(rng.getState()));

    const next = [rng.random(), rng.normal(), rng.int(10), rng.normal()];
    const restored = Rng.fromState(state);

    expect([restored.random(), restored.normal(), restored.int(10), restored.normal()]).toEqual(
      next,
    );
  });

  it('keeps the pending second normal of a polar pair across save and restore', () => {
    const rng = new Rng(1);
    rng.normal();
    const state = JSON.parse(JSON.stringify(rng.getState()));

    const expected = [rng.normal(), rng.normal()];

    expect([Rng.fromState(state).normal(), Rng.fromState(state).normal()]).toEqual([
      expected[0],
      expected[0],
    ]);
    const restored = Rng.fromState(state);
    expect([restored.normal(), restored.normal()]).toEqual(expected);
  });

  it('derives child streams from the seed, independent of parent draws', () => {
    const parent = new Rng(3);
    const before = parent.spawn('agent').random();
    parent.random();

    expect(parent.spawn('agent').random()).toBe(before);
    expect(parent.spawn('env').random()).not.toBe(before);
  });

  it('gives a name containing a slash a stream of its own, apart from the nested spawn', () => {
    const root = new Rng(7);

    const slashed = root.spawn('a/b').random();
    const nested = root.spawn('a').spawn('b').random();

    expect(slashed).not.toBe(nested);
    expect(root.spawn('a%2Fb').random()).not.toBe(slashed);
    expect(root.spawn('a').spawn('b').random()).toBe(nested);
  });

  it('rejects a negative or fractional seed, naming the argument', () => {
    expect(() => new Rng(-1)).toThrow(InvalidSeedError);
    expect(() => new Rng(1.5)).toThrow(/seed must be a non-negative integer.*received 1\.5/);
  });

  it('draws Beta samples with the right mean', () => {
    const rng = new Rng(0);
    let sum = 0;

    for (let i = 0; i < 20000; i++) sum += rng.beta(91, 11);

    expect(sum / 20000).toBeCloseTo(91 / 102, 2);
  });
});
