import { describe, expect, it } from 'vitest';
import { InvalidActionError, InvalidConfigError, Rng } from '../../src/index';
import {
  EpsilonGreedyBandit,
  GaussianThompsonSampling,
  GradientBandit,
  ThompsonSampling,
  UCB,
  ThompsonBandit,
  UCB1,
  type BanditAgent,
} from '../../agents/index';
import { BernoulliBandit, GaussianBandit, type BanditEnv } from '../../envs/index';

function countSelections(agent: BanditAgent, draws: number): number[] {
  const counts = new Array<number>(agent.k).fill(0);
  for (let i = 0; i < draws; i++) counts[agent.selectAction()]++;
  return counts;
}

/** Chi-square statistic of `counts` against the uniform distribution. */
function chiSquareUniform(counts: number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

interface Curves {
  /** Fraction of runs whose pull at step t was an optimal arm. */
  optimal: Float64Array;
  /** Mean reward at step t over runs. */
  reward: Float64Array;
  /** Mean regret (best true mean minus the pulled arm's) at step t over runs. */
  regret: Float64Array;
}

/**
 * Runs `runs` independent runs of `steps` pulls through the Agent protocol the training loop
 * uses (act, env.step, learn). Run r resets the env with seed r, so agents compared with the
 * same `makeEnv` face the same bandit problems.
 */
function runTestbed(
  makeEnv: () => BanditEnv,
  makeAgent: (run: number) => BanditAgent,
  budget: { runs: number; steps: number },
): Curves {
  const { runs, steps } = budget;
  const curves = {
    optimal: new Float64Array(steps),
    reward: new Float64Array(steps),
    regret: new Float64Array(steps),
  };
  for (let run = 0; run < runs; run++) {
    const env = makeEnv();
    const agent = makeAgent(run);
    const { observation, info } = env.reset({ seed: run });
    for (let t = 0; t < steps; t++) {
      const { action } = agent.act(observation, info, true);
      const result = env.step(action);
      agent.learn({
        observation,
        info,
        action,
        reward: result.reward,
        nextObservation: result.observation,
        nextInfo: result.info,
        terminated: result.terminated,
        truncated: result.truncated,
      });
      curves.optimal[t] += (result.info.isOptimal ? 1 : 0) / runs;
      curves.reward[t] += result.reward / runs;
      curves.regret[t] += (result.info.regret as number) / runs;
    }
  }
  return curves;
}

function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  return sum / (to - from);
}

const testbed = (meanOffset = 0) => new GaussianBandit({ steps: 1000, meanOffset });
const BUDGET = { runs: 200, steps: 1000 };

/** One agent of every kind, seeded, with `k` arms. */
function everyAgent(k: number, seed: number): BanditAgent[] {
  return [
    new EpsilonGreedyBandit({ k, epsilon: 0.1, seed }),
    new EpsilonGreedyBandit({ k, epsilon: 0.1, alpha: 0.1, initialValue: 5, seed }),
    new UCB({ k, c: 2, seed }),
    new UCB1({ k, seed }),
    new ThompsonSampling({ k, seed, logPropensity: true, probDraws: 500 }),
    new GaussianThompsonSampling({ k, seed, logPropensity: true, probDraws: 500 }),
    new GradientBandit({ k, alpha: 0.1, seed }),
  ];
}

