import { describe, expect, it } from 'vitest';
import { InvalidActionError, InvalidConfigError, Rng } from '../../src/index';
import {
  EpsilonGreedyPolicy,
  GreedyPolicy,
  SoftmaxPolicy,
  policyFromJSON,
  type ExplorationPolicy,
} from '../../agents/index';

/** Counts how often each action is drawn in `n` seeded selections. */
function counts(
  policy: ExplorationPolicy,
  qValues: number[],
  n: number,
  seed = 0,
  mask?: number[],
): number[] {
  const rng = new Rng(seed);
  const result = new Array<number>(qValues.length).fill(0);
  for (let i = 0; i < n; i++) result[policy.selectAction(qValues, rng, mask)]++;
  return result;
}

/** Binomial standard deviation of a count with success probability p in n trials. */
const binomialSd = (n: number, p: number) => Math.sqrt(n * p * (1 - p));

/** Pearson chi-square statistic of observed counts against expected probabilities. */
function chiSquare(observed: number[], probs: ArrayLike<number>): number {
  const n = observed.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, o, i) => sum + (o - n * probs[i]) ** 2 / (n * probs[i]), 0);
}

describe('EpsilonGreedyPolicy', () => {
  it('picks the greedy action with frequency 1 - eps + eps/k (within 5 binomial sd)', () => {
    const n = 20_000;
    const p = 1 - 0.2 + 0.2 / 4;

    const c = counts(new EpsilonGreedyPolicy({ epsilon: 0.2 }), [0, 3, 1, 2], n, 7);

    expect(Math.abs(c[1] - n * p)).toBeLessThan(5 * binomialSd(n, p));
    for (const a of [0, 2, 3]) {
      expect(Math.abs(c[a] - n * 0.05)).toBeLessThan(5 * binomialSd(n, 0.05));
    }
  });

  it('treats epsilon as the probability of a random action, not of a greedy one (P9)', () => {
    const q = [0, 10];

    const eps01 = counts(new EpsilonGreedyPolicy({ epsilon: 0.1 }), q, 10_000, 1);
    const eps1 = counts(new EpsilonGreedyPolicy({ epsilon: 1 }), q, 10_000, 2);
    const eps0 = counts(new EpsilonGreedyPolicy({ epsilon: 0 }), q, 10_000, 3);

    // P(action 1) = 0.9 + 0.1 / 2 = 0.95 (Sutton and Barto, section 2.2).
    expect(eps01[1]).toBeGreaterThanOrEqual(9400);
    expect(eps01[1]).toBeLessThanOrEqual(9600);
    expect(Math.abs(eps1[1] - 5000)).toBeLessThan(5 * binomialSd(10_000, 0.5));
    expect(eps0).toEqual([0, 10_000]);
    expect(new EpsilonGreedyPolicy({ epsilon: 0.1 }).actionProbs(q)[1]).toBeCloseTo(0.95, 15);
  });

  it('never explores with epsilon 0', () => {
    const c = counts(new EpsilonGreedyPolicy({ epsilon: 0 }), [0.5, -1, 0.2, 0.49], 5000);

    expect(c).toEqual([5000, 0, 0, 0]);
  });

  it('is uniform with epsilon 1 (chi-square, 3 df, below the 0.001 critical value 16.27)', () => {
    const c = counts(new EpsilonGreedyPolicy({ epsilon: 1 }), [5, 0, 0, 1], 8000, 11);

    expect(chiSquare(c, [0.25, 0.25, 0.25, 0.25])).toBeLessThan(16.27);
  });

  it('breaks ties uniformly at random (P8)', () => {
    const policy = new EpsilonGreedyPolicy({ epsilon: 0 });

    const four = counts(policy, [0, 0, 0, 0], 4000, 5);
    const three = counts(policy, [1, 0, 1], 4000, 6);

    for (const c of four) {
      expect(c).toBeGreaterThanOrEqual(850);
      expect(c).toBeLessThanOrEqual(1150);
    }
    expect(three[1]).toBe(0);
    for (const c of [three[0], three[2]]) {
      expect(c).toBeGreaterThanOrEqual(1800);
      expect(c).toBeLessThanOrEqual(2200);
    }
  });

  it('reports the pmf [0.1, 0.1, 0.7, 0.1] for eps 0.4, 4 actions, greedy 2 (P14)', () => {
    const policy = new EpsilonGreedyPolicy({ epsilon: 0.4 });

    const pmf = policy.actionProbs([1, 2, 5, 3]);

    expect(Array.from(pmf).map((p) => Number(p.toFixed(12)))).toEqual([0.1, 0.1, 0.7, 0.1]);
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('draws with the frequencies its pmf reports, masks included', () => {
    const policy = new EpsilonGreedyPolicy({ epsilon: 0.3 });
    const q = [2, 2, 1, 0, 5];
    const mask = [1, 1, 1, 1, 0];

    const pmf = policy.actionProbs(q, mask);
    const c = counts(policy, q, 20_000, 9, mask);

    expect(pmf[4]).toBe(0);
    expect(c[4]).toBe(0);
    expect(chiSquare(c.slice(0, 4), pmf.slice(0, 4))).toBeLessThan(16.27);
  });

  it('repeats the same action sequence for the same seed', () => {
    const policy = new EpsilonGreedyPolicy({ epsilon: 0.5 });
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => policy.selectAction([0, 1, 1, 0], rng));
    };

    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('rejects an epsilon outside [0, 1], naming it', () => {
    expect(() => new EpsilonGreedyPolicy({ epsilon: 1.5 })).toThrow(
      /epsilon must stay in \[0, 1\]; its schedule reaches 1.5/,
    );
    expect(
      () =>
        new EpsilonGreedyPolicy({
          epsilon: { type: 'linear', start: 1, end: -0.1, duration: 10 },
        }),
    ).toThrow(InvalidConfigError);
  });
});

describe('GreedyPolicy', () => {
  it('breaks ties uniformly at random by default (P8)', () => {
    const c = counts(new GreedyPolicy(), [0, 0, 0, 0], 4000, 12);

    for (const x of c) {
      expect(x).toBeGreaterThanOrEqual(850);
      expect(x).toBeLessThanOrEqual(1150);
    }
  });

  it('breaks ties to the lowest index when deterministic, drawing nothing', () => {
    const policy = new GreedyPolicy({ deterministic: true });
    const rng = new Rng(0);
    const before = rng.getState();

    const c = counts(policy, [1, 0, 1], 100);
    policy.selectAction([1, 0, 1], rng);

    expect(c).toEqual([100, 0, 0]);
    expect(rng.getState()).toEqual(before);
    expect(Array.from(policy.actionProbs([1, 0, 1]))).toEqual([1, 0, 0]);
  });

  it('reports a pmf uniform over the tied greedy actions', () => {
    expect(Array.from(new GreedyPolicy().actionProbs([1, 0, 1, 1], [1, 1, 0, 1]))).toEqual([
      0.5, 0, 0, 0.5,
    ]);
  });
});

describe('SoftmaxPolicy', () => {
  it('gives Boltzmann probabilities exp(q/T) / sum exp(q/T)', () => {
    const policy = new SoftmaxPolicy({ temperature: 0.5 });
    const z = 1 + Math.exp(2) + Math.exp(4);

    const pmf = policy.actionProbs([0, 1, 2]);

    expect(pmf[0]).toBeCloseTo(1 / z, 14);
    expect(pmf[2]).toBeCloseTo(Math.exp(4) / z, 14);
  });

  it('stays finite for huge values and tiny temperatures', () => {
    const policy = new SoftmaxPolicy({ temperature: 1e-3 });

    const pmf = policy.actionProbs([1000, 1000, 999]);

    expect(Array.from(pmf).map((p) => Number(p.toFixed(12)))).toEqual([0.5, 0.5, 0]);
    expect(policy.actionProb([1e308, -1e308], 0)).toBe(1);
  });

  it('draws with its reported probabilities and honours masks', () => {
    const policy = new SoftmaxPolicy({ temperature: 1 });
    const q = [0, 1, 2, 10];
    const mask = [1, 1, 1, 0];

    const pmf = policy.actionProbs(q, mask);
    const c = counts(policy, q, 20_000, 4, mask);

    expect(c[3]).toBe(0);
    expect(pmf[3]).toBe(0);
    expect(chiSquare(c.slice(0, 3), pmf.slice(0, 3))).toBeLessThan(13.82); // 2 df, p = 0.001
  });

  it('rejects a non-positive temperature', () => {
    expect(() => new SoftmaxPolicy({ temperature: 0 })).toThrow(
      /temperature must stay > 0; its schedule reaches 0/,
    );
  });
});

describe('every policy', () => {
  const policies: ExplorationPolicy[] = [
    new EpsilonGreedyPolicy({ epsilon: 0.4 }),
    new GreedyPolicy(),
    new GreedyPolicy({ deterministic: true }),
    new SoftmaxPolicy({ temperature: 0.7 }),
  ];

  it.each(policies.map((p) => [p.name, p] as const))(
    '%s returns valid, fresh pmfs that nothing later changes (P14)',
    (_name, policy) => {
      const q = [1, 2, 5, 3];

      const first = policy.actionProbs(q);
      const copy = Float64Array.from(first);
      const second = policy.actionProbs(q);
      second.fill(0);
      q[0] = 100;
      policy.advanceStep();

      expect(first).not.toBe(second);
      expect(first).toEqual(copy);
      expect(Math.abs(first.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      for (const p of first) expect(p >= 0 && p <= 1).toBe(true);
    },
  );

  it.each(policies.map((p) => [p.name, p] as const))(
    '%s never returns a masked action and logs the pmf entry of its action',
    (_name, policy) => {
      const rng = new Rng(3);
      for (let i = 0; i < 2000; i++) {
        const q = Array.from({ length: 5 }, () => rng.int(3));
        const mask = Array.from({ length: 5 }, () => (rng.random() < 0.5 ? 1 : 0));
        mask[rng.int(5)] = 1;

        const action = policy.selectAction(q, rng, mask);

        expect(mask[action]).toBe(1);
        expect(policy.lastActionProb).toBeCloseTo(policy.actionProbs(q, mask)[action], 12);
        expect(policy.actionProb(q, action, mask)).toBeCloseTo(policy.lastActionProb, 12);
      }
    },
  );

  it.each(policies.map((p) => [p.name, p] as const))(
    '%s rejects a mask that allows nothing or has the wrong length',
    (_name, policy) => {
      const rng = new Rng(0);

      expect(() => policy.selectAction([1, 2], rng, [0, 0])).toThrow(InvalidActionError);
      expect(() => policy.actionProbs([1, 2], [0, 0])).toThrow(/allows no action/);
      expect(() => policy.selectAction([1, 2], rng, [1])).toThrow(
        /action mask must have one entry per action \(2\); received length 1/,
      );
    },
  );

  it.each(policies.map((p) => [p.name, p] as const))(
    '%s round-trips its config through JSON',
    (_name, policy) => {
      const again = policyFromJSON(JSON.parse(JSON.stringify(policy.toJSON())));

      expect(again.toJSON()).toEqual(policy.toJSON());
      expect(again.actionProbs([1, 2, 5, 3])).toEqual(policy.actionProbs([1, 2, 5, 3]));
    },
  );
});
