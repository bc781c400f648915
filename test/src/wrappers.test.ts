import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  OrderEnforcing,
  RecordEpisodeStatistics,
  ResetNeededError,
  TimeLimit,
  TransformReward,
  findWrapper,
  type EpisodeStatistics,
} from '../../src/index';
import { CounterEnv } from '../helpers/counter-env';

describe('TimeLimit', () => {
  // PITFALLS P1 (openai/gym #3102): Gymnasium's rule, truncated = elapsed >= max whatever
  // terminated says; learners bootstrap only when terminated is false.
  it('reports terminated and truncated both true when the env terminates on the last allowed step', () => {
    const env = new TimeLimit(new CounterEnv({ terminateAt: 3 }), 3);
    env.reset({ seed: 0 });

    const first = env.step(0);
    const second = env.step(0);
    const third = env.step(0);

    expect([first.terminated, first.truncated]).toEqual([false, false]);
    expect([second.terminated, second.truncated]).toEqual([false, false]);
    expect([third.terminated, third.truncated]).toEqual([true, true]);
  });

  // PITFALLS P2 (Gymnasium #885): the counter must restart on every reset.
  it('restarts its counter at 0 on reset, so only the 3rd step after the reset truncates', () => {
    const env = new TimeLimit(new CounterEnv(), 3);
    env.reset();
    env.step(0);

    env.reset();
    const counterAfterReset = env.elapsedSteps;
    const flags = [env.step(0), env.step(0), env.step(0)].map((r) => r.truncated);

    expect(counterAfterReset).toBe(0);
    expect(flags).toEqual([false, false, true]);
  });

  it('rejects a limit that is not a positive integer, naming the value', () => {
    expect(() => new TimeLimit(new CounterEnv(), 0)).toThrow(InvalidConfigError);
    expect(() => new TimeLimit(new CounterEnv(), 2.5)).toThrow(
      'maxEpisodeSteps must be a positive integer; received 2.5.',
    );
  });
});

describe('OrderEnforcing', () => {
  it('throws ResetNeededError telling to call reset when step comes before reset', () => {
    const env = new OrderEnforcing(new CounterEnv());

    const step = () => env.step(0);

    expect(step).toThrow(ResetNeededError);
    expect(step).toThrow(
      'step() called but reset() has not been called yet. Call env.reset() to start a new episode first.',
    );
  });

  it('throws ResetNeededError after the episode ended until the next reset', () => {
    const env = new OrderEnforcing(new TimeLimit(new CounterEnv(), 2));
    env.reset({ seed: 1 });
    env.step(0);
    env.step(0);

    const step = () => env.step(0);

    expect(step).toThrow(
      'step() called but the episode has ended (terminated or truncated was true). Call env.reset() to start a new episode first.',
    );
    env.reset();
    expect(env.step(0).observation).toBe(1);
  });
});

describe('RecordEpisodeStatistics', () => {
  it('adds the return and length to info on the last step only', () => {
    const env = new RecordEpisodeStatistics(new CounterEnv({ terminateAt: 3, reward: 2 }));
    env.reset({ seed: 0 });

    const infos = [env.step(0), env.step(1), env.step(0)].map((r) => r.info);

    expect(infos[0].episode).toBeUndefined();
    expect(infos[1].episode).toBeUndefined();
    const episode = infos[2].episode as EpisodeStatistics;
    expect([episode.return, episode.length]).toEqual([6, 3]);
    expect(episode.timeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('counts episodes cut by a time limit and keeps only the last bufferLength of them', () => {
    const counter = new CounterEnv();
    const env = new RecordEpisodeStatistics(new TimeLimit(counter, 3), 2);

    for (const terminateAt of [1, 2, 4]) {
      counter.options.terminateAt = terminateAt;
      env.reset();
      for (let ended = false; !ended;) {
        const result = env.step(0);
        ended = result.terminated || result.truncated;
      }
    }

    expect(env.lengthQueue).toEqual([2, 3]);
    expect(env.returnQueue).toEqual([2, 3]);
  });
});

describe('TransformReward', () => {
  it('changes the reward and nothing else', () => {
    const env = new TransformReward(new CounterEnv(), (r) => -10 * r);
    env.reset();

    const result = env.step(0);

    expect(result).toMatchObject({ observation: 1, reward: -10, terminated: false });
  });
});

describe('findWrapper', () => {
  it('finds a wrapper anywhere in the chain, or returns undefined', () => {
    const limit = new TimeLimit(new CounterEnv(), 5);
    const env = new OrderEnforcing(limit);

    expect(findWrapper(env, TimeLimit)).toBe(limit);
    expect(findWrapper(env, RecordEpisodeStatistics)).toBeUndefined();
    expect(env.unwrapped).toBeInstanceOf(CounterEnv);
  });
});