describe('EpsilonGreedyBandit', () => {
  it('breaks ties among four zero values uniformly (PITFALLS P8)', () => {
    const agent = new EpsilonGreedyBandit({ k: 4, epsilon: 0, initialValue: 0, seed: 1 });

    const counts = countSelections(agent, 4000);

    // Binomial(4000, 1/4): mean 1000, sd 27; the PITFALLS bound is about +-5 sd.
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(850);
      expect(count).toBeLessThanOrEqual(1150);
    }
  });

  it('picks only the tied greedy arms of [1, 0, 1], each about half the time (PITFALLS P8)', () => {
    const agent = new EpsilonGreedyBandit({ k: 3, epsilon: 0, initialValue: [1, 0, 1], seed: 2 });

    const [first, middle, last] = countSelections(agent, 4000);

    expect(middle).toBe(0);
    expect(first).toBeGreaterThanOrEqual(1800);
    expect(first).toBeLessThanOrEqual(2200);
    expect(last).toBeGreaterThanOrEqual(1800);
    expect(last).toBeLessThanOrEqual(2200);
  });

  it('pulls the greedy arm with probability 1 - epsilon + epsilon / k (PITFALLS P9)', () => {
    const agent = new EpsilonGreedyBandit({ k: 2, epsilon: 0.1, initialValue: [0, 10], seed: 3 });

    const [, greedy] = countSelections(agent, 10_000);

    // 0.9 + 0.1 / 2 = 0.95; sd of the count is sqrt(10000 * 0.95 * 0.05) = 22.
    expect(greedy).toBeGreaterThanOrEqual(9400);
    expect(greedy).toBeLessThanOrEqual(9600);
  });

  it('pulls uniformly with epsilon = 1 (chi-square) and always greedily with 0 (PITFALLS P9)', () => {
    const uniform = new EpsilonGreedyBandit({ k: 2, epsilon: 1, initialValue: [0, 10], seed: 4 });
    const greedy = new EpsilonGreedyBandit({ k: 2, epsilon: 0, initialValue: [0, 10], seed: 5 });

    const uniformCounts = countSelections(uniform, 10_000);
    const greedyCounts = countSelections(greedy, 10_000);

    // Chi-square with 1 degree of freedom: 10.83 is the 0.1% critical value.
    expect(chiSquareUniform(uniformCounts)).toBeLessThan(10.83);
    expect(greedyCounts).toEqual([0, 10_000]);
  });

  it('reports the pmf [0.1, 0.1, 0.7, 0.1] for epsilon 0.4 with greedy arm 2 (PITFALLS P14)', () => {
    const agent = new EpsilonGreedyBandit({ k: 4, epsilon: 0.4, initialValue: [0, 0, 1, 0] });

    const pmf = agent.actionProbs();

    [0.1, 0.1, 0.7, 0.1].forEach((p, a) => expect(pmf[a]).toBeCloseTo(p, 12));
  });

  it('averages rewards, or follows a constant step size alpha', () => {
    const average = new EpsilonGreedyBandit({ k: 2, seed: 0 });
    const recent = new EpsilonGreedyBandit({ k: 2, alpha: 0.5, initialValue: 4, seed: 0 });

    for (const reward of [1, 2, 6]) {
      average.update(0, reward);
      recent.update(0, reward);
    }

    // Sample average (S&B eq. 2.3): 3. Constant alpha (eq. 2.5): 4 -> 2.5 -> 2.25 -> 4.125.
    expect(Array.from(average.values())).toEqual([3, 0]);
    expect(Array.from(recent.values())).toEqual([4.125, 4]);
  });

  it('reaches about 80% optimal pulls after 1000 steps with epsilon 0.1 (S&B Figure 2.2)', () => {
    const curves = runTestbed(
      () => testbed(),
      (run) => new EpsilonGreedyBandit({ k: 10, epsilon: 0.1, seed: 10_000 + run }),
      BUDGET,
    );

    const optimal = mean(curves.optimal, 900, 1000);

    // Measured 0.79 (steps 901-1000, 200 runs); the book's Figure 2.2 shows about 0.8. The
    // ceiling 1 - 0.1 + 0.01 = 0.91 holds whatever the estimates (PITFALLS P9).
    expect(optimal).toBeGreaterThan(0.72);
    expect(optimal).toBeLessThan(0.91);
  });
});

