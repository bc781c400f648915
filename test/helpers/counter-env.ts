import {
  Box,
  Discrete,
  Env,
  InvalidActionError,
  ResetNeededError,
  describeValue,
  type BoxArray,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../../src/index';

/** Options of {@link CounterEnv}. */
export interface CounterEnvOptions {
  /** Terminate on the step that brings the step count to this value; never when omitted. */
  terminateAt?: number;
  /** Start the counter at `rng.int(100)` instead of 0, so seeds are visible in observations. */
  randomStart?: boolean;
  /** Reward of every step. @defaultValue 1 */
  reward?: number;
}

/**
 * A test env whose observation is a counter: it starts at 0 (or a seeded random start) and
 * goes up by one each step. Actions are Discrete(2) and ignored, but checked.
 */
export class CounterEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(1000);
  readonly actionSpace = new Discrete(2);
  /** Steps taken in the current episode. */
  stepsTaken = 0;
  private start = 0;
  private started = false;

  constructor(readonly options: CounterEnvOptions = {}) {
    super();
  }

  reset(args: ResetArgs = {}): ResetResult<number> {
    this.seedRng(args.seed);
    this.start = this.options.randomStart ? this.rng.int(100) : 0;
    this.stepsTaken = 0;
    this.started = true;

    return { observation: this.start, info: { start: this.start } };
  }

  step(action: number): StepResult<number> {
    if (!this.started) throw new ResetNeededError('CounterEnv: call reset() first.');
    if (!this.actionSpace.contains(action)) {
      throw new InvalidActionError(
        `CounterEnv: action must be 0 or 1; received ${describeValue(action)}.`,
      );
    }
    this.stepsTaken++;
    const terminated = this.stepsTaken === this.options.terminateAt;

    return {
      observation: this.start + this.stepsTaken,
      reward: this.options.reward ?? 1,
      terminated,
      truncated: false,
      info: { steps: this.stepsTaken },
    };
  }
}

/** A test env with Box(-100, 100, [2]) observations drawn from N(3, 2^2) and N(-1, 0.5^2). */
export class GaussianBoxEnv extends Env<BoxArray, number> {
  readonly observationSpace = new Box(-100, 100, [2], 'float64');
  readonly actionSpace = new Discrete(2);

  reset(args: ResetArgs = {}): ResetResult<BoxArray> {
    this.seedRng(args.seed);
    return { observation: this.draw(), info: {} };
  }

  step(_action: number): StepResult<BoxArray> {
    return { observation: this.draw(), reward: 0, terminated: false, truncated: false, info: {} };
  }

  private draw(): BoxArray {
    return Float64Array.of(this.rng.normal(3, 2), this.rng.normal(-1, 0.5));
  }
}
