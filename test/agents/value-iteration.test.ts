import { describe, expect, it } from 'vitest';
import { hasTransitionModel, make, type Transition, type TransitionModel } from '../../src/index';
import '../../envs/index';
import {
  expectedReturn,
  policyEvaluation,
  startValue,
  successModel,
  successProbability,
  valueIteration,
} from '../../agents/index';

const t = (prob: number, nextState: number, reward: number, terminated = false): Transition => ({
  prob,
  nextState,
  reward,
  terminated,
});

/** A model from `P`, starting in state 0. */
function model(P: Transition[][][]): TransitionModel {
  const d0 = new Float64Array(P.length);
  d0[0] = 1;
  return { nStates: P.length, nActions: P[0].length, P, initialStateDistribution: d0 };
}

/**
 * State 0: action 0 "stay" earns 1 and stays; action 1 "cash out" earns 5 and terminates.
 * Staying forever is worth 1 / (1 - gamma), so it wins iff gamma > 0.8. State 1 is an unused
 * absorbing terminal state.
 */
const stayOrGo = model([
  [[t(1, 0, 1)], [t(1, 1, 5, true)]],
  [[t(1, 1, 0, true)], [t(1, 1, 0, true)]],
]);

/** State 0: one action that ends with reward 1 with probability 0.5, else returns to 0. */
const coin = model([[[t(0.5, 0, 0), t(0.5, 0, 1, true)]]]);

function modelOf(id: string): TransitionModel {
  const env = make(id).unwrapped;
  if (!hasTransitionModel(env)) throw new Error(`${id} has no transition model`);
  return env.transitionModel();
}

describe('valueIteration', () => {
  it('matches the closed form on a stay-or-cash-out MDP', () => {
    const patient = valueIteration(stayOrGo, { gamma: 0.9 });
    const impatient = valueIteration(stayOrGo, { gamma: 0.5 });

    expect(patient.V[0]).toBeCloseTo(10, 8); // 1 / (1 - 0.9)
    expect(patient.policy[0]).toBe(0);
    expect(patient.Q[1]).toBeCloseTo(5, 12);
    expect(impatient.V[0]).toBeCloseTo(5, 12);
    expect(impatient.policy[0]).toBe(1);
    expect(impatient.converged).toBe(true);
  });

  it('solves V = p r + gamma (1 - p) V on the coin MDP', () => {
    expect(valueIteration(coin, { gamma: 0.9 }).V[0]).toBeCloseTo(0.5 / 0.55, 9);
    expect(valueIteration(coin, { gamma: 1 }).V[0]).toBeCloseTo(1, 9);
  });

  it('reports non-convergence when maxIterations runs out', () => {
    const result = valueIteration(stayOrGo, { gamma: 0.99, maxIterations: 3 });

    expect(result.iterations).toBe(3);
    expect(result.converged).toBe(false);
  });

  it('gives the finite-horizon optimum with horizon', () => {
    const oneStep = valueIteration(stayOrGo, { gamma: 0.9, horizon: 1 });
    const tenSteps = valueIteration(stayOrGo, { gamma: 1, horizon: 10 });

    expect(oneStep.V[0]).toBe(5);
    expect(tenSteps.V[0]).toBe(14); // stay 9 times, then cash out
    expect(tenSteps.policy[0]).toBe(0);
  });

  it('finds FrozenLake 4x4 optimal success probability 14/17 (0.74 within 100 steps)', () => {
    const lake = modelOf('FrozenLake-v1');

    const optimum = valueIteration(successModel(lake), { gamma: 1 });
    const limited = valueIteration(successModel(lake), { gamma: 1, horizon: 100 });

    expect(startValue(lake, optimum.V)).toBeCloseTo(14 / 17, 8);
    expect(successProbability(lake, optimum.policy)).toBeCloseTo(14 / 17, 8);
    expect(successProbability(lake, optimum.policy, { horizon: 100 })).toBeCloseTo(0.7402, 4);
    expect(startValue(lake, limited.V)).toBeGreaterThanOrEqual(0.7402);
  });

  it('finds the optimal CliffWalking return -13', () => {
    const cliff = modelOf('CliffWalking-v1');

    const optimum = valueIteration(cliff, { gamma: 1 });

    expect(startValue(cliff, optimum.V)).toBe(-13);
    expect(expectedReturn(cliff, optimum.policy, { gamma: 1 })).toBe(-13);
  });

  it('names bad options and malformed models', () => {
    const broken = model([[[t(0.5, 0, 0)]]]);

    expect(() => valueIteration(coin, { gamma: 1.5 })).toThrow(
      /gamma must be a number in \[0, 1\]; received 1.5/,
    );
    expect(() => valueIteration(coin, { gamma: 1, theta: 0 })).toThrow(/theta must be/);
    expect(() => valueIteration(broken, { gamma: 1 })).toThrow(
      /model.P\[0\]\[0\] is invalid; received "probabilities summing to 0.5"/,
    );
    expect(() => valueIteration(model([[[t(1, 3, 0)]]]), { gamma: 1 })).toThrow(
      /model.P\[0\]\[0\]\[0\].nextState is invalid; received 3/,
    );
  });
});