describe('UCB', () => {
  it('tries every arm once first, in a uniformly random order', () => {
    const firstArms = new Array<number>(4).fill(0);

    for (let seed = 0; seed < 4000; seed++) firstArms[new UCB({ k: 4, seed }).selectAction()]++;
    const agent = new UCB({ k: 4, seed: 0 });
    const tried = [0, 1, 2, 3].map(() => {
      const arm = agent.selectAction();
      agent.update(arm, 0);
      return arm;
    });

    for (const count of firstArms) expect(count).toBeGreaterThanOrEqual(850);
    for (const count of firstArms) expect(count).toBeLessThanOrEqual(1150);
    expect([...tried].sort()).toEqual([0, 1, 2, 3]);
  });

  it('scores arms by Q(a) + c sqrt(ln t / N(a)) with t the current pull (S&B eq. 2.10)', () => {
    const ucb = new UCB({ k: 2, c: 2, seed: 0 });
    const ucb1 = new UCB1({ k: 2, seed: 0 });

    for (const agent of [ucb, ucb1]) {
      agent.update(0, 1);
      agent.update(0, 1);
      agent.update(1, 0);
    }

    expect(ucb.scores()[0]).toBeCloseTo(1 + 2 * Math.sqrt(Math.log(4) / 2), 12);
    expect(ucb.scores()[1]).toBeCloseTo(2 * Math.sqrt(Math.log(4)), 12);
    // UCB1 (Auer et al. 2002): sqrt(2 ln n / n_a) with n = 3 pulls so far.
    expect(ucb1.scores()[0]).toBeCloseTo(1 + Math.sqrt((2 * Math.log(3)) / 2), 12);
  });

  it('reports a one-hot pmf, spread evenly over tied arms', () => {
    const agent = new UCB({ k: 3, seed: 0 });

    const untried = agent.actionProbs();
    agent.update(0, 5);
    const oneUntried = agent.actionProbs();

    expect(Array.from(untried)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(oneUntried)).toEqual([0, 0.5, 0.5]);
  });

  it('earns more reward than epsilon-greedy 0.1 on the 10-armed testbed (S&B Figure 2.4)', () => {
    const ucb = runTestbed(testbed, (run) => new UCB({ k: 10, c: 2, seed: 10_000 + run }), BUDGET);
    const greedy = runTestbed(
      testbed,
      (run) => new EpsilonGreedyBandit({ k: 10, epsilon: 0.1, seed: 10_000 + run }),
      BUDGET,
    );

    const ucbReward = mean(ucb.reward, 500, 1000);
    const greedyReward = mean(greedy.reward, 500, 1000);

    // Figure 2.4: UCB c = 2 about 1.5 against about 1.35 late in the run. Measured on the same
    // 200 problems (steps 501-1000): 1.49 against 1.37.
    expect(ucbReward).toBeGreaterThan(greedyReward + 0.05);
    expect(ucbReward).toBeGreaterThan(1.4);
  });
});

describe('ThompsonSampling', () => {
  it('turns 100 exposures with 90 conversions into Beta(91, 11), mean 0.892 (PITFALLS P13)', () => {
    const agent = new ThompsonSampling({ k: 2, seed: 13 });
    for (let i = 0; i < 100; i++) agent.update(0, i < 90 ? 1 : 0);
    const batch = new ThompsonSampling({ k: 2, seed: 13 });
    batch.updateCounts(0, { successes: 90, trials: 100 });

    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += agent.samplePosterior(0);

    expect(agent.posterior(0)).toEqual({ alpha: 91, beta: 11 });
    expect(batch.posterior(0)).toEqual({ alpha: 91, beta: 11 });
    expect(agent.posteriorMeans()[0]).toBeCloseTo(0.892, 3);
    // The buggy Beta(91, 101) of the PITFALLS source would give a mean of 0.474.
    expect(Math.abs(sum / 20_000 - 91 / 102)).toBeLessThan(0.005);
    expect(agent.posterior(1)).toEqual({ alpha: 1, beta: 1 });
  });

  it('uses the prior it is given', () => {
    const agent = new ThompsonSampling({ k: 1, priorAlpha: 2, priorBeta: 5, seed: 0 });

    agent.update(0, 1);

    expect(agent.posterior(0)).toEqual({ alpha: 3, beta: 5 });
    expect(agent.config()).toMatchObject({ priorAlpha: 2, priorBeta: 5 });
  });

  it('rejects rewards outside [0, 1] and inconsistent counts', () => {
    const agent = new ThompsonSampling({ k: 2, seed: 0 });

    expect(() => agent.update(0, 2)).toThrow(/reward must be in \[0, 1\].*received 2/);
    expect(() => agent.updateCounts(0, { successes: 5, trials: 3 })).toThrow(InvalidConfigError);
    expect(() => agent.updateCounts(2, { successes: 1, trials: 3 })).toThrow(InvalidActionError);
  });

  it('estimates its pmf from a side stream, so asking does not change its actions', () => {
    const asked = new ThompsonSampling({ k: 3, seed: 21 });
    const silent = new ThompsonSampling({ k: 3, seed: 21 });
    asked.updateCounts(1, { successes: 3, trials: 4 });
    silent.updateCounts(1, { successes: 3, trials: 4 });

    const first = asked.actionProbs();
    const second = asked.actionProbs();
    const actions = [0, 1, 2, 3, 4].map(() => [asked.selectAction(), silent.selectAction()]);

    expect(Array.from(first)).toEqual(Array.from(second));
    expect(actions.every(([a, b]) => a === b)).toBe(true);
  });

  it('has regret that grows sublinearly on Bernoulli arms', () => {
    const steps = 2000;

    const curves = runTestbed(
      () => new BernoulliBandit({ k: 10, steps }),
      (run) => new ThompsonSampling({ k: 10, seed: 10_000 + run }),
      { runs: 100, steps },
    );
    const firstHalf = mean(curves.regret, 0, steps / 2);
    const secondHalf = mean(curves.regret, steps / 2, steps);

    // Lai and Robbins: optimal regret grows like log t. Measured cumulative regret per run:
    // 29.7 in steps 1-1000 against 5.5 in steps 1001-2000; linear growth would give equal halves.
    expect(secondHalf).toBeLessThan(0.5 * firstHalf);
  });
});

