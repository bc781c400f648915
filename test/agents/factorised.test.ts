import { describe, expect, it } from 'vitest';
import { Rng, make, train, type Info } from '../../src/index';
import { decisionValue, type MarketingPopulationEnv } from '../../envs/index';
import { FactorisedReinforceAgent, maskedSoftmax } from '../../agents/index';

type Policy = (observation: Float32Array, info: Info, expected: Float64Array) => Int32Array;

/**
 * Plays one 52-week campaign on a population and sums, week by week, the exact expected profit
 * of the decisions taken (the simulator's ground truth), so no sales noise enters the comparison.
 */
function expectedCampaignProfit(choose: Policy, options: Record<string, number>, seed: number) {
  const env = make<Float32Array, Int32Array>('MarketingPopulation-v0', options);
  const population = env.unwrapped as unknown as MarketingPopulationEnv;
  let { observation, info } = env.reset({ seed });
  let profit = 0;
  for (let done = false; !done;) {
    const expected = population.expectedRewardMatrix();
    const action = choose(observation, info, expected);
    profit += decisionValue(action, expected, info.actionMask as Uint8Array).expectedProfit;
    const r = env.step(action);
    ({ observation, info } = r);
    done = r.terminated || r.truncated;
  }
  return profit;
}

const rowsOf = (observation: Float32Array) => observation.length / 13;
const mailNobody: Policy = (o) => new Int32Array(rowsOf(o));
const mailEveryone: Policy = (o, info) =>
  Int32Array.from({ length: rowsOf(o) }, (_, i) =>
    (info.actionMask as Uint8Array)[3 * i + 1] ? 1 : 0,
  );
const oracle: Policy = (o, info, q) =>
  Int32Array.from({ length: rowsOf(o) }, (_, i) => {
    const mask = info.actionMask as Uint8Array;
    let best = 0;
    for (let a = 1; a < 3; a++) if (mask[3 * i + a] && q[3 * i + a] > q[3 * i + best]) best = a;
    return best;
  });

/** Three customers, a budget of one e-mail a week, and a policy with random weights. */
function threeCustomers() {
  const env = make<Float32Array, Int32Array>('MarketingPopulation-v0', {
    customers: 3,
    emailBudget: 1,
  });
  const { observation, info } = env.reset({ seed: 4 });
  const agent = new FactorisedReinforceAgent({ nFeatures: 13, nActions: 3, rng: new Rng(0) });
  const rng = new Rng(7);
  agent.policy.params.forEach((_, k) => (agent.policy.params[k] = rng.normal(0, 0.7)));
  const rowProbs = (i: number) => {
    const logits = new Float64Array(3);
    const probs = new Float64Array(3);
    agent.policy.logits(observation.subarray(13 * i, 13 * i + 13), logits);
    maskedSoftmax(logits, probs, new Float64Array(3));
    return probs;
  };
  return { observation, info, agent, probs: [0, 1, 2].map(rowProbs) };
}

