import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  OrderEnforcing,
  TimeLimit,
  UnknownEnvError,
  make,
  register,
  registeredEnvs,
  spec,
} from '../../src/index';
import { CounterEnv } from '../helpers/counter-env';

register('Counter-v0', (kwargs) => new CounterEnv(kwargs), {
  maxEpisodeSteps: 7,
  kwargs: { reward: 3 },
  description: 'test counter',
});
register('Counter-v1', () => new CounterEnv(), { maxEpisodeSteps: 5 });
register('CliffClimbing-v9', () => new CounterEnv(), { maxEpisodeSteps: 5 });

describe('make', () => {
  it('wraps the bare env in TimeLimit, then OrderEnforcing, outermost last', () => {
    const env = make('Counter-v0');

    expect(env).toBeInstanceOf(OrderEnforcing);
    const limit = (env as OrderEnforcing<unknown, unknown>).env;
    expect(limit).toBeInstanceOf(TimeLimit);
    expect((limit as TimeLimit<unknown, unknown>).maxEpisodeSteps).toBe(7);
    expect((limit as TimeLimit<unknown, unknown>).env).toBeInstanceOf(CounterEnv);
  });

  it('merges kwargs over the registered ones and records the spec', () => {
    const env = make<number, number>('Counter-v0', { terminateAt: 2 }, { maxEpisodeSteps: 4 });

    expect(env.spec).toEqual({
      id: 'Counter-v0',
      kwargs: { reward: 3, terminateAt: 2 },
      maxEpisodeSteps: 4,
    });
    env.reset({ seed: 0 });
    expect(env.step(0)).toMatchObject({ reward: 3, terminated: false });
    expect(env.step(0)).toMatchObject({ terminated: true });
  });

  it('truncates at an overriding maxEpisodeSteps', () => {
    const env = make<number, number>('Counter-v1', {}, { maxEpisodeSteps: 2 });
    env.reset({ seed: 0 });

    const flags = [env.step(0).truncated, env.step(0).truncated];

    expect(flags).toEqual([false, true]);
  });

  it('applies extra wrappers outside the default ones, in order', () => {
    const order: string[] = [];

    make(
      'Counter-v1',
      {},
      {
        wrappers: [(e) => (order.push(e.constructor.name), e), (e) => (order.push('second'), e)],
      },
    );

    expect(order).toEqual(['OrderEnforcing', 'second']);
  });

  it('names the closest registered ids for an unknown id', () => {
    const attempt = () => make('Countr-v0');

    expect(attempt).toThrow(UnknownEnvError);
    expect(attempt).toThrow(
      /env id "Countr-v0" is not registered\. Did you mean 'Counter-v0', 'Counter-v1'.*Run 'tsgym list'/,
    );
  });
});

describe('register', () => {
  it('refuses an env without maxEpisodeSteps, saying every env needs a time limit', () => {
    const attempt = () => register('NoLimit-v0', () => new CounterEnv(), {} as never);

    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow(
      "register('NoLimit-v0'): maxEpisodeSteps must be a positive integer; received undefined. Every registered env needs a time limit.",
    );
  });

  it('lists registrations sorted by id, with their options', () => {
    const ids = registeredEnvs().map((r) => r.id);

    expect(ids).toEqual(['CliffClimbing-v9', 'Counter-v0', 'Counter-v1']);
    expect(spec('Counter-v0')).toMatchObject({ maxEpisodeSteps: 7, description: 'test counter' });
  });
});
