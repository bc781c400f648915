import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  InvalidConfigError,
  InvalidSeedError,
  OrderEnforcing,
  ResetNeededError,
  SyncVectorEnv,
  TimeLimit,
  findWrapper,
  makeVec,
  register,
  type AutoresetMode,
  type VectorStepResult,
} from '../../src/index';
import { CounterEnv } from '../helpers/counter-env';

register('VecCounter-v0', (kwargs) => new CounterEnv(kwargs), { maxEpisodeSteps: 3 });

/** Sub-env 0 terminates after 2 steps, sub-env 1 after 3; both behind make's usual wrappers. */
function twoCounters(autoresetMode: AutoresetMode): SyncVectorEnv<number, number> {
  const wrapped = (terminateAt: number) => () =>
    new OrderEnforcing(new TimeLimit(new CounterEnv({ terminateAt }), 100));

  return new SyncVectorEnv([wrapped(2), wrapped(3)], { autoresetMode });
}

function flags(r: VectorStepResult<number>) {
  return {
    observations: r.observations,
    rewards: Array.from(r.rewards),
    terminated: r.terminated,
    truncated: r.truncated,
  };
}

describe('SyncVectorEnv time limits (PITFALLS P2 per sub-env)', () => {
  it('restarts every sub-env counter on reset, so only the 3rd step after it truncates', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 3);
    vec.reset({ seed: 0 });
    vec.step([0, 0, 0]);

    vec.reset();
    const counters = vec.envs.map((e) => findWrapper(e, TimeLimit)!.elapsedSteps);
    const truncated = [1, 2, 3].map(() => vec.step([0, 1, 0]).truncated);

    expect(counters).toEqual([0, 0, 0]);
    expect(truncated).toEqual([
      [false, false, false],
      [false, false, false],
      [true, true, true],
    ]);
  });

  it('restarts a sub-env counter on autoreset, so the next cut comes 3 real steps later', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 2, {}, { autoresetMode: 'next-step' });
    vec.reset({ seed: 0 });

    const truncated = Array.from({ length: 7 }, () => vec.step([0, 0]).truncated[0]);

    expect(truncated).toEqual([false, false, true, false, false, false, true]);
  });

  it('restarts a sub-env counter on a same-step autoreset', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 2, {}, { autoresetMode: 'same-step' });
    vec.reset({ seed: 0 });

    const truncated = Array.from({ length: 6 }, () => vec.step([0, 0]).truncated[1]);

    expect(truncated).toEqual([false, false, true, false, false, true]);
  });
});

describe("SyncVectorEnv autoreset 'next-step'", () => {
  it('declares its mode in metadata, next-step by default', () => {
    const vec = makeVec('VecCounter-v0', 2);

    expect(vec.metadata.autoresetMode).toBe('next-step');
    expect(vec.metadata.family).toBe('generic');
  });

  it('returns the last step as is, then on the next call resets with reward 0 and both flags false', () => {
    const vec = twoCounters('next-step');
    vec.reset({ seed: 0 });

    const steps = [
      vec.step([0, 0]),
      vec.step([0, 0]),
      vec.step([99, 0]), // sub-env 0 restarts here: its invalid action is ignored
      vec.step([0, 0]),
      vec.step([0, 0]),
    ].map(flags);

    expect(steps).toEqual([
      {
        observations: [1, 1],
        rewards: [1, 1],
        terminated: [false, false],
        truncated: [false, false],
      },
      {
        observations: [2, 2],
        rewards: [1, 1],
        terminated: [true, false],
        truncated: [false, false],
      },
      {
        observations: [0, 3],
        rewards: [0, 1],
        terminated: [false, true],
        truncated: [false, false],
      },
      {
        observations: [1, 0],
        rewards: [1, 0],
        terminated: [false, false],
        truncated: [false, false],
      },
      {
        observations: [2, 1],
        rewards: [1, 1],
        terminated: [true, false],
        truncated: [false, false],
      },
    ]);
  });

  it('returns the reset info for a sub-env it restarted', () => {
    const vec = twoCounters('next-step');
    vec.reset({ seed: 0 });
    vec.step([0, 0]);
    vec.step([0, 0]);

    const { infos } = vec.step([0, 0]);

    expect(infos).toEqual([{ start: 0 }, { steps: 3 }]);
  });
});

