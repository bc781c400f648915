import { describe, expect, it } from 'vitest';
import {
  Box,
  Discrete,
  EnvContractError,
  InvalidActionError,
  InvalidConfigError,
  InvalidSeedError,
  Rng,
  assertEnvOk,
  checkEnv,
  make,
  register,
  type BoxArray,
  type RenderFrame,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../../src/index';
import { Env } from '../../src/index';
import { CounterEnv } from '../helpers/counter-env';

register('CheckedCounter-v0', (kwargs) => new CounterEnv(kwargs), { maxEpisodeSteps: 10 });

/** Declares Discrete(3) observations but counts past 2. */
class ObservationOutsideSpaceEnv extends CounterEnv {
  override readonly observationSpace = new Discrete(3);
}

/** Returns 0/1 numbers instead of booleans for the episode-end flags. */
class NumericFlagsEnv extends CounterEnv {
  override step(action: number): StepResult<number> {
    const r = super.step(action);
    return { ...r, terminated: 0 as unknown as boolean, truncated: 0 as unknown as boolean };
  }
}

let resetCalls = 0;

/** Ignores the seed: each reset starts from a different counter value. */
class NondeterministicResetEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(1000);
  readonly actionSpace = new Discrete(2);
  private counter = 0;

  reset(args: ResetArgs = {}): ResetResult<number> {
    this.seedRng(args.seed);
    this.counter = resetCalls++ % 7;
    return { observation: this.counter, info: {} };
  }

  step(_action: number): StepResult<number> {
    this.counter++;
    return { observation: this.counter, reward: 0, terminated: false, truncated: false, info: {} };
  }
}

/** Never validates its seed, returns NaN rewards and renders a typed array. */
class SloppyEnv extends CounterEnv {
  override reset(): ResetResult<number> {
    return super.reset({ seed: 0 });
  }

  override step(action: number): StepResult<number> {
    return { ...super.step(action), reward: NaN };
  }

  override render(): RenderFrame {
    return { family: 'gridworld', pixels: new Float32Array(4) };
  }
}

/** Mutates and returns the same observation array every step. */
class AliasingEnv extends Env<BoxArray, number> {
  readonly observationSpace = new Box(0, 1000, [1], 'float64');
  readonly actionSpace = new Discrete(2);
  private readonly buffer = new Float64Array(1);

  reset(args: ResetArgs = {}): ResetResult<BoxArray> {
    this.seedRng(args.seed);
    this.buffer[0] = 0;
    return { observation: this.buffer, info: {} };
  }

  step(_action: number): StepResult<BoxArray> {
    this.buffer[0]++;
    return { observation: this.buffer, reward: 0, terminated: false, truncated: false, info: {} };
  }
}

/** Allows only odd actions through info.actionMask and throws on the others. */
class MaskedEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(10);
  readonly actionSpace = new Discrete(4);
  private t = 0;

  reset(args: ResetArgs = {}): ResetResult<number> {
    this.seedRng(args.seed);
    this.t = 0;
    return { observation: 0, info: { actionMask: [0, 1, 0, 1] } };
  }

  step(action: number): StepResult<number> {
    if (action % 2 === 0) throw new InvalidActionError(`action ${action} is masked`);
    this.t++;
    const observation = this.rng.int(10);
    const info = { actionMask: [0, 1, 0, 1] };
    return { observation, reward: 1, terminated: this.t === 4, truncated: false, info };
  }
}

describe('checkEnv on a correct env', () => {
  it('finds no problem and no warning in an env built by make', () => {
    const env = make('CheckedCounter-v0', { randomStart: true, terminateAt: 4 });

    const report = checkEnv(env, { seed: 3, steps: 50 });

    expect(report).toEqual({ problems: [], warnings: [] });
  });

  it('warns that order checks were skipped for an env not built by make', () => {
    const report = checkEnv(new CounterEnv({ terminateAt: 5 }));

    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([
      'env has no spec (not built by make): step-before-reset checks were skipped.',
    ]);
  });

  it('draws only the actions info.actionMask allows', () => {
    const report = checkEnv(new MaskedEnv(), { steps: 200 });

    expect(report.problems).toEqual([]);
  });
});

