import { describe, expect, it } from 'vitest';
import {
  Discrete,
  Env,
  EnvContractError,
  InvalidActionError,
  InvalidConfigError,
  Rng,
  TimeLimit,
  hasTransitionModel,
  make,
  type Experience,
  type Info,
  type ResetArgs,
  type StepResult,
  type Transition,
  type TransitionModel,
} from '../../src/index';
import '../../envs/index';
import {
  EpsilonGreedyPolicy,
  ExpectedSarsa,
  QLearning,
  Sarsa,
  SoftmaxPolicy,
  expectedReturn,
  successModel,
  successProbability,
  valueIteration,
  type TabularAgent,
  type TabularAgentOptions,
} from '../../agents/index';
import { CounterEnv } from '../helpers/counter-env';

type AgentClass = new (options: TabularAgentOptions) => TabularAgent;
const AGENTS: [string, AgentClass][] = [
  ['QLearning', QLearning],
  ['Sarsa', Sarsa],
  ['ExpectedSarsa', ExpectedSarsa],
];

function experience(
  observation: number,
  action: number,
  reward: number,
  nextObservation: number,
  flags: { terminated?: boolean; truncated?: boolean; nextInfo?: Info } = {},
): Experience<number, number> {
  const { terminated = false, truncated = false, nextInfo = {} } = flags;
  return {
    observation,
    info: {},
    action,
    reward,
    nextObservation,
    nextInfo,
    terminated,
    truncated,
  };
}

/**
 * Runs training episodes with an inline loop (the real loop lives in src/train.ts).
 *
 * @returns the actions taken, in order.
 */
function train(env: Env<number, number>, agent: TabularAgent, steps: number, seed: number) {
  const actions: number[] = [];
  let { observation, info } = env.reset({ seed });
  for (let t = 0; t < steps; t++) {
    const { action } = agent.act(observation, info, true);
    const r = env.step(action);
    actions.push(action);
    agent.learn({
      observation,
      info,
      action,
      reward: r.reward,
      nextObservation: r.observation,
      nextInfo: r.info,
      terminated: r.terminated,
      truncated: r.truncated,
    });
    if (r.terminated || r.truncated) {
      agent.endEpisode();
      ({ observation, info } = env.reset());
    } else ({ observation, info } = r);
  }
  return actions;
}

function modelOf(env: Env<number, number>): TransitionModel {
  const inner = env.unwrapped;
  if (!hasTransitionModel(inner)) throw new Error('env has no transition model');
  return inner.transitionModel();
}

/** An env that samples a transition model: the small MDPs of these tests. */
class ModelEnv extends Env<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  private state = -1;

  constructor(readonly model: TransitionModel) {
    super();
    this.observationSpace = new Discrete(model.nStates);
    this.actionSpace = new Discrete(model.nActions);
  }

  transitionModel(): TransitionModel {
    return this.model;
  }

  reset(args: ResetArgs = {}) {
    this.seedRng(args.seed);
    this.state = this.rng.categorical(this.model.initialStateDistribution);
    return { observation: this.state, info: {} };
  }

  step(action: number): StepResult<number> {
    const outcomes = this.model.P[this.state][action];
    const o = outcomes[this.rng.categorical(outcomes.map((x) => x.prob))];
    this.state = o.nextState;
    return {
      observation: o.nextState,
      reward: o.reward,
      terminated: o.terminated,
      truncated: false,
      info: {},
    };
  }
}

/**
 * A 6-state stochastic corridor: action 1 moves right with probability 0.8 (else left), action
 * 0 moves left; the right end pays 1 and terminates, the left end is a hole (0, terminates).
 * Start in state 2 or 3.
 */
