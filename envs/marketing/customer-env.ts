import {
  Box,
  Discrete,
  Env,
  InvalidActionError,
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
import { resolveMarketingParams, type MarketingParams } from './params';
import {
  CUSTOMER_FEATURES,
  CustomerPopulation,
  NUM_CUSTOMER_FEATURES,
  emptyWeekSummary,
} from './simulator';

/** Options of {@link MarketingCustomerEnv}: any subset of the simulator parameters. */
export type MarketingCustomerOptions = Partial<MarketingParams>;

/**
 * The render frame of the marketing family, customer view. The viewer draws the feature bars,
 * the last action and reward, and the expected reward of each action.
 */
export interface MarketingCustomerFrame extends RenderFrame {
  /** Always `'marketing'`. */
  family: 'marketing';
  /** Always `'customer'`. */
  view: 'customer';
  /** Weeks elapsed in the episode. */
  week: number;
  /** Scaled features by name (see CUSTOMER_FEATURES), each in [0, 1]. */
  features: Record<string, number>;
  /** Action of the last step (0 none, 1 e-mail, 2 coupon), null right after reset. */
  lastAction: number | null;
  /** Reward of the last step, null right after reset. */
  lastReward: number | null;
  /** Sum of rewards so far. */
  cumulativeReward: number;
  /** Whether the customer bought on the last step, null right after reset. */
  purchased: boolean | null;
  /** Whether the customer has unsubscribed. */
  unsubscribed: boolean;
  /** Ground-truth expected reward of each action for the coming week. */
  expectedRewards: number[];
}

/**
 * One customer over a campaign of weeks: each week the agent decides whether to e-mail them.
 *
 * ## Observation
 * `Box(0, 1, [13], float32)`: the customer's scaled profile and purchase history, in the order
 * of `CUSTOMER_FEATURES` (age, four region indicators, income band, tenure, recency,
 * frequency, average order value, recent e-mails, e-mail engagement, unsubscribed). The
 * response type (sure thing, persuadable, lost cause, sleeping dog) is hidden; it depends on
 * the profile and shows in the history.
 *
 * ## Action
 * `Discrete(3)`: 0 no e-mail, 1 e-mail, 2 e-mail with a discount coupon. `info.actionMask` is
 * `[1, 1, 1]`, or `[1, 0, 0]` once the customer unsubscribed; a masked action throws
 * `InvalidActionError`.
 *
 * ## Reward
 * Margin on the week's sale (order value times `margin`, less `couponDiscount` of the order
 * value with a coupon) minus `emailCost` for any e-mail. `info.expectedRewards` holds the exact
 * expected reward of each action for the coming week: ground truth for regret, ROI and
 * uplift, which learners must not read.
 *
 * ## Episode end
 * Never terminates (an unsubscribed customer still buys); `make('MarketingCustomer-v0')`
 * truncates after 52 weeks.
 *
 * ## Options
 * Every field of `MarketingParams` (see `DEFAULT_MARKETING_PARAMS` for the calibrated
 * defaults); unknown names throw `InvalidConfigError`. `reset` takes no options.
 *
 * ## Seeding
 * `reset({ seed })` draws a new customer from the seeded generator (ten uniforms) and every
 * week draws exactly four more, whatever the action, so the same seed gives the same customer
 * and the same luck under any policy (common random numbers).
 *
 * ## Version history
 * - v0: initial version.
 *
 * @example
 * ```ts
 * const env = make<Float32Array, number>('MarketingCustomer-v0');
 * const { observation, info } = env.reset({ seed: 1 });
 * const step = env.step(info.actionMask[1] ? 1 : 0);
 * ```
 */
export class MarketingCustomerEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(0, 1, [NUM_CUSTOMER_FEATURES], 'float32') as Box &
    Space<Float32Array>;
  readonly actionSpace = new Discrete(3);
  /** The simulator parameters in force. */
  readonly params: MarketingParams;
  private readonly population: CustomerPopulation;
  private started = false;
  private week = 0;
  private cumulativeReward = 0;
  private lastAction: number | null = null;
  private lastReward: number | null = null;
  private purchased: boolean | null = null;

  /**
   * @param options - simulator parameters; omitted ones take their defaults.
   * @throws InvalidConfigError for an unknown option or an out-of-range value.
   */
  constructor(options: MarketingCustomerOptions = {}) {
    super();
    this.params = resolveMarketingParams(options, 'MarketingCustomer options');
    this.population = new CustomerPopulation(1, this.params);
    this.metadata = { family: 'marketing', renderFps: 4 };
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.seedRng(args.seed);
    rejectUnknownOptions(args.options, [], 'MarketingCustomer reset options');
    this.population.drawCustomer(0, this.rng);
    this.started = true;
    this.week = 0;
    this.cumulativeReward = 0;
    this.lastAction = this.lastReward = this.purchased = null;

    return { observation: this.observation(), info: this.info() };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.started) {
      throw new ResetNeededError('step() called before reset(). Call env.reset() first.');
    }
    this.checkAction(action);
    const summary = emptyWeekSummary();
    const reward = this.population.stepCustomer(0, action, this.rng, summary);
    this.week++;
    this.cumulativeReward += reward;
    this.lastAction = action;
    this.lastReward = reward;
    this.purchased = summary.purchases > 0;
    const info = this.info();
    info.purchased = this.purchased;
    info.unsubscribedNow = summary.unsubscribes > 0;

    return { observation: this.observation(), reward, terminated: false, truncated: false, info };
  }

  private checkAction(action: number): void {
    if (!this.actionSpace.contains(action)) {
      throw new InvalidActionError(
        `action must be 0 (no e-mail), 1 (e-mail) or 2 (e-mail with coupon); received ` +
          `${describeValue(action)}. Pass an integer in 0..2.`,
      );
    }
    if (action !== 0 && this.population.unsubscribed[0]) {
      throw new InvalidActionError(
        `action ${action} e-mails a customer who has unsubscribed; info.actionMask is ` +
          '[1, 0, 0]. Choose action 0 (no e-mail) for unsubscribed customers.',
      );
    }
  }

  private observation(): Float32Array {
    const out = new Float32Array(NUM_CUSTOMER_FEATURES);
    this.population.writeFeatures(0, out);
    return out;
  }

  private info(): Info {
    const actionMask = [0, 0, 0];
    this.population.writeMask(0, actionMask);
    const expectedRewards = [0, 0, 0];
    this.population.expectedRewards(0, expectedRewards);
    return { actionMask, expectedRewards, week: this.week };
  }

  override render(): MarketingCustomerFrame {
    const values = this.observation();
    const features: Record<string, number> = {};
    CUSTOMER_FEATURES.forEach((name, k) => (features[name] = values[k]));
    const expectedRewards = [0, 0, 0];
    this.population.expectedRewards(0, expectedRewards);
    return {
      family: 'marketing',
      view: 'customer',
      week: this.week,
      features,
      lastAction: this.lastAction,
      lastReward: this.lastReward,
      cumulativeReward: this.cumulativeReward,
      purchased: this.purchased,
      unsubscribed: this.population.unsubscribed[0] === 1,
      expectedRewards,
    };
  }

  /** Hidden response type of the current customer (ground truth for analysis, not for agents). */
  responseType(): number {
    return this.population.responseType[0];
  }
}
