import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  InvalidConfigError,
  ResetNeededError,
  Rng,
  make,
  type Env,
} from '../../src/index';
import {
  BernoulliBandit,
  GaussianBandit,
  NonstationaryBandit,
  type BanditEnv,
} from '../../envs/index';

const BANDIT_IDS = ['GaussianBandit-v0', 'BernoulliBandit-v0', 'NonstationaryBandit-v0'];

function meanAndStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

function pullMany(env: BanditEnv, arm: number, pulls: number): number[] {
  const rewards: number[] = [];
  for (let i = 0; i < pulls; i++) rewards.push(env.step(arm).reward);
  return rewards;
}

describe('GaussianBandit', () => {
  it('draws every true mean from N(0, 1) at reset and reports them in info', () => {
    const env = new GaussianBandit();
    const means: number[] = [];

    for (let seed = 0; seed < 500; seed++) {
      const { info } = env.reset({ seed });
      means.push(...(info.trueMeans as number[]));
    }
    const { mean, std } = meanAndStd(means);

    // 5000 draws: the sample mean has sd 0.014 and the sample std about 0.01.
    expect(means).toHaveLength(5000);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(std).toBeGreaterThan(0.95);
    expect(std).toBeLessThan(1.05);
  });

  it('centres the true means on meanOffset (Sutton and Barto Figure 2.5 uses +4)', () => {
    const env = new GaussianBandit({ meanOffset: 4 });
    const means: number[] = [];

    for (let seed = 0; seed < 300; seed++)
      means.push(...(env.reset({ seed }).info.trueMeans as number[]));

    expect(Math.abs(meanAndStd(means).mean - 4)).toBeLessThan(0.06);
  });

  it('pays rewards distributed N(q*(a), 1)', () => {
    const env = new GaussianBandit({ means: [0, 2], steps: 20_000 });
    env.reset({ seed: 3 });

    const { mean, std } = meanAndStd(pullMany(env, 1, 10_000));

    expect(Math.abs(mean - 2)).toBeLessThan(0.04);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
  });

  it('reports optimalArm, regret and isOptimal for the pulled arm', () => {
    const env = new GaussianBandit({ means: [0.5, 2, -1] });
    env.reset({ seed: 0 });

    const worse = env.step(0).info;
    const best = env.step(1).info;
    const worst = env.step(2).info;

    expect(worse).toEqual({ optimalArm: 1, regret: 1.5, isOptimal: false });
    expect(best).toEqual({ optimalArm: 1, regret: 0, isOptimal: true });
    expect(worst).toEqual({ optimalArm: 1, regret: 3, isOptimal: false });
  });

  it('truncates after `steps` pulls, never terminates, and refuses a further step', () => {
    const env = new GaussianBandit({ steps: 5 });
    env.reset({ seed: 0 });

    const results = [0, 1, 2, 3, 4].map((arm) => env.step(arm));

    expect(results.map((r) => r.truncated)).toEqual([false, false, false, false, true]);
    expect(results.every((r) => r.terminated === false && r.observation === 0)).toBe(true);
    expect(() => env.step(0)).toThrow(ResetNeededError);
    expect(() => env.step(0)).toThrow(/all 5 pulls of the episode are spent.*reset\(\)/);
  });

  it('is registered with a 1000-step time limit that truncates the 1000th pull', () => {
    const env = make<number, number>('GaussianBandit-v0');
    env.reset({ seed: 0 });
    let last = env.step(0);

    for (let t = 1; t < 1000; t++) last = env.step(t % 10);

    expect(env.spec?.maxEpisodeSteps).toBe(1000);
    expect(last.truncated).toBe(true);
    expect(last.terminated).toBe(false);
    expect(() => env.step(0)).toThrow(ResetNeededError);
  });

  it('renders exactly the bandit frame the viewer reads', () => {
    const env = new GaussianBandit({ means: [0.1, 0.9, 0.3] });
    env.reset({ seed: 0 });
    const first = env.render();

    const { reward } = env.step(2);
    const frame = env.render();

    expect(first).toEqual({
      family: 'bandit',
      k: 3,
      trueMeans: [0.1, 0.9, 0.3],
      lastArm: null,
      lastReward: null,
      pulls: [0, 0, 0],
      optimalArm: 1,
    });
    expect(Object.keys(frame).sort()).toEqual(
      ['family', 'k', 'lastArm', 'lastReward', 'optimalArm', 'pulls', 'trueMeans'].sort(),
    );
    expect(frame).toMatchObject({ lastArm: 2, lastReward: reward, pulls: [0, 0, 1] });
  });

  it('repeats the same means and rewards for the same seed', () => {
    const a = new GaussianBandit();
    const b = new GaussianBandit();

    const meansA = a.reset({ seed: 42 }).info.trueMeans;
    const meansB = b.reset({ seed: 42 }).info.trueMeans;
    const rewardsA = [3, 1, 4, 1, 5].map((arm) => a.step(arm).reward);
    const rewardsB = [3, 1, 4, 1, 5].map((arm) => b.step(arm).reward);

    expect(meansA).toEqual(meansB);
    expect(rewardsA).toEqual(rewardsB);
    expect(a.reset({ seed: 43 }).info.trueMeans).not.toEqual(meansA);
  });

  it('rejects an arm outside [0, k) with InvalidActionError naming the range', () => {
    const env = new GaussianBandit();
    env.reset({ seed: 0 });

    expect(() => env.step(10)).toThrow(InvalidActionError);
    expect(() => env.step(-1)).toThrow(/integer in \[0, 10\); received -1/);
    expect(() => env.step(1.5)).toThrow(/received 1\.5/);
  });

  it('refuses step and render before reset', () => {
    const env = new GaussianBandit();

    expect(() => env.step(0)).toThrow(ResetNeededError);
    expect(() => env.render()).toThrow(ResetNeededError);
  });

  it('rejects bad options with InvalidConfigError naming the option', () => {
    expect(() => new GaussianBandit({ k: 0 })).toThrow(/k must be an integer >= 1; received 0/);
    expect(() => new GaussianBandit({ steps: 2.5 })).toThrow(/steps must be an integer/);
    expect(() => new GaussianBandit({ k: 3, means: [1, 2] })).toThrow(/k = 3 but means has 2/);
    expect(() => make('GaussianBandit-v0', { arms: 5 })).toThrow(/unknown option "arms"/);
    expect(() => new GaussianBandit({ rewardStd: -1 })).toThrow(InvalidConfigError);
    expect(() => new GaussianBandit().reset({ options: { x: 1 } })).toThrow(/unknown option "x"/);
  });
});

