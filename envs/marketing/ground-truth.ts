import { InvalidConfigError, describeValue } from '../../src/index';

/** Exact one-week figures of a decision vector, from the simulator's expected rewards. */
export interface DecisionValue {
  /** Expected profit of the chosen actions. */
  expectedProfit: number;
  /** Expected profit of the best legal action of every customer (the myopic oracle). */
  oracleProfit: number;
  /** `oracleProfit - expectedProfit`, at least 0. */
  regret: number;
  /** Expected profit gained over mailing nobody. */
  uplift: number;
  /** E-mails (coupons included) in the decision. */
  emails: number;
  /**
   * `uplift / (emails * emailCost)`: incremental profit per unit of e-mail spend; 0 without
   * e-mails.
   */
  roi: number;
}

function checkLengths(actions: ArrayLike<number>, expectedRewards: ArrayLike<number>): void {
  if (expectedRewards.length !== 3 * actions.length) {
    throw new InvalidConfigError(
      `expectedRewards must hold 3 values per customer (${3 * actions.length}); received ` +
        `${expectedRewards.length}. Pass expectedRewardMatrix() of the same population.`,
    );
  }
}

/**
 * Exact expected profit, regret, uplift and ROI of one week's decisions, computed from the
 * ground truth (`MarketingPopulationEnv.expectedRewardMatrix()` or a customer's
 * `info.expectedRewards`), so no simulation noise enters the comparison.
 *
 * @param actions - one action per customer.
 * @param expectedRewards - 3 expected rewards per customer, row-major.
 * @param mask - 3 legality flags per customer; the oracle picks only legal actions.
 * @param emailCost - cost of one e-mail, for the ROI. @defaultValue 0.15
 * @throws InvalidConfigError when the lengths do not match.
 */
export function decisionValue(
  actions: ArrayLike<number>,
  expectedRewards: ArrayLike<number>,
  mask?: ArrayLike<number>,
  emailCost = 0.15,
): DecisionValue {
  checkLengths(actions, expectedRewards);
  let expectedProfit = 0;
  let oracleProfit = 0;
  let nobody = 0;
  let emails = 0;
  for (let i = 0; i < actions.length; i++) {
    const o = 3 * i;
    let best = expectedRewards[o];
    for (let a = 1; a < 3; a++) {
      if ((!mask || mask[o + a]) && expectedRewards[o + a] > best) best = expectedRewards[o + a];
    }
    oracleProfit += best;
    nobody += expectedRewards[o];
    expectedProfit += expectedRewards[o + actions[i]];
    if (actions[i] !== 0) emails++;
  }
  const uplift = expectedProfit - nobody;
  const roi = emails > 0 ? uplift / (emails * emailCost) : 0;
  return {
    expectedProfit,
    oracleProfit,
    regret: oracleProfit - expectedProfit,
    uplift,
    emails,
    roi,
  };
}

/** One point of an uplift curve. */
export interface UpliftPoint {
  /** Customers targeted (the top `targeted` by score). */
  targeted: number;
  /** Exact cumulative expected uplift of mailing them instead of nobody. */
  uplift: number;
}

/**
 * The exact uplift (Qini-style) curve of a targeting score: customers sorted by descending
 * `scores`, and for the top k the summed expected gain of `action` over no e-mail,
 * `sum_{top k} (E[r | action] - E[r | none])` (Radcliffe, "Using control groups to target on
 * predicted lift", 2007). Ties keep index order.
 *
 * @param scores - one score per customer, higher = mail first.
 * @param expectedRewards - 3 expected rewards per customer, row-major.
 * @param action - the treatment, 1 (e-mail) or 2 (coupon). @defaultValue 1
 * @returns `customers + 1` points, from 0 targeted to all.
 * @throws InvalidConfigError for mismatched lengths or an action other than 1 or 2.
 */
export function upliftCurve(
  scores: ArrayLike<number>,
  expectedRewards: ArrayLike<number>,
  action = 1,
): UpliftPoint[] {
  checkLengths(scores, expectedRewards);
  if (action !== 1 && action !== 2) {
    throw new InvalidConfigError(
      `action must be 1 (e-mail) or 2 (coupon); received ${describeValue(action)}.`,
    );
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const out: UpliftPoint[] = [{ targeted: 0, uplift: 0 }];
  let uplift = 0;
  order.forEach((i, k) => {
    uplift += expectedRewards[3 * i + action] - expectedRewards[3 * i];
    out.push({ targeted: k + 1, uplift });
  });
  return out;
}