function corridor(): TransitionModel {
  const n = 6;
  const move = (s: number, to: number, prob: number): Transition => ({
    prob,
    nextState: to,
    reward: to === n - 1 ? 1 : 0,
    terminated: to === 0 || to === n - 1,
  });
  const P = Array.from({ length: n }, (_, s) => {
    if (s === 0 || s === n - 1)
      return [0, 1].map(() => [{ prob: 1, nextState: s, reward: 0, terminated: true }]);
    return [[move(s, s - 1, 1)], [move(s, s + 1, 0.8), move(s, s - 1, 0.2)]];
  });
  return { nStates: n, nActions: 2, P, initialStateDistribution: [0, 0, 0.5, 0.5, 0, 0] };
}

describe.each(AGENTS)('%s bootstrapping (P1)', (_name, Agent) => {
  /** An agent whose Q(1, .) is 10 for both actions, so max, sample and mean all equal 10. */
  function primed() {
    const agent = new Agent({ nStates: 2, nActions: 2, alpha: 1, gamma: 0.9, epsilon: 0 });
    agent.learn(experience(1, 0, 10, 0, { terminated: true }));
    agent.learn(experience(1, 1, 10, 0, { terminated: true }));
    return agent;
  }

  it('does not bootstrap when terminated and truncated are both true: Q becomes 1, not 10', () => {
    const agent = primed();

    agent.learn(experience(0, 0, 1, 1, { terminated: true, truncated: true }));

    expect(agent.qValues(0)[0]).toBe(1);
  });

  it('bootstraps on truncation without termination: Q becomes 1 + 0.9 * 10 = 10', () => {
    const agent = primed();

    agent.learn(experience(0, 0, 1, 1, { terminated: false, truncated: true }));

    expect(agent.qValues(0)[0]).toBe(10);
  });

  it('treats the step where TimeLimit(3) meets a real termination as terminal', () => {
    // The P1 minimal input: CounterEnv terminating at counter 3 inside TimeLimit(3).
    const env = new TimeLimit(new CounterEnv({ terminateAt: 3 }), 3);
    const agent = new Agent({ nStates: 4, nActions: 2, alpha: 1, gamma: 0.9, epsilon: 0 });
    agent.learn(experience(3, 0, 10, 0, { terminated: true }));
    agent.learn(experience(3, 1, 10, 0, { terminated: true }));

    let last: StepResult<number> | undefined;
    let { observation, info } = env.reset({ seed: 0 });
    for (let i = 0; i < 3; i++) {
      const { action } = agent.act(observation, info, true);
      last = env.step(action);
      agent.learn({
        ...experience(observation, action, last.reward, last.observation),
        ...last,
        nextObservation: last.observation,
        nextInfo: last.info,
      });
      ({ observation, info } = last);
    }

    expect([last!.terminated, last!.truncated]).toEqual([true, true]);
    expect(Math.max(...agent.qValues(2))).toBe(1);
  });
});

describe('QLearning', () => {
  it('bootstraps from the best legal next action only (Watkins, S&B eq. 6.8)', () => {
    const agent = new QLearning({ nStates: 2, nActions: 2, alpha: 0.5, gamma: 0.9 });
    agent.learn(experience(1, 0, 10, 0, { terminated: true }));

    agent.learn(experience(0, 1, 1, 1, { nextInfo: { actionMask: [1, 1] } }));
    agent.learn(experience(0, 0, 1, 1, { nextInfo: { actionMask: [0, 1] } }));

    // Q(1) = [5, 0]; target 1 + 0.9 * 5 = 5.5 halfway from 0; with action 0 masked, target 1.
    expect(Array.from(agent.qValues(0))).toEqual([0.5, 2.75]);
  });
});

describe('ExpectedSarsa', () => {
  it('bootstraps from the policy-weighted mean of the next Q-values (S&B eq. 6.9)', () => {
    const agent = new ExpectedSarsa({ nStates: 2, nActions: 2, alpha: 1, gamma: 1, epsilon: 0.5 });
    agent.learn(experience(1, 0, 10, 0, { terminated: true }));

    agent.learn(experience(0, 0, 0, 1));

    // pi(.|1) = [0.75, 0.25] for Q(1) = [10, 0] and epsilon 0.5.
    expect(agent.qValues(0)[0]).toBeCloseTo(7.5, 14);
  });
});

