import {
  Box,
  Env,
  InvalidConfigError,
  MultiDiscrete,
  ResetNeededError,
  describeValue,
  rejectUnknownOptions,
  type Info,
  type RenderFrame,
  type ResetArgs,
  type ResetResult,
  type Space,
  type StepResult,
} from '../../src/index';
import { MARKETING_PARAM_NAMES, resolveMarketingParams, type MarketingParams } from './params';
import { CustomerPopulation, NUM_CUSTOMER_FEATURES, type WeekSummary } from './simulator';

/** Options of {@link MarketingPopulationEnv}. */
export interface MarketingPopulationOptions extends Partial<MarketingParams> {
  /**
   * Number of customers, a positive integer (pass 10,000 or more for studies). @defaultValue 100
   */
  customers?: number;
  /** Most e-mails (coupons included) allowed per week. @defaultValue Infinity (no budget) */
  emailBudget?: number;
  /** Put each customer's reward in `info.customerRewards`. @defaultValue true */
  customerRewards?: boolean;
}

const POPULATION_OPTIONS = [
  'customers',
  'emailBudget',
  'customerRewards',
  ...MARKETING_PARAM_NAMES,
];

/** The render frame of the marketing family, population view: weekly campaign totals. */
export interface MarketingPopulationFrame extends RenderFrame {
  /** Always `'marketing'`. */
  family: 'marketing';
  /** Always `'population'`. */
  view: 'population';
  /** Weeks elapsed in the episode. */
  week: number;
  /** Number of customers. */
  customers: number;
  /** Customers still subscribed. */
  subscribed: number;
  /** Totals of the last week, null right after reset. */
  lastWeek: WeekSummary | null;
  /** Sum of weekly profits so far. */
  cumulativeProfit: number;
  /** The weekly e-mail budget, null when unlimited. */
  emailBudget: number | null;
}

/**
 * The whole customer population, one step per week: the agent picks an action for every
 * customer at once.
 *
 * ## Observation
 * `Box(0, 1, [customers, 13], float32)`: the feature matrix, row i holding customer i's 13
 * scaled features (see `MarketingCustomerEnv` and `CUSTOMER_FEATURES`), row-major in one
 * Float32Array.
 *
 * ## Action
 * `MultiDiscrete` of `customers` entries in 0..2 (0 none, 1 e-mail, 2 coupon), as an Int32Array.
 * `info.actionMask` is a Uint8Array of `3 * customers` entries (row i = customer i's mask).
 * E-mailing an unsubscribed customer, or sending more than `emailBudget` e-mails in a week,
 * throws `InvalidActionError` and leaves the state unchanged.
 *
 * ## Reward
 * The week's profit over all customers: margin on sales minus e-mail costs and coupon
 * discounts. `info.customerRewards` (Float64Array) splits it by customer, and
 * `info.weekTotals` holds the week's totals (e-mails, coupons, purchases, unsubscribes, sales),
 * `info.weekIndex` the weeks elapsed. The exact
 * expected reward of every action for every customer is available from
 * {@link MarketingPopulationEnv.expectedRewardMatrix} (ground truth, not for learners).
 *
 * ## Episode end
 * Never terminates; `make('MarketingPopulation-v0')` truncates after 52 weeks.
 *
 * ## Options
 * `customers`, `emailBudget`, `customerRewards` and every field of `MarketingParams`; unknown
 * names throw `InvalidConfigError`. `reset` takes no options.
 *
 * ## Seeding
 * `reset({ seed })` draws the customers (ten uniforms each, in index order); each week draws
 * four uniforms per customer whatever the actions (common random numbers across policies).
 * Customer i of a population seeded s is not the customer of `MarketingCustomer-v0` seeded s.
 *
 * ## Version history
 * - v0: initial version.
 */
export class MarketingPopulationEnv extends Env<Float32Array, Int32Array> {
  readonly observationSpace: Box & Space<Float32Array>;
  readonly actionSpace: MultiDiscrete;
  /** The simulator parameters in force. */
  readonly params: MarketingParams;
  /** Number of customers. */
  readonly customers: number;
  /** Most e-mails allowed per week (Infinity when unlimited). */
  readonly emailBudget: number;
  private readonly population: CustomerPopulation;
  private readonly withCustomerRewards: boolean;
  private started = false;
  private weekIndex = 0;
  private cumulativeProfit = 0;
  private lastWeek: WeekSummary | null = null;