describe('GaussianThompsonSampling', () => {
  it('updates the Normal posterior with known noise (prior N(0, 1), noise sd 1)', () => {
    const agent = new GaussianThompsonSampling({ k: 2, seed: 0 });

    for (const reward of [1, 2, 3]) agent.update(0, reward);

    // Precision 1 + 3 = 4, mean (0 + 6) / 4 = 1.5, sd 1 / sqrt(4) = 0.5.
    expect(agent.posterior(0)).toEqual({ mean: 1.5, std: 0.5 });
    expect(agent.posterior(1)).toEqual({ mean: 0, std: 1 });
  });

  it('pulls the optimal arm over 85% of the time after 1000 steps on the testbed', () => {
    const curves = runTestbed(
      testbed,
      (run) => new GaussianThompsonSampling({ k: 10, seed: 10_000 + run }),
      BUDGET,
    );

    // Measured 0.93 over steps 901-1000 of 200 runs (its prior matches how q* is drawn).
    expect(mean(curves.optimal, 900, 1000)).toBeGreaterThan(0.85);
  });
});

describe('GradientBandit', () => {
  it('applies eq. 2.12 with the baseline of the rewards before the pull (R̄_1 = R_1)', () => {
    const withBaseline = new GradientBandit({ k: 3, alpha: 0.1, seed: 0 });
    const without = new GradientBandit({ k: 3, alpha: 0.1, baseline: false, seed: 0 });

    withBaseline.update(0, 1);
    const afterFirst = Array.from(withBaseline.values());
    withBaseline.update(1, 3);
    without.update(0, 1);

    // Second pull: R - R̄ = 3 - 1 = 2, pi = 1/3 each: H(1) += 0.2 * 2/3, others -= 0.2 / 3.
    expect(afterFirst).toEqual([0, 0, 0]);
    const h = withBaseline.values();
    [-0.2 / 3, 0.4 / 3, -0.2 / 3].forEach((v, a) => expect(h[a]).toBeCloseTo(v, 12));
    const h0 = without.values();
    [0.2 / 3, -0.1 / 3, -0.1 / 3].forEach((v, a) => expect(h0[a]).toBeCloseTo(v, 12));
  });

  it('learns far better with the reward baseline when q* is centred on +4 (S&B Figure 2.5)', () => {
    const withBaseline = runTestbed(
      () => testbed(4),
      (run) => new GradientBandit({ k: 10, alpha: 0.1, seed: 10_000 + run }),
      BUDGET,
    );
    const without = runTestbed(
      () => testbed(4),
      (run) => new GradientBandit({ k: 10, alpha: 0.1, baseline: false, seed: 10_000 + run }),
      BUDGET,
    );

    const optimalWith = mean(withBaseline.optimal, 900, 1000);
    const optimalWithout = mean(without.optimal, 900, 1000);

    // Figure 2.5, alpha = 0.1: about 80% with the baseline, about half that without.
    // Measured (steps 901-1000, 200 runs): 0.83 and 0.51.
    expect(optimalWith).toBeGreaterThan(0.72);
    expect(optimalWith).toBeGreaterThan(optimalWithout + 0.2);
  });
});