describe("SyncVectorEnv autoreset 'same-step'", () => {
  it('resets on the ending step and keeps that step’s reward and flags', () => {
    const vec = twoCounters('same-step');
    vec.reset({ seed: 0 });

    const steps = [vec.step([0, 0]), vec.step([0, 0]), vec.step([0, 0]), vec.step([0, 0])];

    expect(steps.map(flags)).toEqual([
      {
        observations: [1, 1],
        rewards: [1, 1],
        terminated: [false, false],
        truncated: [false, false],
      },
      {
        observations: [0, 2],
        rewards: [1, 1],
        terminated: [true, false],
        truncated: [false, false],
      },
      {
        observations: [1, 0],
        rewards: [1, 1],
        terminated: [false, true],
        truncated: [false, false],
      },
      {
        observations: [0, 1],
        rewards: [1, 1],
        terminated: [true, false],
        truncated: [false, false],
      },
    ]);
  });

  it('puts the final observation and info in info, beside the reset info', () => {
    const vec = twoCounters('same-step');
    vec.reset({ seed: 0 });
    vec.step([0, 0]);

    const { infos } = vec.step([0, 0]);

    expect(infos[0]).toEqual({ start: 0, finalObservation: 2, finalInfo: { steps: 2 } });
    expect(infos[1]).toEqual({ steps: 2 });
  });
});

describe('SyncVectorEnv seeding', () => {
  it('seeds sub-env i with seed + i', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 3, { randomStart: true });
    const single = new CounterEnv({ randomStart: true });

    const { observations } = vec.reset({ seed: 10 });
    const expected = [10, 11, 12].map((seed) => single.reset({ seed }).observation);

    expect(observations).toEqual(expected);
    expect(new Set(observations).size).toBe(3);
  });

  it('rejects a seed whose last sub-env seed passes 2^53, before resetting any sub-env', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 2, { randomStart: true });

    expect(() => vec.reset({ seed: Number.MAX_SAFE_INTEGER })).toThrow(/seed \+ numEnvs - 1/);
    expect(vec.reset({ seed: Number.MAX_SAFE_INTEGER - 1 }).observations).toHaveLength(2);
  });

  it('takes one seed per sub-env from an array, continuing streams for undefined entries', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 2, { randomStart: true });
    const single = new CounterEnv({ randomStart: true });

    const { observations } = vec.reset({ seed: [7, 7] });

    expect(observations).toEqual([7, 7].map((seed) => single.reset({ seed }).observation));
  });

  it('continues each stream on reset without a seed, so the next batch differs', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 4, { randomStart: true });

    const first = vec.reset({ seed: 1 }).observations;
    const second = vec.reset().observations;

    expect(second).not.toEqual(first);
    expect(vec.reset({ seed: 1 }).observations).toEqual(first);
  });
});

describe('SyncVectorEnv spaces', () => {
  it('exposes the single spaces and batched Tuple spaces that contain the batch', () => {
    const vec = makeVec<number, number>('VecCounter-v0', 2);

    const { observations } = vec.reset({ seed: 0 });

    expect(vec.singleObservationSpace.toJSON()).toEqual({ type: 'Discrete', n: 1000, start: 0 });
    expect(vec.singleActionSpace.toJSON()).toEqual({ type: 'Discrete', n: 2, start: 0 });
    expect(vec.observationSpace.contains(observations)).toBe(true);
    expect(vec.render()).toEqual([{ family: 'generic' }, { family: 'generic' }]);
  });
});

describe('SyncVectorEnv errors', () => {
  it('throws ResetNeededError when step comes before reset', () => {
    const vec = twoCounters('next-step');

    expect(() => vec.step([0, 0])).toThrow(ResetNeededError);
    expect(() => vec.step([0, 0])).toThrow(/before reset\(\)\. Call vec\.reset\(\)/);
  });

  it('names the expected length and the received actions when their count is wrong', () => {
    const vec = twoCounters('next-step');
    vec.reset({ seed: 0 });

    expect(() => vec.step([0])).toThrow(InvalidActionError);
    expect(() => vec.step([0])).toThrow(
      'actions must be an array with one action per sub-env (2); received [0]. Pass an array of length numEnvs.',
    );
  });

  it('rejects an unknown autoreset mode, a bad count, a shared env and a negative seed', () => {
    const shared = new CounterEnv();

    expect(() => twoCounters('eventually' as AutoresetMode)).toThrow(
      `autoresetMode must be 'next-step' or 'same-step'; received "eventually".`,
    );
    expect(() => makeVec('VecCounter-v0', 0)).toThrow(InvalidConfigError);
    expect(() => makeVec('VecCounter-v0', 0)).toThrow(/n \(the number of sub-envs\).*received 0/);
    expect(() => new SyncVectorEnv([() => shared, () => shared])).toThrow(/same env object/);
    expect(() => makeVec('VecCounter-v0', 2).reset({ seed: -1 })).toThrow(InvalidSeedError);
  });
});
