// Demo parts that write run folders for the CartPole and marketing families, so that the
// viewer has a recorded episode of every env family after `npm start`.
import * as path from 'node:path';
import { RecordEpisode, Rng, RunWriter, evaluate, make, train, type Env } from '../index';
import { NUM_CUSTOMER_FEATURES, baselineAction } from '../../envs/index';
import { LinearSoftmaxPolicy, ReinforceAgent } from '../../agents/index';

/** Linear REINFORCE on CartPole-v1 (the setting of the policy-gradient learning test). */
export function cartPoleDemo(runsDir: string): void {
  const t0 = performance.now();
  const agent = new ReinforceAgent({
    policy: new LinearSoftmaxPolicy(4, 2),
    learningRate: 0.02,
    batchEpisodes: 4,
    rng: new Rng(0).spawn('agent'),
  });
  const run = new RunWriter(path.join(runsDir, 'demo-CartPole-v1-REINFORCE-linear'));
  const result = train({
    env: make('CartPole-v1'),
    agent,
    seed: 0,
    totalEpisodes: 1000,
    run,
    logEveryEpisodes: 10,
    recordEveryEpisodes: 250,
    checkpointAtEnd: true,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const evalEnv = make<Float32Array, number>('CartPole-v1');
  const greedy = evaluate(evalEnv, agent, { episodes: 100, seed: 1000, run, recordIndex: 1000 });
  run.close();
  console.log(
    `\nCartPole-v1, linear-softmax REINFORCE: ${result.steps.toLocaleString('en-US')} steps ` +
      `(${result.episodes} episodes) in ${trainSeconds.toFixed(1)} s; greedy mean return ` +
      `${greedy.meanReturn.toFixed(1)} over 100 evaluation episodes (solved at 475)`,
  );
}

/** A REINFORCE run on one customer, and one recorded campaign week by week on a population. */
export function marketingRuns(runsDir: string): void {
  const agent = new ReinforceAgent({
    policy: new LinearSoftmaxPolicy(NUM_CUSTOMER_FEATURES, 3),
    learningRate: 0.02,
    gamma: 0,
    batchEpisodes: 10,
    baseline: 'value',
    rng: new Rng(0).spawn('agent'),
  });
  const run = new RunWriter(path.join(runsDir, 'demo-MarketingCustomer-v0-REINFORCE-linear'));
  train({
    env: make('MarketingCustomer-v0'),
    agent,
    seed: 0,
    totalEpisodes: 2000,
    run,
    logEveryEpisodes: 20,
    recordEveryEpisodes: 500,
    checkpointAtEnd: true,
  });
  run.close();
  recordPopulationCampaign(runsDir);
}

/** Plays the RFM rule on a 100-customer population for 52 weeks and records it. */
function recordPopulationCampaign(runsDir: string): void {
  const dir = path.join(runsDir, 'demo-MarketingPopulation-v0-rfm');
  const run = new RunWriter(dir, { envId: 'MarketingPopulation-v0', seed: 0, family: 'marketing' });
  const record = (e: Env<unknown, unknown>) =>
    new RecordEpisode(e, { dir: path.join(dir, 'episodes') });
  const env = make<Float32Array, Int32Array>('MarketingPopulation-v0', {}, { wrappers: [record] });
  const rng = new Rng(0).spawn('rfm');
  let { observation, info } = env.reset({ seed: 0 });
  let profit = 0;
  for (let week = 1; ; week++) {
    const n = observation.length / NUM_CUSTOMER_FEATURES;
    const mask = info.actionMask as Uint8Array;
    const action = Int32Array.from({ length: n }, (_, row) =>
      baselineAction('rfm', { features: observation, row, mask, rng }),
    );
    const r = env.step(action);
    profit += r.reward;
    run.logMetrics({ step: week, time: 0, 'marketing/weekly_profit': r.reward });
    ({ observation, info } = r);
    if (r.terminated || r.truncated) break;
  }
  env.close();
  run.close();
  console.log(`Recorded a 52-week RFM campaign on 100 customers: profit ${profit.toFixed(0)}`);
}
