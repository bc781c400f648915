import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  NormalizeObservation,
  NormalizeReward,
  NormalizeVectorReward,
  Rng,
  RunningMeanStd,
  SyncVectorEnv,
  TimeLimit,
  type AutoresetMode,
  type BoxArray,
  type Env,
} from '../../src/index';
import { CounterEnv, GaussianBoxEnv } from '../helpers/counter-env';

const PRIOR_COUNT = 1e-4;
const EPSILON = 1e-8;

/**
 * Variance of `samples` merged with RunningMeanStd's prior (mean 0, variance 1, weight 1e-4),
 * computed in two passes as an independent check of the running update.
 */
function varianceWithPrior(samples: number[]): number {
  const weight = PRIOR_COUNT + samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / weight;
  const m2 = PRIOR_COUNT * (1 + mean * mean) + samples.reduce((a, x) => a + (x - mean) ** 2, 0);

  return m2 / weight;
}

const scaled = (reward: number, returns: number[]) =>
  reward / Math.sqrt(varianceWithPrior(returns) + EPSILON);

describe('NormalizeReward (PITFALLS P15)', () => {
  it('restarts the running return after a truncation: it reads 1, 1.99, then 1, not 2.9701', () => {
    const env = new NormalizeReward(new TimeLimit(new CounterEnv(), 2), { gamma: 0.99 });
    env.reset({ seed: 0 });

    const first = env.step(0);
    const afterFirst = env.discountedReturn;
    const second = env.step(0);
    const afterSecond = env.discountedReturn;
    env.reset();
    const afterReset = env.discountedReturn;
    const third = env.step(0);

    expect(second.truncated).toBe(true);
    expect([afterFirst, afterSecond, afterReset, env.discountedReturn]).toEqual([1, 1.99, 0, 1]);
    expect(first.reward).toBeCloseTo(scaled(1, [1]), 10);
    expect(second.reward).toBeCloseTo(scaled(1, [1, 1.99]), 10);
    expect(third.reward).toBeCloseTo(scaled(1, [1, 1.99, 1]), 10);
  });

  it('restarts the running return after a terminated step, even before reset is called', () => {
    const env = new NormalizeReward(new CounterEnv({ terminateAt: 2 }), { gamma: 0.99 });
    env.reset({ seed: 0 });

    const returns = [0, 1, 2].map(() => (env.step(0), env.discountedReturn));

    expect(returns).toEqual([1, 1.99, 1]);
  });

  it('divides by the return deviation without subtracting a mean, so signs never flip', () => {
    const env = new NormalizeReward(new CounterEnv({ reward: -2 }), { gamma: 0.5 });
    env.reset({ seed: 0 });

    const rewards = [0, 1, 2].map(() => env.step(0).reward);

    expect(rewards.every((r) => r < 0)).toBe(true);
    expect(rewards[2]).toBeCloseTo(scaled(-2, [-2, -3, -3.5]), 10);
  });

  it('freezes its statistics when updateStatistics is false', () => {
    const env = new NormalizeReward(new CounterEnv(), {});
    env.reset({ seed: 0 });
    env.step(0);
    env.updateStatistics = false;
    const frozen = env.returnRms.getState();

    const rewards = [env.step(0).reward, env.step(0).reward];

    expect(env.returnRms.getState()).toEqual(frozen);
    expect(rewards[1]).toBe(rewards[0]);
  });

  it('continues identically from a saved state', () => {
    const make = () => new NormalizeReward(new CounterEnv({ terminateAt: 5 }), { gamma: 0.9 });
    const original = make();
    original.reset({ seed: 0 });
    for (let t = 0; t < 3; t++) original.step(0);
    const copy = make();
    copy.reset({ seed: 0 });
    for (let t = 0; t < 3; t++) copy.step(0);
    copy.setState(JSON.parse(JSON.stringify(original.getState())));

    const next = [original.step(0).reward, original.step(0).reward];

    expect([copy.step(0).reward, copy.step(0).reward]).toEqual(next);
  });

  it('rejects gamma outside [0, 1] and a non-positive epsilon, naming value and fix', () => {
    const env = new CounterEnv();

    expect(() => new NormalizeReward(env, { gamma: 1.5 })).toThrow(InvalidConfigError);
    expect(() => new NormalizeReward(env, { gamma: 1.5 })).toThrow(
      'NormalizeReward: gamma must be a number in [0, 1]; received 1.5. Use the discount of the agent, e.g. 0.99.',
    );
    expect(() => new NormalizeReward(env, { epsilon: 0 })).toThrow(
      /epsilon must be a positive number; received 0/,
    );
  });
});