describe('FactorisedReinforceAgent', () => {
  it('reports the exact probability of every budget-trimmed action vector', () => {
    const { observation, info, agent, probs } = threeCustomers();
    const order = [0, 1, 2].sort((a, b) => probs[a][0] - probs[b][0] || a - b);
    // Brute force: draw every row independently, then keep the e-mail of the top-ranked
    // mailed row (highest 1 - pi(0)), as the budget rule does.
    const exact = new Map<string, number>();
    for (let k = 0; k < 27; k++) {
      const drawn = [k % 3, Math.floor(k / 3) % 3, Math.floor(k / 9)];
      const p = drawn.reduce((acc, a, i) => acc * probs[i][a], 1);
      const kept = order.find((i) => drawn[i] !== 0);
      const executed = drawn.map((a, i) => (i === kept ? a : 0));
      exact.set(executed.join(), (exact.get(executed.join()) ?? 0) + p);
    }

    const reported = [...exact.keys()].map((key) =>
      Math.exp(agent.actionLogProb(observation, info, key.split(',').map(Number))),
    );

    expect(exact.size).toBe(7);
    [...exact.values()].forEach((p, k) => expect(reported[k]).toBeCloseTo(p, 12));
    expect(reported.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(agent.actionLogProb(observation, info, [1, 1, 0])).toBe(-Infinity);
  });

  it('follows the score of that probability, so rows cut by the budget get no credit', () => {
    const { observation, info, agent, probs } = threeCustomers();
    const middle = [0, 1, 2].sort((a, b) => probs[a][0] - probs[b][0] || a - b)[1];
    const action = [0, 0, 0];
    action[middle] = 2; // then the top row must have drawn 0 and the bottom row is free
    const params = agent.policy.params;
    const finiteDifference = Array.from(params, (saved, k) => {
      params[k] = saved + 1e-6;
      const up = agent.actionLogProb(observation, info, action);
      params[k] = saved - 1e-6;
      const down = agent.actionLogProb(observation, info, action);
      params[k] = saved;
      return (up - down) / 2e-6;
    });
    const grad = new Float64Array(params.length);
    const naive = new Float64Array(params.length);

    agent.accumulateScore(observation, info, action, grad);
    agent.accumulateScore(observation, { ...info, emailBudget: undefined }, action, naive);

    finiteDifference.forEach((g, k) => expect(grad[k]).toBeCloseTo(g, 6));
    const gap = Math.max(...naive.map((g, k) => Math.abs(g - grad[k])));
    expect(gap).toBeGreaterThan(0.01);
  });

  it('gives actionProb null and a finite logProb when the joint probability underflows', () => {
    const env = make<Float32Array, Int32Array>('MarketingPopulation-v0', { customers: 1000 });
    const { observation, info } = env.reset({ seed: 0 });
    const agent = new FactorisedReinforceAgent({ nFeatures: 13, nActions: 3, rng: new Rng(0) });

    const result = agent.act(observation, info, true);

    // All-zero weights give every row the uniform policy: log P = 1000 * log(1/3).
    expect(result.actionProb).toBeNull();
    expect(result.logProb).toBeCloseTo(1000 * Math.log(1 / 3), 9);
  });

  it('beats mailing everyone and mailing nobody on a held-out population (50 episodes)', () => {
    const agent = new FactorisedReinforceAgent({
      nFeatures: 13,
      nActions: 3,
      learningRate: 0.05,
      rng: new Rng(0),
    });
    const heldOut = { customers: 1000 };
    const learned: Policy = (o, info) => agent.act(o, info, false).action;

    train({ env: make('MarketingPopulation-v0'), agent, seed: 0, totalEpisodes: 50 });
    const profit = (policy: Policy) => expectedCampaignProfit(policy, heldOut, 777);

    // Measured: learned 89,985; oracle 92,581; everyone 78,168; nobody 72,146.
    expect(profit(learned)).toBeGreaterThan(profit(mailEveryone) + 5000);
    expect(profit(learned)).toBeGreaterThan(profit(mailNobody) + 5000);
    expect(profit(learned)).toBeGreaterThanOrEqual(0.9 * profit(oracle));
  });

  it('beats mailing a random subset under a binding weekly budget (50 episodes)', () => {
    const agent = new FactorisedReinforceAgent({
      nFeatures: 13,
      nActions: 3,
      learningRate: 0.05,
      rng: new Rng(0),
    });
    const heldOut = { customers: 1000, emailBudget: 300 };
    const rng = new Rng(9);
    const mailRandom300: Policy = (o, info) => {
      const mask = info.actionMask as Uint8Array;
      const subscribed = Array.from({ length: rowsOf(o) }, (_, i) => i).filter(
        (i) => mask[3 * i + 1],
      );
      const action = new Int32Array(rowsOf(o));
      rng
        .shuffle(subscribed)
        .slice(0, 300)
        .forEach((i) => (action[i] = 1));
      return action;
    };
    const learned: Policy = (o, info) => agent.act(o, info, false).action;

    const env = make('MarketingPopulation-v0', { emailBudget: 30 });
    train({ env, agent, seed: 0, totalEpisodes: 50 });
    const profit = (policy: Policy) => expectedCampaignProfit(policy, heldOut, 777);

    // Measured: learned 82,970; random 300 a week 77,659; nobody 72,146; top-300 oracle 92,838.
    expect(profit(learned)).toBeGreaterThan(profit(mailRandom300) + 2000);
    expect(profit(learned)).toBeGreaterThan(profit(mailNobody));
  });
});
