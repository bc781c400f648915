import { InvalidActionError, InvalidConfigError, describeValue, type Rng } from '../../src/index';
import type { MarketingParams } from './params';

/** Actions per customer and week: 0 no e-mail, 1 e-mail, 2 e-mail with a discount coupon. */
export const MARKETING_ACTIONS = ['none', 'email', 'coupon'] as const;

/** Number of actions per customer (3). */
export const NUM_MARKETING_ACTIONS = 3;

/**
 * Names of the observation features of one customer, in order. Every feature is scaled to
 * [0, 1]: age (18 to 80 years), four region indicators, income band (0, 0.5, 1), tenure (up to
 * 10 years), weeks since the last purchase (up to 52), decayed purchases per year (up to 10),
 * average order value (up to 200), decayed count of recent e-mails (up to 5), e-mail engagement
 * (decayed open rate), unsubscribed (0 or 1).
 */
export const CUSTOMER_FEATURES = [
  'age',
  'regionNorth',
  'regionSouth',
  'regionEast',
  'regionWest',
  'incomeBand',
  'tenure',
  'recency',
  'frequency',
  'avgOrderValue',
  'recentEmails',
  'engagement',
  'unsubscribed',
] as const;

/** Number of features per customer (13). */
export const NUM_CUSTOMER_FEATURES = CUSTOMER_FEATURES.length;

/** Totals of one simulated week over the customers stepped. */
export interface WeekSummary {
  /** Sum of rewards: margin on sales minus e-mail costs and coupon discounts. */
  profit: number;
  /** Gross revenue (order values before discount). */
  sales: number;
  /** E-mails sent, coupon e-mails included. */
  emails: number;
  /** Coupon e-mails sent. */
  coupons: number;
  /** Purchases made. */
  purchases: number;
  /** Customers who unsubscribed this week. */
  unsubscribes: number;
}

/** A zeroed {@link WeekSummary}. */
export function emptyWeekSummary(): WeekSummary {
  return { profit: 0, sales: 0, emails: 0, coupons: 0, purchases: 0, unsubscribes: 0 };
}

// Weekly decay of the purchase count: the count approximates purchases over the last year.
const FREQUENCY_DECAY = 51 / 52;

/**
 * The customer-population core: struct-of-arrays state in typed arrays, so memory is linear
 * in the number of customers and flat over the weeks (no history is kept), and a week costs a
 * few hundred nanoseconds per customer.
 *
 * Common random numbers: every customer-week draws exactly four uniforms in a fixed order
 * (purchase, order value, e-mail opened, unsubscribe), whatever the action, and drawing a
 * customer takes exactly ten. Two policies run from the same seed therefore see the same
 * customers and the same luck, so their profit difference has low variance.
 */
export class CustomerPopulation {
  /** Age in years (18 to 80). */
  readonly age: Float64Array;
  /** Region 0..3 (north, south, east, west). */
  readonly region: Uint8Array;
  /** Income band 0 low, 1 middle, 2 high. */
  readonly income: Uint8Array;
  /** Weeks as a customer. */
  readonly tenureWeeks: Float64Array;
  /** Hidden response type, an index into RESPONSE_TYPES. */
  readonly responseType: Uint8Array;
  /** Hidden mean order value. */
  readonly meanOrderValue: Float64Array;
  /** Weeks since the last purchase. */
  readonly recencyWeeks: Float64Array;
  /** Decayed purchase count (about purchases per year). */
  readonly frequency: Float64Array;
  /** Observed average order value (exponential average of past orders). */
  readonly avgOrderValue: Float64Array;
  /** Decayed count of recent e-mails: the e-mail fatigue. */
  readonly recentEmails: Float64Array;
  /** Decayed open rate of past e-mails, in [0, 1]. */
  readonly engagement: Float64Array;
  /** 1 once the customer unsubscribed: e-mail actions are then illegal. */
  readonly unsubscribed: Uint8Array;