describe('policyEvaluation', () => {
  it('solves the linear system exactly for gamma < 1', () => {
    const stay = policyEvaluation(stayOrGo, [0, 0], { gamma: 0.9 });

    expect(stay[0]).toBeCloseTo(10, 12);
  });

  it('gives exact finite-horizon values', () => {
    expect(policyEvaluation(coin, [0], { gamma: 1, horizon: 1 })[0]).toBe(0.5);
    expect(policyEvaluation(coin, [0], { gamma: 1, horizon: 2 })[0]).toBe(0.75);
    expect(policyEvaluation(stayOrGo, [0, 0], { gamma: 1, horizon: 7 })[0]).toBe(7);
  });

  it('values a never-ending policy at 0 without rewards and at -Infinity with costs', () => {
    // 0 -> goal with 1/3, else -> 1; state 1 bumps into a wall forever with reward 0.
    const lake = model([
      [[t(1 / 3, 2, 1, true), t(2 / 3, 1, 0)]],
      [[t(1, 1, 0)]],
      [[t(1, 2, 0, true)]],
    ]);
    const costly = model([[[t(1, 0, -1)], [t(1, 0, 0, true)]]]);

    const V = policyEvaluation(lake, [0, 0, 0], { gamma: 1 });

    expect(V[0]).toBeCloseTo(1 / 3, 14);
    expect(V[1]).toBe(0);
    expect(policyEvaluation(costly, [0], { gamma: 1 })[0]).toBe(-Infinity);
    expect(policyEvaluation(costly, [1], { gamma: 1 })[0]).toBe(0);
  });

  it('solves models too large for a dense solve by sweeps, to 1e-9', () => {
    // 2000 states in a row, each step costs 1, the last step terminates: V(s) = -(n - s).
    const n = 2000;
    const P = Array.from({ length: n }, (_, s) => [
      [t(1, Math.min(s + 1, n - 1), -1, s === n - 1)],
    ]);
    const row = model(P);

    const undiscounted = policyEvaluation(row, new Int32Array(n), { gamma: 1 });
    const discounted = policyEvaluation(row, new Int32Array(n), { gamma: 0.999 });

    expect(undiscounted[0]).toBeCloseTo(-n, 9);
    expect(undiscounted[n - 10]).toBeCloseTo(-10, 9);
    expect(discounted[0]).toBeCloseTo(-(1 - 0.999 ** n) / 0.001, 9);
  });

  it('rejects a policy of the wrong length or with actions out of range', () => {
    expect(() => policyEvaluation(stayOrGo, [0], { gamma: 1 })).toThrow(
      /policy must give one action in \[0, 2\) for each of the 2 states; received \[0\]/,
    );
    expect(() => policyEvaluation(stayOrGo, [0, 2], { gamma: 1 })).toThrow(/policy must give/);
  });
});
