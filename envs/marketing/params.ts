import { InvalidConfigError, describeValue, rejectUnknownOptions } from '../../src/index';

/**
 * Hidden response types, the four classic uplift groups (Radcliffe and Surry, "Real-world
 * uplift modelling with significance-based uplift trees", 2011): index 0 sure thing (buys
 * anyway), 1 persuadable (buys mainly when mailed), 2 lost cause (never buys), 3 sleeping dog
 * (put off by e-mails).
 */
export const RESPONSE_TYPES = ['sureThing', 'persuadable', 'lostCause', 'sleepingDog'] as const;

/** One of {@link RESPONSE_TYPES}. */
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** Four numbers, one per response type, in the order of {@link RESPONSE_TYPES}. */
export type PerType = [number, number, number, number];

/** Three numbers, one per income band (0 low, 1 middle, 2 high). */
export type PerIncome = [number, number, number];

/**
 * Parameters of the customer simulator. Every field is optional in the env options; the
 * defaults ({@link DEFAULT_MARKETING_PARAMS}) are calibrated so that, over a 52-week campaign,
 * mailing everyone earns clearly less than mailing the right customers, and mailing nobody
 * forgoes real sales (see the marketing tests for the measured figures).
 */
export interface MarketingParams {
  /** Gross margin as a fraction of the order value, in (0, 1]. @defaultValue 0.35 */
  margin: number;
  /** Cost of sending one e-mail (with or without coupon), in currency units. @defaultValue 0.15 */
  emailCost: number;
  /**
   * Coupon discount as a fraction of the order value, paid only on a purchase. @defaultValue 0.2
   */
  couponDiscount: number;
  /**
   * Weekly purchase probability without e-mail, per type. @defaultValue [0.15, 0.02, 0.004, 0.1]
   */
  baseBuyProb: PerType;
  /** Added purchase probability of an e-mail, per type. @defaultValue [0, 0.09, 0.002, -0.06] */
  emailLift: PerType;
  /**
   * Added purchase probability of a coupon e-mail, per type. @defaultValue [0.02, 0.13, 0.003,
   * -0.05]
   */
  couponLift: PerType;
  /** Persuadables' e-mail lift multiplier per income band. @defaultValue [0.35, 0.8, 1.1] */
  emailLiftByIncome: PerIncome;
  /** Persuadables' coupon lift multiplier per income band. @defaultValue [1.3, 1, 0.8] */
  couponLiftByIncome: PerIncome;
  /** Mean order value per income band. @defaultValue [40, 70, 110] */
  orderValueByIncome: PerIncome;
  /** Positive lifts shrink by exp(-fatigueRate * recentEmails). @defaultValue 0.25 */
  fatigueRate: number;
  /** Weekly decay of the recent-e-mail count, in [0, 1). @defaultValue 0.7 */
  emailMemory: number;
  /** Purchase probability multiplier 1 + habitBoost * exp(-recencyWeeks / 4). @defaultValue 0.3 */
  habitBoost: number;
  /** Unsubscribe probability per e-mail with no recent e-mails. @defaultValue 0.001 */
  unsubscribeBase: number;
  /** Extra unsubscribe probability per recent e-mail. @defaultValue 0.004 */
  unsubscribeFatigue: number;
  /** Unsubscribe probability multiplier per type. @defaultValue [1, 0.5, 1, 3] */
  unsubscribeByType: PerType;
  /**
   * Probability that a mailed customer opens the e-mail, per type. @defaultValue [0.25, 0.55, 0.05,
   * 0.1]
   */
  openProb: PerType;
}