describe('BernoulliBandit', () => {
  it('pays 1 with each arm probability given in probs', () => {
    const env = new BernoulliBandit({ probs: [0.2, 0.7], steps: 20_000 });
    const { info } = env.reset({ seed: 5 });

    const rewards = pullMany(env, 1, 10_000);
    const successRate = rewards.reduce((s, r) => s + r, 0) / rewards.length;

    expect(env.k).toBe(2);
    expect(info).toEqual({ trueMeans: [0.2, 0.7], optimalArm: 1 });
    expect(rewards.every((r) => r === 0 || r === 1)).toBe(true);
    // Binomial sd of the rate: sqrt(0.7 * 0.3 / 10000) = 0.0046.
    expect(Math.abs(successRate - 0.7)).toBeLessThan(0.015);
  });

  it('draws arm probabilities uniformly in [0, 1) at reset when probs is omitted', () => {
    const env = new BernoulliBandit({ k: 5 });
    const probs: number[] = [];

    for (let seed = 0; seed < 400; seed++)
      probs.push(...(env.reset({ seed }).info.trueMeans as number[]));

    expect(probs.every((p) => p >= 0 && p < 1)).toBe(true);
    expect(Math.abs(meanAndStd(probs).mean - 0.5)).toBeLessThan(0.02);
  });

  it('reports regret as the gap between the best and the pulled probability', () => {
    const env = new BernoulliBandit({ probs: [0.25, 0.75] });
    env.reset({ seed: 0 });

    expect(env.step(0).info).toEqual({ optimalArm: 1, regret: 0.5, isOptimal: false });
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => new BernoulliBandit({ probs: [0.5, 1.2] })).toThrow(
      /probs must be a non-empty array of probabilities in \[0, 1\]; received \[0\.5,1\.2\]/,
    );
  });
});

describe('NonstationaryBandit', () => {
  it('starts every true mean at the same value', () => {
    const env = new NonstationaryBandit({ k: 4, initialMean: 0.5 });

    const { info } = env.reset({ seed: 0 });

    expect(info).toEqual({ trueMeans: [0.5, 0.5, 0.5, 0.5], optimalArm: 0 });
  });

  it('moves each mean by an independent N(0, walkStd^2) increment per step', () => {
    const env = new NonstationaryBandit({ k: 10, walkStd: 0.01 });
    env.reset({ seed: 1 });
    const increments: number[] = [];

    for (let t = 0; t < 2000; t++) {
      const before = env.trueMeans;
      env.step(t % 10);
      env.trueMeans.forEach((m, a) => increments.push(m - before[a]));
    }
    const { mean, std } = meanAndStd(increments);

    expect(Math.abs(mean)).toBeLessThan(0.0005);
    expect(Math.abs(std - 0.01)).toBeLessThan(0.0005);
    expect(new Set(env.trueMeans).size).toBe(10);
  });

  it('describes the means at the time of the pull in info', () => {
    const env = new NonstationaryBandit({ k: 3 });
    env.reset({ seed: 2 });
    env.step(0);
    const means = env.trueMeans;
    const best = Math.max(...means);

    const { info } = env.step(1);

    expect(info.optimalArm).toBe(means.indexOf(best));
    expect(info.regret).toBe(best - means[1]);
  });

  it('defaults to the 10,000-step runs of Sutton and Barto exercise 2.5', () => {
    const env = make('NonstationaryBandit-v0');

    expect(env.spec?.maxEpisodeSteps).toBe(10_000);
    expect((env.unwrapped as NonstationaryBandit).steps).toBe(10_000);
  });
});

describe('bandit envs (PITFALLS P16)', () => {
  it.each(BANDIT_IDS)('%s keeps observations and sampled actions in their spaces', (id) => {
    const env = make<number, number>(id, { k: 7 });
    const rng = new Rng(11);
    let { observation } = env.reset({ seed: 0 });
    let inside = env.observationSpace.contains(observation);

    for (let t = 0; t < 1000; t++) {
      const action = env.actionSpace.sample(rng);
      inside &&= env.actionSpace.contains(action) && action >= 0 && action < 7;
      const result = env.step(action);
      observation = result.observation;
      inside &&= env.observationSpace.contains(observation) && observation === 0;
      if (result.terminated || result.truncated) observation = env.reset().observation;
    }

    expect(inside).toBe(true);
    expect(env.observationSpace.toJSON()).toEqual({ type: 'Discrete', n: 1, start: 0 });
    expect(env.actionSpace.toJSON()).toEqual({ type: 'Discrete', n: 7, start: 0 });
  });

  it.each(BANDIT_IDS)('%s declares the bandit viewer family', (id) => {
    const env: Env = make(id);

    expect(env.metadata.family).toBe('bandit');
  });
});
