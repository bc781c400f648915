import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  InvalidConfigError,
  InvalidSeedError,
  OrderEnforcing,
  ResetNeededError,
  SyncVectorEnv,
  TsgymError,
  UnknownEnvError,
  describeValue,
  makeVec,
  register,
  rejectUnknownOptions,
} from '../../src/index';
import { CounterEnv } from '../helpers/counter-env';

register('ErrorCounter-v0', () => new CounterEnv(), { maxEpisodeSteps: 3 });

describe('describeValue', () => {
  it('renders strings quoted, numbers plainly and typed arrays by type with the first 8 values', () => {
    const rendered = [
      describeValue('a'),
      describeValue(NaN),
      describeValue(undefined),
      describeValue(null),
      describeValue(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
      describeValue({ a: 'x'.repeat(200) }).length,
    ];

    expect(rendered).toEqual([
      '"a"',
      'NaN',
      'undefined',
      'null',
      'Float32Array[1, 2, 3, 4, 5, 6, 7, 8, ...]',
      120,
    ]);
  });
});

describe('rejectUnknownOptions', () => {
  it('names the unknown option, lists the known ones and says how to fix it', () => {
    const attempt = () =>
      rejectUnknownOptions({ gama: 0.9 }, ['gamma', 'epsilon'], 'NormalizeReward options');

    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow(
      'NormalizeReward options: unknown option "gama". Expected one of: gamma, epsilon. Remove it or fix its spelling.',
    );
  });
});

/** Each bad input, the error class, and the parts the message must contain: argument, value, fix. */
const cases: [string, () => unknown, new (...args: never[]) => Error, RegExp[]][] = [
  [
    'a negative seed',
    () => new CounterEnv().reset({ seed: -1 }),
    InvalidSeedError,
    [/^seed must be a non-negative integer/, /received -1/, /Pass a whole number/],
  ],
  [
    'a fractional vector seed entry',
    () => makeVec('ErrorCounter-v0', 2).reset({ seed: [0, 0.5] }),
    InvalidSeedError,
    [/^seed\[1\] must be a non-negative integer/, /received 0\.5/, /Pass a whole number/],
  ],
  [
    'a step before reset',
    () => new OrderEnforcing(new CounterEnv()).step(0),
    ResetNeededError,
    [/^step\(\)/, /reset\(\) has not been called yet/, /Call env\.reset\(\)/],
  ],
  [
    'a wrong number of vector actions',
    () => {
      const vec = makeVec('ErrorCounter-v0', 3);
      vec.reset({ seed: 0 });
      return vec.step([0, 1]);
    },
    InvalidActionError,
    [
      /^actions must be an array with one action per sub-env \(3\)/,
      /received \[0,1\]/,
      /Pass an array of length numEnvs/,
    ],
  ],
  [
    'a seed array of the wrong length',
    () => makeVec('ErrorCounter-v0', 2).reset({ seed: [1, 2, 3] }),
    InvalidConfigError,
    [
      /^seed array must have one entry per sub-env \(2\)/,
      /received 3 entries/,
      /Pass a single number/,
    ],
  ],
  [
    'an empty factory list',
    () => new SyncVectorEnv([]),
    InvalidConfigError,
    [/^factories must be a non-empty array/, /received \[\]/, /Pass e\.g\./],
  ],
  [
    'an unknown env id',
    () => makeVec('ErrorCountr-v0', 2),
    UnknownEnvError,
    [/^env id "ErrorCountr-v0" is not registered/, /Did you mean 'ErrorCounter-v0'/, /tsgym list/],
  ],
];

describe.each(cases)('the error for %s', (_name, attempt, errorClass, parts) => {
  it('is a typed tsgym error whose message names the argument, the value and the fix', () => {
    let thrown: unknown;

    try {
      attempt();
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(errorClass);
    expect(thrown).toBeInstanceOf(TsgymError);
    for (const part of parts) expect((thrown as Error).message).toMatch(part);
    expect((thrown as Error).name).toBe(errorClass.name);
  });
});