describe('NormalizeVectorReward (PITFALLS P15, vector mode)', () => {
  const vector = (autoresetMode: AutoresetMode) =>
    new NormalizeVectorReward(
      new SyncVectorEnv(
        [() => new TimeLimit(new CounterEnv(), 2), () => new TimeLimit(new CounterEnv(), 2)],
        { autoresetMode },
      ),
      { gamma: 0.99 },
    );

  it("restarts each sub-env's return on truncation under same-step autoreset: 1, 1.99, then 1", () => {
    const vec = vector('same-step');
    vec.reset({ seed: 0 });

    const returns = [0, 1, 2].map(() => (vec.step([0, 0]), Array.from(vec.discountedReturns)));

    expect(returns).toEqual([
      [1, 1],
      [1.99, 1.99],
      [1, 1],
    ]);
    expect(vec.returnRms.count).toBeCloseTo(PRIOR_COUNT + 6, 12);
  });

  it('skips the restart-only step of next-step autoreset, then reads 1 again', () => {
    const vec = vector('next-step');
    vec.reset({ seed: 0 });

    const steps = [0, 1, 2, 3].map(() => {
      const { rewards } = vec.step([0, 0]);
      return [Array.from(vec.discountedReturns), Array.from(rewards)];
    });

    expect(steps.map((s) => s[0])).toEqual([
      [1, 1],
      [1.99, 1.99],
      [0, 0],
      [1, 1],
    ]);
    expect(steps[2][1]).toEqual([0, 0]);
    expect(steps[3][1][0]).toBeCloseTo(scaled(1, [1, 1, 1.99, 1.99, 1, 1]), 10);
    expect(vec.returnRms.count).toBeCloseTo(PRIOR_COUNT + 6, 12);
  });
});

describe('RunningMeanStd', () => {
  it('matches a two-pass mean and variance, and a batch update equals one-by-one updates', () => {
    const rng = new Rng(0);
    const samples = Array.from({ length: 1000 }, () => [rng.normal(5, 3), rng.uniform(-1, 1)]);
    const sequential = new RunningMeanStd(2);
    const batched = new RunningMeanStd(2);

    for (const s of samples) sequential.update(s);
    batched.updateBatch(samples.slice(0, 400));
    batched.updateBatch(samples.slice(400));

    expect(sequential.var[0]).toBeCloseTo(varianceWithPrior(samples.map((s) => s[0])), 9);
    expect(sequential.var[1]).toBeCloseTo(varianceWithPrior(samples.map((s) => s[1])), 9);
    expect(batched.mean[0]).toBeCloseTo(sequential.mean[0], 9);
    expect(batched.var[1]).toBeCloseTo(sequential.var[1], 9);
  });

  it('refuses a saved state of another size, saying what it expects', () => {
    const stats = new RunningMeanStd(2);

    expect(() => stats.setState(new RunningMeanStd(3).getState())).toThrow(
      /mean and var of length 2; received \{"count":0\.0001,"mean":\[0,0,0\]/,
    );
  });
});

describe('NormalizeObservation', () => {
  it('standardises each element of a Box observation to mean 0 and variance 1', () => {
    const env = new NormalizeObservation(new GaussianBoxEnv());
    const outputs: BoxArray[] = [env.reset({ seed: 1 }).observation];

    for (let t = 0; t < 3000; t++) outputs.push(env.step(0).observation);

    const late = outputs.slice(1000);
    for (const j of [0, 1]) {
      const mean = late.reduce((a, o) => a + o[j], 0) / late.length;
      const variance = late.reduce((a, o) => a + (o[j] - mean) ** 2, 0) / late.length;
      expect(Math.abs(mean)).toBeLessThan(0.1);
      expect(Math.abs(variance - 1)).toBeLessThan(0.1);
    }
    expect(outputs.every((o) => env.observationSpace.contains(o))).toBe(true);
  });

  it('declares an unbounded Box of the same shape', () => {
    const env = new NormalizeObservation(new GaussianBoxEnv());

    expect(env.observationSpace.toJSON()).toEqual({
      type: 'Box',
      low: [null, null],
      high: [null, null],
      shape: [2],
      dtype: 'float64',
    });
  });

  it('refuses an env whose observations are not a Box', () => {
    const attempt = () =>
      new NormalizeObservation(new CounterEnv() as unknown as Env<BoxArray, number>);

    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow(
      'NormalizeObservation needs a Box observation space; received {"type":"Discrete","n":1000,"start":0}. Wrap only envs with Box observations.',
    );
  });
});
