// Builds agents by name for the command line (train, eval, demo).
import { Discrete, InvalidConfigError, Rng, describeValue, type Agent, type Env } from '../index';
import {
  EpsilonGreedyBandit,
  ExpectedSarsa,
  GaussianThompsonSampling,
  GradientBandit,
  QLearning,
  Sarsa,
  ThompsonSampling,
  UCB,
} from '../../agents/index';

type AnyAgent = Agent<unknown, unknown>;
type Factory = (env: Env<unknown, unknown>, config: Record<string, unknown>, rng: Rng) => AnyAgent;

function discreteSpaces(env: Env<unknown, unknown>, agent: string) {
  const { observationSpace, actionSpace } = env;
  if (!(observationSpace instanceof Discrete) || !(actionSpace instanceof Discrete)) {
    throw new InvalidConfigError(
      `agent '${agent}' needs Discrete observation and action spaces; this env has ` +
        `${observationSpace.constructor.name} and ${actionSpace.constructor.name}. ` +
        'Pick an env listed as tabular by `tsgym list`, or another agent.',
    );
  }
  return { observationSpace, actionSpace };
}

const tabular =
  (Ctor: typeof QLearning | typeof Sarsa | typeof ExpectedSarsa, name: string): Factory =>
  (env, config, rng) =>
    new Ctor({ ...discreteSpaces(env, name), ...config, rng }) as unknown as AnyAgent;

const bandit =
  (
    make: (k: number, config: Record<string, unknown>, rng: Rng) => unknown,
    name: string,
  ): Factory =>
  (env, config, rng) => {
    const { observationSpace, actionSpace } = discreteSpaces(env, name);
    if (observationSpace.n !== 1) {
      throw new InvalidConfigError(
        `agent '${name}' is a bandit agent: it ignores observations, so it needs a one-state ` +
          `env (Discrete(1) observations); this env has ${observationSpace.n} states. ` +
          'Use q-learning, sarsa or expected-sarsa here.',
      );
    }
    const k = actionSpace.n;
    return make(k, config, rng) as AnyAgent;
  };

/** Agents the CLI can build, by name. */
export const AGENTS: Record<string, { description: string; factory: Factory }> = {
  'q-learning': {
    description: 'tabular Q-learning (S&B 6.5)',
    factory: tabular(QLearning, 'q-learning'),
  },
  sarsa: { description: 'tabular SARSA (S&B 6.4)', factory: tabular(Sarsa, 'sarsa') },
  'expected-sarsa': {
    description: 'tabular Expected SARSA (S&B 6.6)',
    factory: tabular(ExpectedSarsa, 'expected-sarsa'),
  },
  'epsilon-greedy-bandit': {
    description: 'sample-average epsilon-greedy bandit (S&B 2.2)',
    factory: bandit(
      (k, c, rng) => new EpsilonGreedyBandit({ k, ...c, rng }),
      'epsilon-greedy-bandit',
    ),
  },
  ucb: {
    description: 'upper confidence bound bandit (S&B 2.7)',
    factory: bandit((k, c, rng) => new UCB({ k, ...c, rng }), 'ucb'),
  },
  thompson: {
    description: 'Beta-Bernoulli Thompson sampling',
    factory: bandit((k, c, rng) => new ThompsonSampling({ k, ...c, rng }), 'thompson'),
  },
  'gaussian-thompson': {
    description: 'Gaussian Thompson sampling',
    factory: bandit(
      (k, c, rng) => new GaussianThompsonSampling({ k, ...c, rng }),
      'gaussian-thompson',
    ),
  },
  'gradient-bandit': {
    description: 'gradient bandit with baseline (S&B 2.8)',
    factory: bandit((k, c, rng) => new GradientBandit({ k, ...c, rng }), 'gradient-bandit'),
  },
};

/**
 * Builds agent `name` for `env` with hyper-parameters `config`; its generator is the run
 * seed's 'agent' stream.
 *
 * @throws InvalidConfigError for an unknown agent name (listing the known ones).
 */
export function createAgent(
  name: string,
  env: Env<unknown, unknown>,
  config: Record<string, unknown>,
  seed: number,
): AnyAgent {
  const entry = AGENTS[name];
  if (!entry) {
    throw new InvalidConfigError(
      `--agent ${describeValue(name)} is unknown; expected one of: ` +
        `${Object.keys(AGENTS).join(', ')}.`,
    );
  }
  return entry.factory(env, config, new Rng(seed).spawn('agent'));
}
