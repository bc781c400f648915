// Issue #3 throughput cases, run as `tsx bench/marketing-cases.ts <case> <n>` by
// bench/marketing.ts; each prints one JSON line (see harness.ts).
import { Rng, make, makeVec, train, type Env } from '../src/index';
import '../envs/index';
import { CartPoleEnv, MarketingPopulationEnv, cartPoleStep } from '../envs/index';
import { LinearSoftmaxPolicy, ReinforceAgent } from '../agents/index';
import {
  NetworkReinforceAgent,
  trainOnVectorEnv,
  useCpuBackend,
} from '../agents/policy-gradient/network';
import { rate, report } from './harness';

/** The floor: the CartPole kernel on one Float64Array, random actions, inline resets. */
function cartPoleFloor(steps: number): void {
  const rng = new Rng(0);
  const state = new Float64Array(4);
  let total = 0;
  const perSecond = rate(steps, () => {
    for (let i = 0; i < steps; i++) {
      total++;
      if (cartPoleStep(state, rng.random() < 0.5 ? 0 : 1)) {
        for (let k = 0; k < 4; k++) state[k] = rng.uniform(-0.05, 0.05);
      }
    }
  });
  report('CartPole typed-array floor', perSecond, { check: total });
}

function cartPoleEnv(steps: number, viaMake: boolean): void {
  const env = (viaMake ? make('CartPole-v1') : new CartPoleEnv()) as Env<Float32Array, number>;
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  const perSecond = rate(steps, () => {
    for (let i = 0; i < steps; i++) {
      const r = env.step(rng.random() < 0.5 ? 0 : 1);
      if (r.terminated || r.truncated) env.reset();
    }
  });
  report(viaMake ? 'CartPole make()' : 'CartPole bare env', perSecond);
}

/** Customer-weeks per second, and heap after 10% and 100% of the weeks (flat = no leak). */
function population(customers: number, weeks: number): void {
  const env = new MarketingPopulationEnv({ customers });
  env.reset({ seed: 0 });
  const actions = new Int32Array(customers);
  for (let i = 0; i < customers; i += 3) actions[i] = 1 + (i % 2);
  const mib = () => process.memoryUsage().heapUsed / 2 ** 20;
  let heapAt10pc = 0;
  const perSecond = rate(customers * weeks, () => {
    for (let w = 0; w < weeks; w++) {
      const r = env.step(actions);
      const mask = r.info.actionMask as Uint8Array;
      for (let i = 0; i < customers; i++) if (!mask[3 * i + 1]) actions[i] = 0;
      if (w === Math.floor(weeks / 10)) heapAt10pc = mib();
    }
  });
  report(`population ${customers} customers`, perSecond, {
    heapAt10pcMiB: heapAt10pc.toFixed(1),
    heapAtEndMiB: mib().toFixed(1),
  });
}

/** REINFORCE with the linear policy on CartPole, in a hand loop and through train(). */
function pgLinear(steps: number, viaTrain: boolean): void {
  const env = make<Float32Array, number>('CartPole-v1');
  const agent = new ReinforceAgent({
    policy: new LinearSoftmaxPolicy(4, 2),
    learningRate: 0.02,
    batchEpisodes: 4,
    rng: new Rng(0),
  });
  if (viaTrain) {
    const result = train({ env, agent, seed: 0, totalSteps: steps });
    report('REINFORCE linear via train()', result.stepsPerSecond, {
      meanReturn: result.meanReturn,
    });
    return;
  }
  const perSecond = rate(steps, () => handLoop(env, agent, steps));
  report('REINFORCE linear, hand loop', perSecond);
}

function handLoop(
  env: Env<Float32Array, number>,
  agent: ReinforceAgent<ArrayLike<number>>,
  steps: number,
) {
  let { observation, info } = env.reset({ seed: 0 });
  for (let i = 0; i < steps; i++) {
    const { action } = agent.act(observation, info, true);
    const r = env.step(action);
    agent.learn({
      observation,
      info,
      action,
      reward: r.reward,
      nextObservation: r.observation,
      nextInfo: r.info,
      terminated: r.terminated,
      truncated: r.truncated,
    });
    ({ observation, info } = r.terminated || r.truncated ? env.reset() : r);
  }
}

async function pgNetwork(episodes: number): Promise<void> {
  await useCpuBackend();
  const vec = makeVec<Float32Array, number>('CartPole-v1', 8, {}, { autoresetMode: 'same-step' });
  const agent = new NetworkReinforceAgent({ inputSize: 4, nActions: 2, seed: 0 });
  const r = trainOnVectorEnv(vec, agent, { episodes, seed: 0 });
  const last = r.returns.slice(-100);
  report('REINFORCE network (32 tanh), 8 envs', r.steps / r.elapsedSeconds, {
    meanReturnLast100: (last.reduce((a, b) => a + b, 0) / last.length).toFixed(1),
    seconds: r.elapsedSeconds.toFixed(1),
  });
}

const [kind, n, m] = process.argv.slice(2);
const count = Number(n);
if (kind === 'cartpole-floor') cartPoleFloor(count);
else if (kind === 'cartpole-bare') cartPoleEnv(count, false);
else if (kind === 'cartpole-make') cartPoleEnv(count, true);
else if (kind === 'population') population(count, Number(m));
else if (kind === 'pg-linear') pgLinear(count, false);
else if (kind === 'pg-linear-train') pgLinear(count, true);
else if (kind === 'pg-network') await pgNetwork(count);
else throw new Error(`unknown case ${kind}`);
