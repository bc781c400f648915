// `tsgym demo marketing` (also part of `npm start`): the campaign demo of issue #3. Learners are
// trained on the single-customer view, then every policy, learned or fixed, runs the same
// population of customers for the same weeks from the same seed (common random numbers), so
// profit differences are due to the policies, not to luck.
import { Command, InvalidArgumentError } from 'commander';
import { Discrete, Rng, TransformObservation, make, train, type Env, type Info } from '../index';
import {
  DISCRETE_CUSTOMER_STATES,
  MARKETING_BASELINES,
  MarketingPopulationEnv,
  NUM_CUSTOMER_FEATURES,
  baselineAction,
  discretizeCustomer,
  type MarketingBaseline,
} from '../../envs/index';
import {
  LinearEpsilonGreedyAgent,
  LinearSoftmaxPolicy,
  QLearning,
  ReinforceAgent,
} from '../../agents/index';
import { formatTable, meanCI } from './format';

/** Options of {@link runMarketingDemo}. */
export interface MarketingDemoOptions {
  /** Independent seeds (training and evaluation). @defaultValue 5 */
  seeds?: number;
  /** Customers in the evaluation population. @defaultValue 1000 */
  customers?: number;
  /** Weeks of the evaluation campaign. @defaultValue 52 */
  weeks?: number;
  /** Training episodes (customers of 52 weeks) per learner and seed. @defaultValue 4000 */
  episodes?: number;
  /** Where lines go. @defaultValue console.log */
  log?: (line: string) => void;
}

/** Chooses an action for row `row` of a feature matrix. */
type RowPolicy = (features: Float32Array, row: number, mask: Uint8Array, q: Float64Array) => number;

/** Totals of one campaign. */
interface CampaignTotals {
  profit: number;
  emails: number;
  unsubscribes: number;
}

function rowMask(mask: Uint8Array, row: number): number[] {
  return [mask[3 * row], mask[3 * row + 1], mask[3 * row + 2]];
}

function rowFeatures(features: Float32Array, row: number): Float32Array {
  return features.subarray(row * NUM_CUSTOMER_FEATURES, (row + 1) * NUM_CUSTOMER_FEATURES);
}

/** Runs one campaign over the population seeded `seed` with `policy` for every customer. */
function runCampaign(policy: RowPolicy, customers: number, weeks: number, seed: number) {
  const env = new MarketingPopulationEnv({ customers, customerRewards: false });
  let { observation, info } = env.reset({ seed });
  const actions = new Int32Array(customers);
  const totals: CampaignTotals = { profit: 0, emails: 0, unsubscribes: 0 };
  for (let w = 0; w < weeks; w++) {
    const q = env.expectedRewardMatrix();
    const mask = info.actionMask as Uint8Array;
    for (let i = 0; i < customers; i++) actions[i] = policy(observation, i, mask, q);
    const r = env.step(actions);
    const week = r.info.weekTotals as { emails: number; unsubscribes: number };
    totals.profit += r.reward;
    totals.emails += week.emails;
    totals.unsubscribes += week.unsubscribes;
    ({ observation, info } = r);
  }
  return totals;
}

function baselinePolicy(name: MarketingBaseline, seed: number): RowPolicy {
  const rng = new Rng(seed).spawn(`baseline-${name}`);
  return (features, row, mask, expectedRewards) =>
    baselineAction(name, { features, row, mask, expectedRewards, rng });
}

/** Trains the three learners on the customer view and returns their greedy row policies. */
function trainLearners(seed: number, episodes: number): Record<string, RowPolicy> {
  const root = new Rng(seed);
  const customerEnv = () => make<Float32Array, number>('MarketingCustomer-v0');

  const contextual = new LinearEpsilonGreedyAgent({
    inputSize: NUM_CUSTOMER_FEATURES,
    nActions: 3,
    epsilon: 0.1,
    rng: root.spawn('contextual'),
  });
  train({ env: customerEnv(), agent: contextual, seed, totalEpisodes: episodes });

  const tabular = new TransformObservation(
    customerEnv(),
    (o: Float32Array) => discretizeCustomer(o),
    new Discrete(DISCRETE_CUSTOMER_STATES),
  ) as unknown as Env<number, number>;
  const qLearning = new QLearning({
    nStates: DISCRETE_CUSTOMER_STATES,
    nActions: 3,
    alpha: 0.05,
    gamma: 0.5,
    epsilon: 0.1,
    rng: root.spawn('q-learning'),
  });
  train({ env: tabular, agent: qLearning, seed, totalEpisodes: episodes });

  const reinforce = new ReinforceAgent({
    policy: new LinearSoftmaxPolicy(NUM_CUSTOMER_FEATURES, 3),
    learningRate: 0.02,
    gamma: 0,
    batchEpisodes: 10,
    baseline: 'value',
    rng: root.spawn('reinforce'),
  });
  train({ env: customerEnv(), agent: reinforce, seed, totalEpisodes: episodes });

  const info = (mask: Uint8Array, row: number): Info => ({ actionMask: rowMask(mask, row) });
  return {
    'contextual eps-greedy': (f, i, m) =>
      contextual.act(rowFeatures(f, i), info(m, i), false).action,
    'Q-learning (216 states)': (f, i, m) =>
      qLearning.act(discretizeCustomer(f, i), info(m, i), false).action,
    'REINFORCE (linear)': (f, i, m) => reinforce.act(rowFeatures(f, i), info(m, i), false).action,
  };
}