  /**
   * @param size - number of customers, a positive integer.
   * @param params - validated simulator parameters.
   * @throws InvalidConfigError when `size` is not a positive integer.
   */
  constructor(
    readonly size: number,
    readonly params: MarketingParams,
  ) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new InvalidConfigError(
        `customers must be a positive integer; received ${describeValue(size)}. ` +
          'A population needs at least one customer, e.g. customers: 1000.',
      );
    }
    const f64 = () => new Float64Array(size);
    this.age = f64();
    this.region = new Uint8Array(size);
    this.income = new Uint8Array(size);
    this.tenureWeeks = f64();
    this.responseType = new Uint8Array(size);
    this.meanOrderValue = f64();
    this.recencyWeeks = f64();
    this.frequency = f64();
    this.avgOrderValue = f64();
    this.recentEmails = f64();
    this.engagement = f64();
    this.unsubscribed = new Uint8Array(size);
  }

  /** Draws every customer afresh from `rng` (ten uniforms each). */
  drawAll(rng: Rng): void {
    for (let i = 0; i < this.size; i++) this.drawCustomer(i, rng);
  }

  /**
   * Draws customer `i`: a profile, a response type that depends on the profile, and a
   * purchase history consistent with that type (exactly ten uniforms).
   */
  drawCustomer(i: number, rng: Rng): void {
    const p = this.params;
    this.age[i] = 18 + 62 * rng.random();
    this.region[i] = Math.min(3, Math.floor(4 * rng.random()));
    const u = rng.random();
    this.income[i] = u < 0.35 ? 0 : u < 0.8 ? 1 : 2;
    this.tenureWeeks[i] = 520 * rng.random();
    const type = drawResponseType(this.age[i], this.region[i], this.income[i], this, i, rng);
    this.responseType[i] = type;
    this.meanOrderValue[i] = p.orderValueByIncome[this.income[i]] * (0.7 + 0.6 * rng.random());
    const base = p.baseBuyProb[type];
    this.frequency[i] = base * 52 * (0.6 + 0.8 * rng.random());
    const geometric = Math.floor(Math.log(1 - rng.random()) / Math.log(1 - Math.min(base, 0.99)));
    this.recencyWeeks[i] = Math.min(52, Number.isFinite(geometric) ? geometric : 52);
    this.avgOrderValue[i] = this.meanOrderValue[i] * (0.85 + 0.3 * rng.random());
    const noisy = p.openProb[type] + 0.2 * (rng.random() - 0.5);
    this.engagement[i] = Math.min(1, Math.max(0, noisy));
    this.recentEmails[i] = 0;
    this.unsubscribed[i] = 0;
  }

  /**
   * Exact weekly purchase probability of customer `i` under each action, given the current
   * state: `p0 = base * (1 + habitBoost * exp(-recency / 4))`; an action adds its lift, shrunk
   * by fatigue `m = exp(-fatigueRate * recentEmails)` when positive and grown by `2 - m` when
   * negative (annoyance rises with fatigue).
   *
   * @param out - receives three probabilities (none, email, coupon).
   */
  buyProbs(i: number, out: Float64Array | number[]): void {
    const p = this.params;
    const type = this.responseType[i];
    const m = Math.exp(-p.fatigueRate * this.recentEmails[i]);
    const p0 = Math.min(
      1,
      p.baseBuyProb[type] * (1 + p.habitBoost * Math.exp(-this.recencyWeeks[i] / 4)),
    );
    const persuadable = type === 1;
    const emailLift = p.emailLift[type] * (persuadable ? p.emailLiftByIncome[this.income[i]] : 1);
    const couponLift =
      p.couponLift[type] * (persuadable ? p.couponLiftByIncome[this.income[i]] : 1);
    out[0] = p0;
    out[1] = clamp01(p0 + (emailLift >= 0 ? emailLift * m : emailLift * (2 - m)));
    out[2] = clamp01(p0 + (couponLift >= 0 ? couponLift * m : couponLift * (2 - m)));
  }

  /**
   * Exact expected reward of each action for customer `i` this week (ground truth, for
   * regret, ROI and uplift; learners must not read it):
   * `E[r | a] = P(buy | a) * meanOrderValue * (margin - discount[a]) - emailCost[a]`.
   * For an unsubscribed customer the e-mail actions are illegal and their entries repeat the
   * no-e-mail value.
   *
   * @param out - receives three values at `out[offset..offset+2]`.
   */
  expectedRewards(i: number, out: Float64Array | number[], offset = 0): void {
    const p = this.params;
    const probs = scratch;
    this.buyProbs(i, probs);
    const value = this.meanOrderValue[i];
    out[offset] = probs[0] * value * p.margin;
    if (this.unsubscribed[i]) {
      out[offset + 1] = out[offset];
      out[offset + 2] = out[offset];
      return;
    }
    out[offset + 1] = probs[1] * value * p.margin - p.emailCost;
    out[offset + 2] = probs[2] * value * (p.margin - p.couponDiscount) - p.emailCost;
  }

  /** Expected rewards of every customer (row-major `size x 3`), into `out` or a new array. */
  expectedRewardMatrix(out: Float64Array = new Float64Array(this.size * 3)): Float64Array {
    for (let i = 0; i < this.size; i++) this.expectedRewards(i, out, 3 * i);
    return out;
  }

  /**
   * Throws unless `actions` holds one legal action per customer within the e-mail budget.
   * Call it before {@link CustomerPopulation.step} so a bad action leaves the state untouched.
   *
   * @throws InvalidActionError naming the first bad customer, or the budget exceeded.
   */
  validateActions(actions: ArrayLike<number>, emailBudget = Infinity): void {
    if (actions === null || typeof actions !== 'object' || actions.length !== this.size) {
      throw new InvalidActionError(
        `action must hold one entry per customer (${this.size}); received ` +
          `${describeValue(actions)}. Pass an Int32Array of length ${this.size}.`,
      );
    }
    let emails = 0;
    for (let i = 0; i < this.size; i++) {
      const a = actions[i];
      if (a !== 0 && a !== 1 && a !== 2) throw badAction(i, a);
      if (a !== 0 && this.unsubscribed[i]) throw unsubscribedAction(i, a);
      if (a !== 0) emails++;
    }
    if (emails > emailBudget) {
      throw new InvalidActionError(
        `weekly e-mail budget exceeded: the action sends ${emails} e-mails but emailBudget is ` +
          `${emailBudget}. Mail at most ${emailBudget} customers this week (set the others to 0).`,
      );
    }
  }

  /**
   * Simulates one week for customer `i` under action `a` (already validated) and returns its
   * reward. Draws exactly four uniforms.
   *
   * @param summary - totals to add this customer-week to.
   */
  stepCustomer(i: number, a: number, rng: Rng, summary: WeekSummary): number {
    const p = this.params;
    const probs = scratch;
    this.buyProbs(i, probs);
    const uBuy = rng.random();
    const uValue = rng.random();
    const uOpen = rng.random();
    const uUnsubscribe = rng.random();
    let reward = a === 0 ? 0 : -p.emailCost;

    if (uBuy < probs[a]) {
      const value = this.meanOrderValue[i] * (0.5 + uValue);
      reward += value * (p.margin - (a === 2 ? p.couponDiscount : 0));
      this.recencyWeeks[i] = 0;
      this.frequency[i] = this.frequency[i] * FREQUENCY_DECAY + 1;
      this.avgOrderValue[i] = 0.8 * this.avgOrderValue[i] + 0.2 * value;
      summary.purchases++;
      summary.sales += value;
    } else {
      this.recencyWeeks[i] = Math.min(520, this.recencyWeeks[i] + 1);
      this.frequency[i] *= FREQUENCY_DECAY;
    }

    if (a !== 0) this.afterEmail(i, a, uOpen, uUnsubscribe, summary);
    else this.recentEmails[i] *= p.emailMemory;
    this.tenureWeeks[i] += 1;
    summary.profit += reward;
    return reward;
  }

  private afterEmail(i: number, a: number, uOpen: number, uUnsub: number, s: WeekSummary): void {
    const p = this.params;
    const type = this.responseType[i];
    const fatigue = this.recentEmails[i];
    const opened = uOpen < p.openProb[type] ? 1 : 0;
    this.engagement[i] = 0.85 * this.engagement[i] + 0.15 * opened;
    const unsubscribe =
      (p.unsubscribeBase + p.unsubscribeFatigue * fatigue) * p.unsubscribeByType[type];
    if (uUnsub < unsubscribe) {
      this.unsubscribed[i] = 1;
      s.unsubscribes++;
    }
    this.recentEmails[i] = p.emailMemory * fatigue + 1;
    s.emails++;
    if (a === 2) s.coupons++;
  }

  /**
   * Simulates one week for every customer. Validate first with
   * {@link CustomerPopulation.validateActions}.
   *
   * @param rewardsOut - optional, receives each customer's reward.
   * @returns the week's totals.
   */
  step(actions: ArrayLike<number>, rng: Rng, rewardsOut?: Float64Array): WeekSummary {
    const summary = emptyWeekSummary();
    for (let i = 0; i < this.size; i++) {
      const r = this.stepCustomer(i, actions[i], rng, summary);
      if (rewardsOut) rewardsOut[i] = r;
    }
    return summary;
  }

  /** Writes the 13 scaled features of customer `i` (see CUSTOMER_FEATURES) at `offset`. */
  writeFeatures(i: number, out: Float32Array | Float64Array, offset = 0): void {
    out[offset] = (this.age[i] - 18) / 62;
    const region = this.region[i];
    for (let r = 0; r < 4; r++) out[offset + 1 + r] = region === r ? 1 : 0;
    out[offset + 5] = this.income[i] / 2;
    out[offset + 6] = Math.min(1, this.tenureWeeks[i] / 520);
    out[offset + 7] = Math.min(1, this.recencyWeeks[i] / 52);
    out[offset + 8] = Math.min(1, this.frequency[i] / 10);
    out[offset + 9] = Math.min(1, this.avgOrderValue[i] / 200);
    out[offset + 10] = Math.min(1, this.recentEmails[i] / 5);
    out[offset + 11] = this.engagement[i];
    out[offset + 12] = this.unsubscribed[i];
  }

  /** The action mask of customer `i`: `[1, 1, 1]`, or `[1, 0, 0]` once unsubscribed. */
  writeMask(i: number, out: Uint8Array | number[], offset = 0): void {
    const allowed = this.unsubscribed[i] ? 0 : 1;
    out[offset] = 1;
    out[offset + 1] = allowed;
    out[offset + 2] = allowed;
  }
}