describe('bandit agents', () => {
  it('report pmfs with entries in [0, 1] summing to 1, untouched by later updates (PITFALLS P14)', () => {
    for (const agent of everyAgent(4, 7)) {
      for (let t = 0; t < 30; t++) agent.update(t % 4, (t * 7) % 3 === 0 ? 1 : 0);

      const pmf = agent.actionProbs();
      const copy = Float64Array.from(pmf);
      const again = agent.actionProbs();
      agent.update(2, 1);
      agent.update(2, 1);
      const sum = pmf.reduce((s, p) => s + p, 0);

      expect(
        pmf.every((p) => p >= 0 && p <= 1),
        agent.name,
      ).toBe(true);
      expect(Math.abs(sum - 1), agent.name).toBeLessThan(1e-9);
      expect(pmf, agent.name).toEqual(copy);
      expect(again, agent.name).not.toBe(pmf);
    }
  });

  it('log the pmf entry of the chosen arm as its propensity (PITFALLS P14)', () => {
    for (const agent of everyAgent(4, 8)) {
      for (let t = 0; t < 10; t++) agent.update(t % 4, t % 3 === 0 ? 1 : 0);

      const pmf = agent.actionProbs();
      const { action, actionProb } = agent.act(0, {}, true);

      expect(actionProb, agent.name).toBe(pmf[action]);
      expect(actionProb, agent.name).toBeGreaterThan(0);
    }
  });

  it('act greedily on their value estimates when not exploring', () => {
    const agent = new EpsilonGreedyBandit({ k: 3, epsilon: 1, initialValue: [0, 2, 1], seed: 0 });
    const silent = new ThompsonSampling({ k: 3, seed: 0 });
    silent.updateCounts(2, { successes: 9, trials: 10 });

    const actions = [0, 1, 2, 3, 4].map(() => agent.act(0, {}, false));
    const thompson = silent.act(0, {}, true);

    expect(actions.every((r) => r.action === 1 && r.actionProb === 1)).toBe(true);
    expect(Array.from(actions[0].qValues ?? [])).toEqual([0, 2, 1]);
    expect(thompson.actionProb).toBeNull();
  });

  it('resume from a JSON checkpoint exactly as if never stopped', () => {
    const pairs = zip(everyAgent(9, 31), everyAgent(9, 32)).filter(
      ([agent]) => !(agent instanceof ThompsonBandit),
    );

    const results = pairs.map(([original, fresh]) => resumeRun(original, fresh));

    expect(results.map((r) => r.name)).toHaveLength(5);
    for (const result of results) {
      expect(result.resumed, result.name).toEqual(result.continued);
      expect(result.resumedState, result.name).toEqual(result.continuedState);
    }
  });

  // Seed 1 with 9 arms leaves a polar-method normal pending at the checkpoint for both
  // Thompson agents (their Beta draws go through Rng.gamma, which uses normal()); Rng.getState
  // saves that pending draw, so the resumed agents choose exactly as the uninterrupted ones.
  it('resumes Thompson sampling exactly, with a pending normal saved in the Rng state', () => {
    const pairs = zip(everyAgent(9, 1), everyAgent(9, 2)).filter(
      ([agent]) => agent instanceof ThompsonBandit,
    );

    const results = pairs.map(([original, fresh]) => resumeRun(original, fresh));

    for (const result of results) {
      expect(result.resumed, result.name).toEqual(result.continued);
      expect(result.resumedState, result.name).toEqual(result.continuedState);
    }
  });

  it('repeat the same actions for the same seed', () => {
    const runA = everyAgent(5, 3).map((agent) => countSelections(agent, 50));
    const runB = everyAgent(5, 3).map((agent) => countSelections(agent, 50));

    expect(runA).toEqual(runB);
  });

  it('reject bad options, actions, rewards and states with typed errors', () => {
    const agent = new EpsilonGreedyBandit({ k: 3, seed: 0 });

    expect(() => new EpsilonGreedyBandit({ k: 3, epsilon: 1.5 })).toThrow(
      /epsilon must be a number in \[0, 1\]; received 1\.5/,
    );
    expect(() => new UCB({ k: 0 })).toThrow(/k must be a positive integer; received 0/);
    expect(() => new GradientBandit({ k: 2, alpha: 0 })).toThrow(InvalidConfigError);
    expect(() => new UCB({ k: 2, epsilon: 0.1 } as never)).toThrow(/unknown option "epsilon"/);
    expect(() => new UCB1({ k: 2, c: 3 } as never)).toThrow(/unknown option "c"/);
    expect(() => agent.update(3, 1)).toThrow(InvalidActionError);
    expect(() => agent.update(0, NaN)).toThrow(/reward must be a finite number; received NaN/);
    expect(() => agent.setState(new UCB({ k: 3, seed: 0 }).getState())).toThrow(
      /state is for "UCB" with k = 3; expected EpsilonGreedyBandit with k = 3/,
    );
    expect(() => new EpsilonGreedyBandit({ k: 3, rng: 5 as never })).toThrow(/rng must be an Rng/);
  });

  it('refuse a malformed checkpoint and keep their state', () => {
    const agent = new EpsilonGreedyBandit({ k: 2, seed: 0 });
    agent.update(1, 3);
    const state = agent.getState();

    const badRng = () => agent.setState({ ...state, qValues: [9, 9], rng: 5 });
    const badCounts = () => agent.setState({ ...state, qValues: [9, 9], counts: [1] });

    expect(badRng).toThrow(/state\.rng must be the object Rng\.getState\(\) returned; received 5/);
    expect(badCounts).toThrow(/state\.counts must be an array of 2 numbers; received \[1\]/);
    expect(agent.getState()).toEqual(state);
  });

  it('draw from the Rng they are given', () => {
    const rng = new Rng(77);
    const agent = new EpsilonGreedyBandit({ k: 5, epsilon: 1, rng });
    const reference = new Rng(77);

    const arm = agent.selectAction();

    // epsilon = 1: one uniform draw decides to explore, the next picks the arm.
    reference.random();
    expect(arm).toBe(reference.int(5));
    expect(agent.config()).toMatchObject({ k: 5, epsilon: 1, seed: 77 });
  });
});