  /**
   * @param options - population size, budget and simulator parameters.
   * @throws InvalidConfigError for an unknown option, a population size that is not a
   *   positive integer, a negative budget, or a bad simulator parameter.
   */
  constructor(options: MarketingPopulationOptions = {}) {
    super();
    rejectUnknownOptions(options, POPULATION_OPTIONS, 'MarketingPopulation options');
    const { customers = 100, emailBudget = Infinity, customerRewards = true, ...rest } = options;
    this.params = resolveMarketingParams(rest, 'MarketingPopulation options');
    checkBudget(emailBudget);
    this.population = new CustomerPopulation(customers, this.params);
    this.customers = customers;
    this.emailBudget = emailBudget;
    this.withCustomerRewards = customerRewards;
    this.observationSpace = new Box(0, 1, [customers, NUM_CUSTOMER_FEATURES], 'float32') as Box &
      Space<Float32Array>;
    this.actionSpace = new MultiDiscrete(new Array<number>(customers).fill(3));
    this.metadata = { family: 'marketing', renderFps: 2 };
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.seedRng(args.seed);
    rejectUnknownOptions(args.options, [], 'MarketingPopulation reset options');
    this.population.drawAll(this.rng);
    this.started = true;
    this.weekIndex = 0;
    this.cumulativeProfit = 0;
    this.lastWeek = null;

    return { observation: this.observation(), info: this.info() };
  }

  step(action: Int32Array): StepResult<Float32Array> {
    if (!this.started) {
      throw new ResetNeededError('step() called before reset(). Call env.reset() first.');
    }
    this.population.validateActions(action, this.emailBudget);
    const rewards = this.withCustomerRewards ? new Float64Array(this.customers) : undefined;
    const summary = this.population.step(action, this.rng, rewards);
    this.weekIndex++;
    this.cumulativeProfit += summary.profit;
    this.lastWeek = summary;
    const info = this.info();
    info.weekTotals = summary;
    if (rewards) info.customerRewards = rewards;

    return {
      observation: this.observation(),
      reward: summary.profit,
      terminated: false,
      truncated: false,
      info,
    };
  }

  /**
   * Ground truth: the exact expected reward of each action for each customer this week,
   * row-major `customers x 3` (see `CustomerPopulation.expectedRewards`).
   *
   * @param out - optional array of `3 * customers` entries to fill.
   */
  expectedRewardMatrix(out?: Float64Array): Float64Array {
    return this.population.expectedRewardMatrix(out ?? new Float64Array(3 * this.customers));
  }

  /** Hidden response type of every customer (ground truth for analysis, not for agents). */
  responseTypes(): Uint8Array {
    return this.population.responseType.slice();
  }

  private observation(): Float32Array {
    const out = new Float32Array(this.customers * NUM_CUSTOMER_FEATURES);
    for (let i = 0; i < this.customers; i++) {
      this.population.writeFeatures(i, out, i * NUM_CUSTOMER_FEATURES);
    }
    return out;
  }

  private info(): Info {
    const actionMask = new Uint8Array(3 * this.customers);
    for (let i = 0; i < this.customers; i++) this.population.writeMask(i, actionMask, 3 * i);
    const info: Info = { actionMask, weekIndex: this.weekIndex };
    if (Number.isFinite(this.emailBudget)) info.emailBudget = this.emailBudget;
    return info;
  }

  override render(): MarketingPopulationFrame {
    let unsubscribed = 0;
    for (let i = 0; i < this.customers; i++) unsubscribed += this.population.unsubscribed[i];
    return {
      family: 'marketing',
      view: 'population',
      week: this.weekIndex,
      customers: this.customers,
      subscribed: this.customers - unsubscribed,
      lastWeek: this.lastWeek,
      cumulativeProfit: this.cumulativeProfit,
      emailBudget: Number.isFinite(this.emailBudget) ? this.emailBudget : null,
    };
  }
}

function checkBudget(emailBudget: unknown): void {
  if (typeof emailBudget !== 'number' || Number.isNaN(emailBudget) || emailBudget < 0) {
    throw new InvalidConfigError(
      `emailBudget must be a non-negative number of e-mails per week; received ` +
        `${describeValue(emailBudget)}. Omit it for no budget.`,
    );
  }
}