function checkPositive(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new InvalidArgumentError(
      `${name} must be a positive integer; received ${String(value)}.`,
    );
  }
  return value as number;
}

/**
 * Runs the campaign demo and prints the comparison table: profit per customer, regret against
 * the uplift oracle on the same customers, e-mails and unsubscribes, as mean and 95% interval
 * over seeds.
 *
 * @returns the per-policy results (one entry per seed) for scripts and tests.
 */
export async function runMarketingDemo(
  opts: MarketingDemoOptions = {},
): Promise<Record<string, CampaignTotals[]>> {
  const seeds = checkPositive(opts.seeds ?? 5, 'seeds');
  const customers = checkPositive(opts.customers ?? 1000, 'customers');
  const weeks = checkPositive(opts.weeks ?? 52, 'weeks');
  const episodes = checkPositive(opts.episodes ?? 4000, 'episodes');
  const log = opts.log ?? console.log;
  log(
    `Marketing campaign demo: ${seeds} seeds, ${customers} customers x ${weeks} weeks, ` +
      `learners trained on ${episodes} single-customer episodes each (MarketingCustomer-v0).`,
  );
  const results: Record<string, CampaignTotals[]> = {};
  const started = performance.now();
  for (let s = 0; s < seeds; s++) {
    const policies: Record<string, RowPolicy> = {};
    for (const name of MARKETING_BASELINES) policies[name] = baselinePolicy(name, s);
    Object.assign(policies, trainLearners(s, episodes));
    for (const [name, policy] of Object.entries(policies)) {
      (results[name] ??= []).push(runCampaign(policy, customers, weeks, 1000 + s));
    }
  }
  log(formatResults(results, customers));
  log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return results;
}

function formatResults(results: Record<string, CampaignTotals[]>, customers: number): string {
  const oracle = results.oracle;
  const cell = (values: number[], digits: number) => {
    const { mean, halfWidth } = meanCI(values);
    return `${mean.toFixed(digits)} ± ${halfWidth.toFixed(digits)}`;
  };
  const rows = Object.entries(results)
    .map(([name, runs]) => {
      const profit = runs.map((r) => r.profit / customers);
      const regret = runs.map((r, s) => (oracle[s].profit - r.profit) / customers);
      const emails = runs.map((r) => r.emails / customers);
      const unsub = runs.map((r) => (100 * r.unsubscribes) / customers);
      return {
        name,
        mean: meanCI(profit).mean,
        cells: [cell(profit, 2), cell(regret, 2), cell(emails, 1), cell(unsub, 1)],
      };
    })
    .sort((a, b) => b.mean - a.mean);
  return formatTable(
    ['policy', 'profit/customer', 'regret vs oracle', 'e-mails/customer', 'unsubscribed %'],
    rows.map((r) => [r.name, ...r.cells]),
  );
}

/** The `marketing` sub-command (mounted as `tsgym demo marketing`). */
export function marketingDemoCommand(): Command {
  const int = (flag: string) => (value: string) => checkPositive(Number(value), flag);
  return new Command('marketing')
    .description(
      'compare baselines, contextual epsilon-greedy, Q-learning and REINFORCE on the same customers',
    )
    .option('--seeds <n>', 'independent seeds', int('--seeds'), 5)
    .option('--customers <n>', 'customers in the evaluation population', int('--customers'), 1000)
    .option('--weeks <n>', 'weeks of the evaluation campaign', int('--weeks'), 52)
    .option('--episodes <n>', 'training episodes per learner and seed', int('--episodes'), 4000)
    .action(async (opts: MarketingDemoOptions) => {
      await runMarketingDemo(opts);
    });
}
