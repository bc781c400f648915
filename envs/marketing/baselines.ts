import { InvalidConfigError, describeValue, type Rng } from '../../src/index';

/** Names of the fixed baseline policies. */
export const MARKETING_BASELINES = [
  'random',
  'mailNobody',
  'mailEveryone',
  'rfm',
  'oracle',
] as const;

/** One of {@link MARKETING_BASELINES}. */
export type MarketingBaseline = (typeof MARKETING_BASELINES)[number];

/** What a baseline sees of one customer (row `row` of a feature matrix). */
export interface BaselineInput {
  /** Scaled features, 13 per customer (see CUSTOMER_FEATURES). */
  features: ArrayLike<number>;
  /** Row index of the customer (offset `13 * row` into `features`). */
  row: number;
  /** Action mask, 3 per customer. */
  mask: ArrayLike<number | boolean>;
  /** Ground-truth expected rewards, 3 per customer; only the oracle reads them. */
  expectedRewards?: ArrayLike<number>;
  /** Draws the random baseline's choices. */
  rng: Rng;
}

// Feature offsets within a row, matching CUSTOMER_FEATURES.
const RECENCY = 7;
const FREQUENCY = 8;
const ORDER_VALUE = 9;

/**
 * The recency-frequency-monetary rule of direct marketing (Hughes, "Strategic Database
 * Marketing", 1994): one point each for a purchase in the last 13 weeks, more than two
 * purchases a year, and an average order above 60; mail (plain e-mail) customers scoring at
 * least 2. It targets good customers, many of whom would buy anyway, which is exactly the
 * weakness uplift modelling addresses.
 */
function rfmAction(input: BaselineInput): number {
  const o = 13 * input.row;
  const f = input.features;
  const score =
    (f[o + RECENCY] * 52 <= 13 ? 1 : 0) +
    (f[o + FREQUENCY] * 10 > 2 ? 1 : 0) +
    (f[o + ORDER_VALUE] * 200 > 60 ? 1 : 0);
  return score >= 2 && input.mask[3 * input.row + 1] ? 1 : 0;
}

/** The best legal action by the simulator's exact expected reward; ties go to fewer e-mails. */
function oracleAction(input: BaselineInput): number {
  const q = input.expectedRewards;
  if (q === undefined) {
    throw new InvalidConfigError(
      'the oracle baseline needs the ground-truth expected rewards; pass expectedRewards ' +
        '(info.expectedRewards of the customer view, or expectedRewardMatrix() of the population).',
    );
  }
  const o = 3 * input.row;
  let best = 0;
  for (let a = 1; a < 3; a++) {
    if (input.mask[o + a] && q[o + a] > q[o + best]) best = a;
  }
  return best;
}

function randomAction(input: BaselineInput): number {
  const o = 3 * input.row;
  const legal = input.mask[o + 1] ? 3 : 1;
  return input.rng.int(legal);
}

/**
 * The action a fixed baseline policy takes for one customer. `random` draws uniformly among
 * legal actions; `mailNobody` never mails; `mailEveryone` sends a plain e-mail to every
 * subscribed customer; `rfm` is the RFM rule; `oracle` takes the action of highest exact
 * expected reward (a myopic uplift oracle: it ignores the effect of today's e-mail on fatigue
 * and unsubscribes, so a far-sighted policy can in principle beat it).
 *
 * @throws InvalidConfigError for an unknown baseline name, or the oracle without ground truth.
 * @example
 * ```ts
 * const a = baselineAction('rfm', { features: observation, row: 0, mask: info.actionMask, rng });
 * ```
 */
export function baselineAction(name: MarketingBaseline, input: BaselineInput): number {
  switch (name) {
    case 'random':
      return randomAction(input);
    case 'mailNobody':
      return 0;
    case 'mailEveryone':
      return input.mask[3 * input.row + 1] ? 1 : 0;
    case 'rfm':
      return rfmAction(input);
    case 'oracle':
      return oracleAction(input);
    default:
      throw new InvalidConfigError(
        `baseline must be one of ${MARKETING_BASELINES.join(', ')}; received ` +
          `${describeValue(name)}. Fix the name.`,
      );
  }
}

/** Number of states of {@link discretizeCustomer} (4 x 3 x 3 x 3 x 2 = 216). */
export const DISCRETE_CUSTOMER_STATES = 216;

function bin(value: number, edges: number[]): number {
  let k = 0;
  while (k < edges.length && value >= edges[k]) k++;
  return k;
}

/**
 * Maps one customer's scaled features to a state index for tabular agents: engagement (edges
 * 0.2, 0.35, 0.5), purchases per year (edges 1 and 4), income band, recent e-mails (edges 0.5
 * and 2) and unsubscribed, the features that decide who should be mailed.
 *
 * @param features - scaled features (13 per customer).
 * @param row - customer row in `features`. @defaultValue 0
 * @returns an index in `0 .. DISCRETE_CUSTOMER_STATES - 1`.
 */
export function discretizeCustomer(features: ArrayLike<number>, row = 0): number {
  const o = 13 * row;
  const engagement = bin(features[o + 11], [0.2, 0.35, 0.5]);
  const frequency = bin(features[o + FREQUENCY] * 10, [1, 4]);
  const income = Math.round(features[o + 5] * 2);
  const fatigue = bin(features[o + 10] * 5, [0.5, 2]);
  const unsubscribed = features[o + 12] > 0 ? 1 : 0;
  return (((engagement * 3 + frequency) * 3 + income) * 3 + fatigue) * 2 + unsubscribed;
}
