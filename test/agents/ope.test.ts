import { describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng, make, type Episode, type EpisodeStep } from '../../src/index';
import '../../envs/index';
import {
  LinearEpsilonGreedyAgent,
  decisionsFromEpisodes,
  offPolicyEvaluate,
  type LoggedDecision,
  type TargetPolicy,
} from '../../agents/index';

/** Logs `episodes` customer episodes with a contextual epsilon-greedy agent (eps = 0.3). */
function logRun(episodes: number, seed: number): Episode[] {
  const env = make<Float32Array, number>('MarketingCustomer-v0');
  const agent = new LinearEpsilonGreedyAgent({
    inputSize: 13,
    nActions: 3,
    epsilon: 0.3,
    rng: new Rng(seed),
  });
  const out: Episode[] = [];
  for (let e = 0; e < episodes; e++) {
    let { observation, info } = env.reset({ seed: seed * 100_000 + e });
    const header = { observation: Array.from(observation), info } as unknown as Episode['header'];
    const steps: EpisodeStep[] = [];
    for (let t = 0; ; t++) {
      const { action, actionProb } = agent.act(observation, info, true);
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
      steps.push({
        kind: 'step',
        t,
        action,
        observation: Array.from(r.observation),
        reward: r.reward,
        terminated: r.terminated,
        truncated: r.truncated,
        info: r.info,
        actionProb,
        frame: null,
      });
      observation = r.observation;
      info = r.info;
      if (r.terminated || r.truncated) break;
    }
    out.push({ header, steps, footer: { kind: 'end', length: steps.length, episodeReturn: 0 } });
  }
  return out;
}

const oracle: TargetPolicy = (_x, info) => {
  const q = info.expectedRewards as number[];
  const mask = info.actionMask as number[];
  let best = 0;
  for (let a = 1; a < 3; a++) if (mask[a] && q[a] > q[best]) best = a;
  return [0, 1, 2].map((a) => (a === best ? 1 : 0));
};

const mailEveryone: TargetPolicy = (_x, info) =>
  (info.actionMask as number[])[1] ? [0, 1, 0] : [1, 0, 0];

function trueValue(decisions: LoggedDecision[], target: TargetPolicy): number {
  let sum = 0;
  for (const d of decisions) {
    const pmf = target(d.context, d.info);
    const q = d.info.expectedRewards as number[];
    for (let a = 0; a < 3; a++) sum += pmf[a] * q[a];
  }
  return sum / decisions.length;
}

describe('LinearEpsilonGreedyAgent pmf (PITFALLS P14)', () => {
  it('logs a valid epsilon-greedy pmf that learning never changes afterwards', () => {
    const agent = new LinearEpsilonGreedyAgent({
      inputSize: 1,
      nActions: 4,
      epsilon: 0.4,
      rng: new Rng(0),
    });
    agent.learn({
      observation: [1],
      info: {},
      action: 2,
      reward: 1,
      nextObservation: [1],
      nextInfo: {},
      terminated: false,
      truncated: false,
    });
    const pmf = agent.actionProbs([1]);
    const copy = Array.from(pmf);

    const { action, actionProb } = agent.act([1], {}, true);
    agent.learn({
      observation: [1],
      info: {},
      action: 0,
      reward: 50,
      nextObservation: [1],
      nextInfo: {},
      terminated: false,
      truncated: false,
    });

    copy.forEach((p, a) => expect(pmf[a]).toBeCloseTo([0.1, 0.1, 0.7, 0.1][a], 12));
    expect(Array.from(pmf)).toEqual(copy);
    expect(Math.abs(copy.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-9);
    expect(actionProb).toBe(copy[action]);
  });

  it('gives masked actions probability 0', () => {
    const agent = new LinearEpsilonGreedyAgent({
      inputSize: 1,
      nActions: 3,
      epsilon: 0.3,
      rng: new Rng(0),
    });

    const pmf = agent.actionProbs([0.5], { actionMask: [1, 0, 0] });

    expect(Array.from(pmf)).toEqual([1, 0, 0]);
  });
});

describe('offPolicyEvaluate', () => {
  const decisions = decisionsFromEpisodes(logRun(300, 1));

  it('covers the true value of the oracle and mail-everyone policies with 95% intervals', () => {
    for (const target of [oracle, mailEveryone]) {
      const truth = trueValue(decisions, target);

      const result = offPolicyEvaluate(decisions, target, {
        nActions: 3,
        bootstrapSamples: 300,
        rng: new Rng(7),
      });

      for (const key of ['ips', 'snips', 'dm', 'dr'] as const) {
        expect(result[key].lower, key).toBeLessThanOrEqual(truth);
        expect(result[key].upper, key).toBeGreaterThanOrEqual(truth);
        expect(result[key].upper - result[key].lower, key).toBeLessThan(1);
      }
    }
  });

  it('rejects a target pmf that does not sum to 1', () => {
    const bad: TargetPolicy = () => [0.5, 0.6, 0];

    expect(() => offPolicyEvaluate(decisions, bad, { nActions: 3 })).toThrow(InvalidConfigError);
  });
});