describe('checkEnv on broken envs', () => {
  it('reports an observation outside the observation space, with the value and the space', () => {
    const { problems } = checkEnv(new ObservationOutsideSpaceEnv(), { steps: 5 });

    expect(problems).toContain(
      'step 3 of the random run returned an observation outside observationSpace: 3 is not in {"type":"Discrete","n":3,"start":0}.',
    );
  });

  it('reports non-boolean terminated and truncated flags', () => {
    const { problems } = checkEnv(new NumericFlagsEnv(), { steps: 3 });

    expect(problems).toEqual([
      'step 1 of the random run returned terminated = 0; it must be a boolean (true or false).',
      'step 1 of the random run returned truncated = 0; it must be a boolean (true or false).',
    ]);
  });

  it('reports a reset that ignores its seed', () => {
    const { problems } = checkEnv(new NondeterministicResetEnv(), { seed: 0, steps: 10 });

    expect(problems[0]).toMatch(
      /^reset\(\{ seed: 0 \}\) twice gave different first observations: \d then \d\. Draw every random number from this\.rng\.$/,
    );
    expect(problems[1]).toMatch(/^the same seed gave different trajectories: at step 1,/);
  });

  it('reports an unchecked seed, a NaN reward and a frame JSON cannot carry', () => {
    const { problems, warnings } = checkEnv(new SloppyEnv(), { steps: 2 });

    expect(problems).toEqual([
      'reset({ seed: -1 }) must throw InvalidSeedError; it returned normally. Call this.seedRng(args.seed) first in reset().',
      'reset({ seed: 1.5 }) must throw InvalidSeedError; it returned normally. Call this.seedRng(args.seed) first in reset().',
      'step 1 of the random run returned a reward that is not a finite number: NaN.',
      'render() returned a frame that JSON cannot carry: frame.pixels is a Float32Array; use a plain array. Use plain numbers, strings, booleans, arrays and objects.',
    ]);
    expect(warnings).toContain("render().family is 'gridworld' but metadata.family is 'generic'.");
  });

  it('warns when an env mutates an observation it already returned', () => {
    const { problems, warnings } = checkEnv(new AliasingEnv(), { steps: 3 });

    expect(problems).toEqual([]);
    expect(warnings).toContain(
      'step 2 of the random run changed the observation object returned by the step before; return a new array each step so stored transitions keep their values.',
    );
  });
});

describe('assertEnvOk', () => {
  it('throws EnvContractError listing every problem, one per line', () => {
    const attempt = () => assertEnvOk(new NumericFlagsEnv(), { steps: 1 });

    expect(attempt).toThrow(EnvContractError);
    expect(attempt).toThrow(
      'env NumericFlagsEnv breaks the Env contract (2 problem(s)); fix each of these:\n' +
        '- step 1 of the random run returned terminated = 0; it must be a boolean (true or false).\n' +
        '- step 1 of the random run returned truncated = 0; it must be a boolean (true or false).',
    );
  });

  it('returns the warnings of an env without problems', () => {
    expect(assertEnvOk(make('CheckedCounter-v0'), { steps: 20 })).toEqual([]);
  });
});

describe('checkEnv options', () => {
  it('rejects an unknown option, a bad seed and a bad step count', () => {
    const env = new CounterEnv();

    expect(() => checkEnv(env, { sed: 1 } as never)).toThrow(InvalidConfigError);
    expect(() => checkEnv(env, { sed: 1 } as never)).toThrow(
      'checkEnv options: unknown option "sed". Expected one of: seed, steps. Remove it or fix its spelling.',
    );
    expect(() => checkEnv(env, { seed: -3 })).toThrow(InvalidSeedError);
    expect(() => checkEnv(env, { steps: 2.5 })).toThrow(
      /steps must be a non-negative integer; received 2\.5/,
    );
  });

  it('does not disturb what a separately seeded Rng samples from the action space (P3)', () => {
    const env = make<number, number>('CheckedCounter-v0');
    const before = Array.from(
      { length: 10 },
      (
        (r) => () =>
          env.actionSpace.sample(r)
      )(new Rng(9)),
    );

    checkEnv(env, { seed: 9 });
    const after = Array.from(
      { length: 10 },
      (
        (r) => () =>
          env.actionSpace.sample(r)
      )(new Rng(9)),
    );

    expect(after).toEqual(before);
  });
});