const scratch = new Float64Array(3);

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * The hidden type depends on the profile through a softmax of linear scores: older customers
 * lean to sleeping dogs, younger ones to persuadables, rich long-standing ones to sure things,
 * new low-income ones to lost causes. One uniform.
 */
function drawResponseType(
  age: number,
  region: number,
  income: number,
  pop: CustomerPopulation,
  i: number,
  rng: Rng,
): number {
  const zAge = (age - 49) / 18;
  const years = pop.tenureWeeks[i] / 52 - 5;
  const scores = typeScores;
  scores[0] = -0.2 + 0.7 * (income - 1) + 0.15 * years;
  scores[1] = 0.3 - 0.6 * zAge + (region === 0 ? 0.3 : 0);
  scores[2] = -0.2 - 0.15 * years + (income === 0 ? 0.4 : 0);
  scores[3] = -0.6 + 0.7 * zAge + (region === 3 ? 0.4 : 0);
  let total = 0;
  for (let k = 0; k < 4; k++) total += scores[k] = Math.exp(scores[k]);
  let u = rng.random() * total;
  for (let k = 0; k < 3; k++) {
    u -= scores[k];
    if (u < 0) return k;
  }
  return 3;
}

const typeScores = new Float64Array(4);

function badAction(i: number, a: unknown): InvalidActionError {
  return new InvalidActionError(
    `action[${i}] must be 0 (no e-mail), 1 (e-mail) or 2 (e-mail with coupon); received ` +
      `${describeValue(a)}. Pass one of 0, 1, 2 per customer.`,
  );
}

function unsubscribedAction(i: number, a: number): InvalidActionError {
  return new InvalidActionError(
    `customer ${i} has unsubscribed and cannot be mailed, but the action for it is ${a}. ` +
      'Use 0 (no e-mail) where info.actionMask marks e-mail actions 0.',
  );
}