/**
 * Trains `original` for 201 pulls of a seeded Bernoulli bandit, restores `fresh` from its
 * JSON checkpoint, then lets both choose the next 100 pulls (both learn the reward of the arm
 * `original` chose).
 */
function resumeRun(original: BanditAgent, fresh: BanditAgent) {
  const env = new BernoulliBandit({ k: original.k, steps: 301 });
  env.reset({ seed: 99 });
  for (let t = 0; t < 201; t++) {
    const arm = original.selectAction();
    original.update(arm, env.step(arm).reward);
  }
  fresh.setState(JSON.parse(JSON.stringify(original.getState())));

  const continued: number[] = [];
  const resumed: number[] = [];
  for (let t = 0; t < 100; t++) {
    continued.push(original.selectAction());
    resumed.push(fresh.selectAction());
    const reward = env.step(continued[t]).reward;
    original.update(continued[t], reward);
    fresh.update(continued[t], reward);
  }
  const [continuedState, resumedState] = [original.getState(), fresh.getState()];
  return { name: original.name, continued, resumed, continuedState, resumedState };
}

/** True when a generator restored from Rng.getState() repeats a pending cached normal draw. */

function zip<A, B>(a: A[], b: B[]): [A, B][] {
  return a.map((x, i) => [x, b[i]]);
}
