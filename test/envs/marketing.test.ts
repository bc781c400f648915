import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  InvalidConfigError,
  NormalizeReward,
  Rng,
  TransformReward,
  make,
  type Env,
} from '../../src/index';
import {
  CustomerPopulation,
  MarketingCustomerEnv,
  MarketingPopulationEnv,
  NUM_CUSTOMER_FEATURES,
  baselineAction,
  decisionValue,
  upliftCurve,
  resolveMarketingParams,
  type MarketingBaseline,
} from '../../envs/index';

/** Total profit of a baseline over `weeks` weeks of a population (same seed = same customers). */
function campaignProfit(name: MarketingBaseline, customers: number, weeks: number): number {
  const env = new MarketingPopulationEnv({ customers });
  let { observation, info } = env.reset({ seed: 2024 });
  const rng = new Rng(9);
  const actions = new Int32Array(customers);
  let profit = 0;
  for (let w = 0; w < weeks; w++) {
    const expectedRewards = env.expectedRewardMatrix();
    const mask = info.actionMask as Uint8Array;
    for (let i = 0; i < customers; i++) {
      actions[i] = baselineAction(name, {
        features: observation,
        row: i,
        mask,
        expectedRewards,
        rng,
      });
    }
    const r = env.step(actions);
    profit += r.reward;
    ({ observation, info } = r);
  }
  return profit;
}

describe('marketing calibration', () => {
  const profits = Object.fromEntries(
    (['mailNobody', 'mailEveryone', 'rfm', 'random', 'oracle'] as const).map((name) => [
      name,
      campaignProfit(name, 2000, 52),
    ]),
  );

  it('makes mailing everyone clearly worse than mailing the right customers', () => {
    expect(profits.mailEveryone).toBeLessThan(0.9 * profits.oracle);
  });

  it('makes mailing nobody forgo real sales', () => {
    expect(profits.mailNobody).toBeLessThan(0.85 * profits.oracle);
  });

  it('ranks the oracle above every other baseline', () => {
    for (const name of ['mailNobody', 'mailEveryone', 'rfm', 'random']) {
      expect(profits.oracle, name).toBeGreaterThan(profits[name]);
    }
  });
});

describe('CustomerPopulation ground truth', () => {
  it('reports expected rewards that match the simulated mean reward of every action', () => {
    const params = resolveMarketingParams();
    const n = 40_000;
    const population = new CustomerPopulation(n, params);
    for (let i = 0; i < n; i++) population.drawCustomer(i, new Rng(77));
    const expected = [0, 0, 0];
    population.expectedRewards(0, expected);
    const rng = new Rng(5);

    for (let a = 0; a < 3; a++) {
      const copy = new CustomerPopulation(n, params);
      for (let i = 0; i < n; i++) copy.drawCustomer(i, new Rng(77));
      const rewards = new Float64Array(n);
      copy.step(new Int32Array(n).fill(a), rng, rewards);
      const mean = rewards.reduce((s, r) => s + r, 0) / n;
      const sd = Math.sqrt(rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1));

      expect(Math.abs(mean - expected[a]), `action ${a}`).toBeLessThan(4 * (sd / Math.sqrt(n)));
    }
  });

  it('draws exactly four uniforms per customer-week whatever the action', () => {
    const population = new CustomerPopulation(3, resolveMarketingParams());
    population.drawAll(new Rng(1));
    const a = new Rng(2);
    const b = new Rng(2);

    population.step(Int32Array.of(0, 1, 2), a, undefined);
    for (let k = 0; k < 12; k++) b.random();

    expect(a.random()).toBe(b.random());
  });
});

describe('MarketingCustomerEnv', () => {
  it('observes 13 scaled features and masks e-mail actions once the customer unsubscribes', () => {
    const env = new MarketingCustomerEnv({ unsubscribeBase: 1 });
    const { observation, info } = env.reset({ seed: 3 });

    const r = env.step(1);

    expect(observation.length).toBe(NUM_CUSTOMER_FEATURES);
    expect(env.observationSpace.contains(observation)).toBe(true);
    expect(info.actionMask).toEqual([1, 1, 1]);
    expect(r.info.actionMask).toEqual([1, 0, 0]);
    expect(r.observation[12]).toBe(1);
    expect(() => env.step(2)).toThrow(InvalidActionError);
    expect(() => env.step(2)).toThrow(/unsubscribed/);
    expect(env.step(0).terminated).toBe(false);
  });

  it('gives the same customer and luck to two policies from the same seed (common random numbers)', () => {
    const a = new MarketingCustomerEnv();
    const b = new MarketingCustomerEnv();

    const first = a.reset({ seed: 11 }).observation;
    const second = b.reset({ seed: 11 }).observation;
    a.step(0);
    b.step(1);

    expect(Array.from(second)).toEqual(Array.from(first));
    expect(a.getRngState()).toEqual(b.getRngState());
  });

  it('renders a marketing frame with the expected rewards', () => {
    const env = new MarketingCustomerEnv();
    env.reset({ seed: 1 });
    env.step(1);

    const frame = env.render();

    expect(frame).toMatchObject({ family: 'marketing', view: 'customer', week: 1, lastAction: 1 });
    expect(frame.expectedRewards).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(frame))).toEqual(frame);
  });

  it('rejects unknown options, NaN parameters and bad actions with typed errors', () => {
    const env = new MarketingCustomerEnv();
    env.reset({ seed: 0 });

    expect(() => new MarketingCustomerEnv({ emailCosts: 1 } as never)).toThrow(
      /unknown option "emailCosts"/,
    );
    expect(() => new MarketingCustomerEnv({ margin: NaN })).toThrow(/margin must be a finite/);
    expect(() => new MarketingCustomerEnv({ openProb: [0.1, 0.2] as never })).toThrow(
      /openProb must be an array of 4/,
    );
    expect(() => env.step(3)).toThrow(InvalidActionError);
    expect(() => env.step(0.5)).toThrow(InvalidActionError);
  });

  it('restarts the reward-normalisation accumulator after a truncation (PITFALLS P15)', () => {
    const base = make('MarketingCustomer-v0', {}, { maxEpisodeSteps: 2 }) as Env<unknown, number>;
    const env = new NormalizeReward(new TransformReward(base, () => 1), { gamma: 0.99 });
    const seen: number[] = [];

    env.reset({ seed: 0 });
    env.step(0);
    seen.push(env.discountedReturn);
    env.step(0);
    seen.push(env.discountedReturn);
    env.reset();
    env.step(0);
    seen.push(env.discountedReturn);

    expect(seen[0]).toBe(1);
    expect(seen[1]).toBeCloseTo(1.99, 12);
    expect(seen[2]).toBe(1);
  });
});