/** The calibrated defaults of {@link MarketingParams}. */
export const DEFAULT_MARKETING_PARAMS: Readonly<MarketingParams> = Object.freeze({
  margin: 0.35,
  emailCost: 0.15,
  couponDiscount: 0.2,
  baseBuyProb: [0.12, 0.02, 0.004, 0.1] as PerType,
  emailLift: [0, 0.14, 0.002, -0.06] as PerType,
  couponLift: [0.02, 0.2, 0.003, -0.05] as PerType,
  emailLiftByIncome: [0.35, 0.8, 1.1] as PerIncome,
  couponLiftByIncome: [1.3, 1, 0.8] as PerIncome,
  orderValueByIncome: [40, 70, 110] as PerIncome,
  fatigueRate: 0.25,
  emailMemory: 0.7,
  habitBoost: 0.3,
  unsubscribeBase: 0.001,
  unsubscribeFatigue: 0.004,
  unsubscribeByType: [1, 0.5, 1, 3] as PerType,
  openProb: [0.25, 0.55, 0.05, 0.1] as PerType,
});

/** Names of every {@link MarketingParams} field, for unknown-option checks. */
export const MARKETING_PARAM_NAMES = Object.keys(
  DEFAULT_MARKETING_PARAMS,
) as (keyof MarketingParams)[];

const PROBABILITY_PARAMS = ['margin', 'couponDiscount', 'unsubscribeBase', 'unsubscribeFatigue'];
const ARRAY_LENGTH: Partial<Record<keyof MarketingParams, number>> = {
  baseBuyProb: 4,
  emailLift: 4,
  couponLift: 4,
  emailLiftByIncome: 3,
  couponLiftByIncome: 3,
  orderValueByIncome: 3,
  unsubscribeByType: 4,
  openProb: 4,
};

function checkNumber(name: string, value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(
      `${where}: ${name} must be a finite number; received ${describeValue(value)}. ` +
        `Use a number such as ${describeValue((DEFAULT_MARKETING_PARAMS as never)[name])}.`,
    );
  }
  return value;
}

function checkRange(name: string, value: number, lo: number, hi: number, where: string): void {
  if (value < lo || value > hi) {
    throw new InvalidConfigError(
      `${where}: ${name} must lie in [${lo}, ${hi}]; received ${value}. Pick a value in range.`,
    );
  }
}

function checkArray(name: keyof MarketingParams, value: unknown, where: string): number[] {
  const length = ARRAY_LENGTH[name]!;
  if (!Array.isArray(value) || value.length !== length) {
    throw new InvalidConfigError(
      `${where}: ${name} must be an array of ${length} numbers; received ${describeValue(value)}. ` +
        `Default: ${describeValue(DEFAULT_MARKETING_PARAMS[name])}.`,
    );
  }
  return value.map((v, i) => checkNumber(`${name}[${i}]`, v, where));
}

/**
 * Merges `given` over the defaults and validates every field.
 *
 * @param given - a partial set of parameters (unknown names are rejected).
 * @param where - who received them, for error messages.
 * @returns a complete, validated parameter set (a fresh object).
 * @throws InvalidConfigError for an unknown name, a non-finite number, a probability outside
 *   [0, 1], or an array of the wrong length.
 */
export function resolveMarketingParams(
  given: Partial<MarketingParams> = {},
  where = 'marketing options',
): MarketingParams {
  rejectUnknownOptions(given, MARKETING_PARAM_NAMES, where);
  const out = structuredClone({ ...DEFAULT_MARKETING_PARAMS, ...given }) as MarketingParams;
  for (const name of MARKETING_PARAM_NAMES) {
    if (ARRAY_LENGTH[name] !== undefined) checkArray(name, out[name], where);
    else checkNumber(name, out[name], where);
  }
  for (const name of PROBABILITY_PARAMS) checkRange(name, out[name as 'margin'], 0, 1, where);
  checkRange('emailMemory', out.emailMemory, 0, 0.999, where);
  checkRange('emailCost', out.emailCost, 0, Infinity, where);
  checkRange('fatigueRate', out.fatigueRate, 0, Infinity, where);
  checkRange('habitBoost', out.habitBoost, 0, Infinity, where);
  out.baseBuyProb.forEach((p, i) => checkRange(`baseBuyProb[${i}]`, p, 0, 1, where));
  out.openProb.forEach((p, i) => checkRange(`openProb[${i}]`, p, 0, 1, where));
  out.orderValueByIncome.forEach((v, i) =>
    checkRange(`orderValueByIncome[${i}]`, v, 0, 1e9, where),
  );
  return out;
}