describe('Sarsa', () => {
  it('acts with the very action it bootstrapped from (S&B eq. 6.7)', () => {
    const agent = new Sarsa({
      nStates: 3,
      nActions: 3,
      alpha: 1,
      gamma: 1,
      epsilon: 1,
      rng: new Rng(4),
    });
    agent.learn(experience(1, 0, 1, 0, { terminated: true }));
    agent.learn(experience(1, 1, 2, 0, { terminated: true }));
    agent.learn(experience(1, 2, 3, 0, { terminated: true }));
    const next = Array.from(agent.qValues(1));

    const taken: number[] = [];
    for (let i = 0; i < 30; i++) {
      agent.learn(experience(0, 0, 0, 1));
      const bootstrapped = agent.qValues(0)[0];
      const { action, actionProb } = agent.act(1, {}, true);
      taken.push(action);
      expect(bootstrapped).toBe(next[action]);
      expect(actionProb).toBeCloseTo(1 / 3, 14);
    }

    expect(new Set(taken).size).toBe(3);
  });

  it('draws a fresh action after a truncation and in a new episode', () => {
    const a = new Sarsa({ nStates: 3, nActions: 2, epsilon: 1, rng: new Rng(1) });
    const b = new Sarsa({ nStates: 3, nActions: 2, epsilon: 1, rng: new Rng(1) });

    a.learn(experience(0, 0, 0, 1, { truncated: true }));
    b.learn(experience(0, 0, 0, 1, { truncated: true }));
    a.endEpisode();
    b.endEpisode();

    expect(a.getState().pending).toBeNull();
    expect(a.act(1, {}, true)).toEqual(b.act(1, {}, true));
  });
});