describe('MarketingPopulationEnv', () => {
  it('steps a feature matrix with one action per customer and splits the reward by customer', () => {
    const env = new MarketingPopulationEnv({ customers: 50 });
    const { observation, info } = env.reset({ seed: 1 });

    const r = env.step(new Int32Array(50).fill(1));

    expect(observation.length).toBe(50 * NUM_CUSTOMER_FEATURES);
    expect((info.actionMask as Uint8Array).length).toBe(150);
    const split = (r.info.customerRewards as Float64Array).reduce((s, x) => s + x, 0);
    expect(split).toBeCloseTo(r.reward, 9);
    expect(r.info.weekTotals).toMatchObject({ emails: 50 });
  });

  it('throws when the weekly e-mail budget is exceeded and leaves the state unchanged', () => {
    const env = new MarketingPopulationEnv({ customers: 10, emailBudget: 3 });
    env.reset({ seed: 1 });
    const before = env.getRngState();

    expect(() => env.step(new Int32Array(10).fill(1))).toThrow(/budget exceeded: .* 10 e-mails/);
    expect(env.getRngState()).toEqual(before);
    expect(env.step(Int32Array.of(1, 2, 1, 0, 0, 0, 0, 0, 0, 0)).info.weekTotals).toMatchObject({
      emails: 3,
      coupons: 1,
    });
  });

  it('rejects a population of 0, an unknown option and an e-mail to an unsubscribed customer', () => {
    const env = new MarketingPopulationEnv({ customers: 2, unsubscribeBase: 1 });
    env.reset({ seed: 0 });
    env.step(Int32Array.of(1, 0));

    expect(() => new MarketingPopulationEnv({ customers: 0 })).toThrow(InvalidConfigError);
    expect(() => new MarketingPopulationEnv({ customers: 0 })).toThrow(
      /customers must be a positive/,
    );
    expect(() => new MarketingPopulationEnv({ customer: 5 } as never)).toThrow(/unknown option/);
    expect(() => env.step(Int32Array.of(1, 0))).toThrow(/customer 0 has unsubscribed/);
  });

  it('keeps memory flat over the weeks', () => {
    const env = new MarketingPopulationEnv({ customers: 20_000, customerRewards: false });
    env.reset({ seed: 0 });
    const actions = new Int32Array(20_000);
    for (let w = 0; w < 5; w++) env.step(actions);
    globalThis.gc?.();
    const early = process.memoryUsage().heapUsed;

    for (let w = 0; w < 40; w++) env.step(actions);
    globalThis.gc?.();
    const late = process.memoryUsage().heapUsed;

    // Without gc exposed, garbage may linger; a leak of per-week history would add > 40 MB here.
    expect(late - early).toBeLessThan(40e6);
  });
});

describe('marketing ground truth helpers', () => {
  const q = Float64Array.of(1, 3, 2, 5, 4, 6, 2, 1, 0);

  it('computes exact expected profit, regret, uplift and ROI of a decision', () => {
    const value = decisionValue(
      Int32Array.of(1, 0, 0),
      q,
      Uint8Array.of(1, 1, 1, 1, 1, 0, 1, 1, 1),
      0.5,
    );

    expect(value).toEqual({
      expectedProfit: 10,
      oracleProfit: 10,
      regret: 0,
      uplift: 2,
      emails: 1,
      roi: 4,
    });
  });

  it('accumulates the exact uplift of the best-scored customers first', () => {
    const curve = upliftCurve([0.2, 0.9, 0.5], q, 1);

    expect(curve.map((p) => p.uplift)).toEqual([0, -1, -2, 0]);
  });
});