describe.each(AGENTS)('%s', (_name, Agent) => {
  it('acts greedily when explore is false, with random ties unless deterministic', () => {
    const agent = new Agent({
      nStates: 1,
      nActions: 3,
      alpha: 1,
      gamma: 0,
      epsilon: 1,
      rng: new Rng(2),
    });
    agent.learn(experience(0, 1, 5, 0, { terminated: true }));
    agent.learn(experience(0, 2, 5, 0, { terminated: true }));
    const strict = new Agent({ nStates: 1, nActions: 3, deterministicEvaluation: true });

    const actions = Array.from({ length: 200 }, () => agent.act(0, {}, false).action);

    expect(actions.filter((a) => a === 0)).toHaveLength(0);
    expect(actions.filter((a) => a === 1).length).toBeGreaterThan(60);
    expect(actions.filter((a) => a === 2).length).toBeGreaterThan(60);
    expect(agent.act(0, {}, false).actionProb).toBe(0.5);
    expect(strict.act(0, {}, false)).toEqual({ action: 0, actionProb: 1 });
  });

  it('keeps evaluation draws out of the training stream', () => {
    const env = new ModelEnv(corridor());
    const plain = new Agent({ nStates: 6, nActions: 2, epsilon: 0.3, rng: new Rng(4) });
    const evaluated = new Agent({ nStates: 6, nActions: 2, epsilon: 0.3, rng: new Rng(4) });

    const before = train(env, plain, 200, 3).concat(train(env, plain, 200, 4));
    const first = train(env, evaluated, 200, 3);
    for (let s = 0; s < 6; s++) evaluated.act(s, {}, false);
    const after = first.concat(train(env, evaluated, 200, 4));

    expect(after).toEqual(before);
  });

  it('never takes an action the mask forbids', () => {
    const agent = new Agent({ nStates: 4, nActions: 4, epsilon: 0.5, rng: new Rng(3) });
    const info = { actionMask: [1, 0, 1, 0] };

    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const { action } = agent.act(i % 4, info, i % 2 === 0);
      seen.add(action);
      agent.learn(experience(i % 4, action, i % 3, (i + 1) % 4, { nextInfo: info }));
    }

    expect([...seen].sort()).toEqual([0, 2]);
  });

  it('logs the propensity its pmf gives, in a fresh array that learning leaves alone (P14)', () => {
    const policy = new EpsilonGreedyPolicy({ epsilon: 0.4 });
    const agent = new Agent({ nStates: 2, nActions: 4, alpha: 1, policy, rng: new Rng(5) });
    agent.learn(experience(0, 2, 1, 1, { terminated: true }));

    const pmf = agent.actionProbs(0);
    const copy = Float64Array.from(pmf);
    const { action, actionProb } = agent.act(0, {}, true);
    agent.learn(experience(0, action, 7, 1, { terminated: true }));

    expect(Array.from(copy).map((p) => Number(p.toFixed(12)))).toEqual([0.1, 0.1, 0.7, 0.1]);
    expect(pmf).toEqual(copy);
    expect(actionProb).toBe(copy[action]);
    expect(agent.actionProbs(0)).not.toBe(pmf);
  });

  it('repeats the same actions for the same seed', () => {
    const env = new ModelEnv(corridor());
    const run = (seed: number) =>
      train(env, new Agent({ nStates: 6, nActions: 2, epsilon: 0.3, rng: new Rng(seed) }), 300, 9);

    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('resumes from a JSON checkpoint mid-episode and continues bit for bit', () => {
    const options = (rng: Rng): TabularAgentOptions => ({
      nStates: 6,
      nActions: 2,
      alpha: 0.3,
      gamma: 0.95,
      policy: new EpsilonGreedyPolicy({
        epsilon: { type: 'exponential', start: 1, end: 0.05, halfLife: 50, unit: 'episode' },
      }),
      rng,
    });
    const env = new ModelEnv(corridor());
    const steps = (agent: TabularAgent, n: number, start: { observation: number }) => {
      let observation = start.observation;
      const log: number[] = [];
      for (let i = 0; i < n; i++) {
        const { action, actionProb } = agent.act(observation, {}, true);
        const r = env.step(action);
        log.push(action, actionProb ?? NaN);
        agent.learn(experience(observation, action, r.reward, r.observation, r));
        if (r.terminated) {
          agent.endEpisode();
          observation = env.reset().observation;
        } else observation = r.observation;
      }
      return { log, observation };
    };
    const straight = new Agent(options(new Rng(8)));
    const first = steps(straight, 1500, env.reset({ seed: 1 }));
    const rest = steps(straight, 1500, first);

    const resumed = new Agent(options(new Rng(8)));
    const firstAgain = steps(resumed, 1500, env.reset({ seed: 1 }));
    const saved = JSON.parse(JSON.stringify(resumed.getState()));
    if (resumed instanceof Sarsa) expect(saved.pending).not.toBeNull(); // checkpoint mid-episode
    const restored = new Agent(options(new Rng(999)));
    restored.setState(saved);
    const restAgain = steps(restored, 1500, firstAgain);

    expect(restAgain.log).toEqual(rest.log);
    expect(restored.getState()).toEqual(straight.getState());
    expect(restored.metrics()).toEqual(straight.metrics());
  });

  it('learns the optimal policy of a small stochastic corridor', () => {
    const env = new ModelEnv(corridor());
    const agent = new Agent({
      nStates: 6,
      nActions: 2,
      alpha: 0.1,
      gamma: 0.9,
      epsilon: 0.2,
      rng: new Rng(0),
    });
    const optimum = valueIteration(corridor(), { gamma: 0.9 });

    train(env, agent, 20_000, 0);

    const inner = (policy: ArrayLike<number>) => Array.from(policy).slice(1, 5);
    expect(inner(agent.greedyPolicy())).toEqual(inner(optimum.policy));
    expect(inner(optimum.policy)).toEqual([1, 1, 1, 1]);
  });
});

describe('QLearning values', () => {
  it('converge to within 0.05 of the optimal values on the states the corridor visits often', () => {
    const env = new ModelEnv(corridor());
    const agent = new QLearning({
      nStates: 6,
      nActions: 2,
      alpha: 0.05,
      gamma: 0.9,
      rng: new Rng(1),
    });
    const optimum = valueIteration(corridor(), { gamma: 0.9 });

    train(env, agent, 50_000, 1);

    for (const s of [2, 3, 4]) {
      expect(Math.abs(Math.max(...agent.qValues(s)) - optimum.V[s])).toBeLessThan(0.05);
    }
  });
});

describe('tabular agent options and errors', () => {
  it('sizes the table from Discrete spaces and honours their start offsets', () => {
    const agent = new QLearning({
      observationSpace: new Discrete(3, 10),
      actionSpace: new Discrete(2, -1),
      epsilon: 0,
      alpha: 1,
      rng: new Rng(0),
    });
    agent.learn(experience(11, 0, 5, 12, { terminated: true }));

    expect(agent.act(11, {}, false).action).toBe(0);
    expect(Array.from(agent.qValues(11))).toEqual([0, 5]);
    expect(Array.from(agent.greedyPolicy())).toEqual([-1, 0, -1]);
  });

  it('reports its config and epsilon schedule position', () => {
    const agent = new QLearning({
      nStates: 2,
      nActions: 2,
      epsilon: { type: 'linear', start: 1, end: 0, duration: 4 },
      rng: new Rng(6),
    });
    agent.learn(experience(0, 0, 0, 1));

    expect(agent.config()).toEqual({
      nStates: 2,
      nActions: 2,
      alpha: 0.1,
      gamma: 0.99,
      initialValue: 0,
      policy: {
        type: 'epsilon-greedy',
        epsilon: { type: 'linear', start: 1, end: 0, duration: 4, unit: 'step' },
      },
      deterministicEvaluation: false,
      seed: 6,
    });
    expect(agent.metrics()).toEqual({ epsilon: 0.75, meanAbsTdError: 0 });
  });

  it('reports Q-values in act only when asked, as a copy', () => {
    const agent = new QLearning({ nStates: 1, nActions: 2, reportQValues: true, initialValue: 2 });

    const result = agent.act(0, {}, true);
    agent.learn(experience(0, 0, 0, 0, { terminated: true }));

    expect(Array.from(result.qValues!)).toEqual([2, 2]);
    expect(new QLearning({ nStates: 1, nActions: 2 }).act(0, {}, true).qValues).toBeUndefined();
  });

  it('accepts any exploration policy', () => {
    const agent = new Sarsa({
      nStates: 1,
      nActions: 3,
      policy: new SoftmaxPolicy({ temperature: 2 }),
    });

    expect(agent.actionProbs(0)).toEqual(Float64Array.of(1 / 3, 1 / 3, 1 / 3));
    expect(agent.metrics()).toEqual({ temperature: 2, meanAbsTdError: 0 });
  });

  it('names the bad option, the received value and the expected range', () => {
    expect(() => new QLearning({ nStates: 4, nActions: 2, alpha: 0 })).toThrow(
      /alpha must be in \(0, 1\]; received 0/,
    );
    expect(() => new QLearning({ nStates: 4, nActions: 2, gamma: 1.1 })).toThrow(
      /gamma must be in \[0, 1\]; received 1.1/,
    );
    expect(() => new QLearning({ nActions: 2 })).toThrow(
      /nStates must be a positive integer \(or give observationSpace\); received undefined/,
    );
    expect(() => new QLearning({ nStates: 2, nActions: 2, epsilon: 2 })).toThrow(
      /epsilon must stay in \[0, 1\]/,
    );
    expect(() => new QLearning({ nStates: 2, nActions: 2, alfa: 0.1 } as never)).toThrow(
      /unknown option "alfa"/,
    );
    expect(
      () =>
        new QLearning({ nStates: 2, nActions: 2, epsilon: 0.1, policy: new EpsilonGreedyPolicy() }),
    ).toThrow(/give either policy or epsilon, not both/);
    expect(
      () =>
        new QLearning({ nStates: 2, actionSpace: new Discrete(2), observationSpace: {} as never }),
    ).toThrow(InvalidConfigError);
  });

  it('rejects observations and actions outside the table', () => {
    const agent = new QLearning({ nStates: 4, nActions: 2 });

    expect(() => agent.act(4, {}, true)).toThrow(EnvContractError);
    expect(() => agent.act(1.5, {}, true)).toThrow(
      /observation must be an integer in \[0, 4\).*received 1.5/,
    );
    expect(() => agent.learn(experience(0, 2, 0, 1))).toThrow(InvalidActionError);
    expect(() => agent.act(0, { actionMask: [0, 0] }, true)).toThrow(/allows no action/);
  });

  it('rejects a checkpoint of another agent kind or size', () => {
    const state = new QLearning({ nStates: 4, nActions: 2 }).getState();

    expect(() => new Sarsa({ nStates: 4, nActions: 2 }).setState(state)).toThrow(
      /state.name is wrong for this Sarsa agent \(4 x 2\); received "QLearning"/,
    );
    expect(() => new QLearning({ nStates: 5, nActions: 2 }).setState(state)).toThrow(
      InvalidConfigError,
    );
    expect(() =>
      new QLearning({ nStates: 4, nActions: 2 }).setState({ ...state, table: [1] }),
    ).toThrow(/state.table is wrong/);
  });
});

describe('learning on the gridworlds', () => {
  it('Q-learning reaches 95% of the optimal success probability on slippery FrozenLake 4x4', () => {
    const env = make<number, number>('FrozenLake-v1');
    const lake = modelOf(env);
    const optimum = valueIteration(successModel(lake), { gamma: 1 }).V[0];
    const agent = new QLearning({
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      alpha: 0.1,
      gamma: 0.99,
      epsilon: 0.1,
      rng: new Rng(0),
    });

    train(env, agent, 300_000, 0);

    // Exact success probability of the greedy policy, no sampling (optimum 14/17 = 0.8235).
    expect(successProbability(lake, agent.greedyPolicy())).toBeGreaterThanOrEqual(0.95 * optimum);
  });

  it('Q-learning finds the optimal CliffWalking return -13', () => {
    const env = make<number, number>('CliffWalking-v1');
    const agent = new QLearning({
      nStates: 48,
      nActions: 4,
      alpha: 0.5,
      gamma: 1,
      epsilon: 0.1,
      rng: new Rng(0),
    });

    train(env, agent, 10_000, 0);

    expect(expectedReturn(modelOf(env), agent.greedyPolicy(), { gamma: 1 })).toBe(-13);
  });

  it('SARSA learns the safe path on CliffWalking, away from the cliff edge (S&B Example 6.6)', () => {
    const env = make<number, number>('CliffWalking-v1');
    const cliff = modelOf(env);
    const agent = new Sarsa({
      nStates: 48,
      nActions: 4,
      alpha: 0.1,
      gamma: 1,
      epsilon: 0.1,
      rng: new Rng(0),
    });

    train(env, agent, 30_000, 0);

    const policy = agent.greedyPolicy();
    const path = [36];
    while (path.length < 50) {
      const [outcome] = cliff.P[path.at(-1)!][policy[path.at(-1)!]];
      if (outcome.terminated) break;
      path.push(outcome.nextState);
    }
    const edge = path.filter((s) => s >= 25 && s <= 34); // row 2, columns 1 to 10
    expect(edge).toEqual([]);
    expect([-15, -17]).toContain(expectedReturn(cliff, policy, { gamma: 1 }));
  });
});
