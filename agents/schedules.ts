import { InvalidConfigError, describeValue, rejectUnknownOptions } from '../src/index';

/**
 * What a schedule's clock counts. `'step'`: env steps seen by the agent (one per `learn`
 * call). `'episode'`: finished training episodes (one per `endEpisode` call). The owner of the
 * schedule (a policy or an agent) keeps both counters and reads the one the schedule names.
 */
export type ScheduleUnit = 'step' | 'episode';

/** JSON form of a {@link ConstantSchedule}. */
export interface ConstantScheduleConfig {
  /** Discriminator. */
  type: 'constant';
  /** The value at every time. */
  value: number;
  /** Clock the schedule counts; irrelevant to the value but kept for reporting. */
  unit?: ScheduleUnit;
}

/** JSON form of a {@link LinearSchedule}. */
export interface LinearScheduleConfig {
  /** Discriminator. */
  type: 'linear';
  /** Value at t = 0. */
  start: number;
  /** Value from t = duration on. */
  end: number;
  /** Number of units (steps or episodes) over which the value moves from start to end; \> 0. */
  duration: number;
  /** Clock: `'step'` or `'episode'`. @defaultValue 'step' */
  unit?: ScheduleUnit;
}

/** JSON form of an {@link ExponentialSchedule}; give exactly one of `decayRate`, `halfLife`. */
export interface ExponentialScheduleConfig {
  /** Discriminator. */
  type: 'exponential';
  /** Value at t = 0. */
  start: number;
  /** Asymptote the value approaches as t grows. */
  end: number;
  /** Rate lambda \> 0 per unit in `end + (start - end) * exp(-lambda * t)`. */
  decayRate?: number;
  /** Units after which the distance to `end` has halved; \> 0. Equals ln 2 / decayRate. */
  halfLife?: number;
  /** Clock: `'step'` or `'episode'`. @defaultValue 'step' */
  unit?: ScheduleUnit;
}

/** JSON form of any schedule; {@link scheduleFromJSON} rebuilds it. */
export type ScheduleConfig =
  ConstantScheduleConfig | LinearScheduleConfig | ExponentialScheduleConfig;

/**
 * A hyper-parameter (epsilon, temperature, ...) as a function of time. `t` counts steps or
 * episodes according to `unit`; the schedule itself is stateless, so saving its owner's counters
 * saves its position.
 */
export interface Schedule {
  /** Which clock `t` counts. */
  readonly unit: ScheduleUnit;
  /**
   * The value after `t` units.
   *
   * @param t - a non-negative number of steps or episodes.
   */
  value(t: number): number;
  /** The JSON form, rebuilt by {@link scheduleFromJSON}. */
  toJSON(): ScheduleConfig;
}

function requireFinite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(
      `${name} must be a finite number; received ${describeValue(value)}. Pass e.g. 0.1.`,
    );
  }
  return value;
}

function requirePositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(
      `${name} must be a finite number > 0; received ${describeValue(value)}. Pass e.g. 10000.`,
    );
  }
  return value;
}

function requireUnit(value: unknown, name: string): ScheduleUnit {
  if (value === undefined) return 'step';
  if (value !== 'step' && value !== 'episode') {
    throw new InvalidConfigError(
      `${name} must be 'step' or 'episode'; received ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * The same value at every time.
 *
 * @example
 * ```ts
 * new ConstantSchedule(0.1).value(1e6); // 0.1
 * ```
 */
export class ConstantSchedule implements Schedule {
  /** The constant value. */
  readonly constant: number;
  /** Clock; has no effect on the value. */
  readonly unit: ScheduleUnit;

  /**
   * @param value - any finite number.
   * @param unit - clock, for reporting only. @defaultValue 'step'
   * @throws InvalidConfigError for a non-finite value or an unknown unit.
   */
  constructor(value: number, unit: ScheduleUnit = 'step') {
    this.constant = requireFinite(value, 'ConstantSchedule value');
    this.unit = requireUnit(unit, 'ConstantSchedule unit');
  }

  /** Returns the constant, whatever `t` is. */
  value(_t: number): number {
    return this.constant;
  }

  /** `{ type: 'constant', value, unit }`. */
  toJSON(): ConstantScheduleConfig {
    return { type: 'constant', value: this.constant, unit: this.unit };
  }
}

/**
 * Moves linearly from `start` at t = 0 to `end` at t = `duration`, then stays at `end`:
 * `value(t) = start + (end - start) * min(t, duration) / duration`. This is the usual DQN
 * epsilon schedule (Mnih et al., 2015: 1 to 0.1 over the first million frames).
 *
 * @example
 * ```ts
 * const eps = new LinearSchedule({ start: 1, end: 0.1, duration: 100, unit: 'episode' });
 * eps.value(50); // 0.55
 * ```
 */
export class LinearSchedule implements Schedule {
  /** Value at t = 0. */
  readonly start: number;
  /** Value from t = duration on. */
  readonly end: number;
  /** Units from start to end. */
  readonly duration: number;
  /** Clock. */
  readonly unit: ScheduleUnit;

  /**
   * @param options - `start`, `end` (finite), `duration` (\> 0), `unit` (default `'step'`).
   * @throws InvalidConfigError naming the bad argument.
   */
  constructor(options: Omit<LinearScheduleConfig, 'type'>) {
    rejectUnknownOptions(options, ['start', 'end', 'duration', 'unit'], 'LinearSchedule');
    this.start = requireFinite(options.start, 'LinearSchedule start');
    this.end = requireFinite(options.end, 'LinearSchedule end');
    this.duration = requirePositive(options.duration, 'LinearSchedule duration');
    this.unit = requireUnit(options.unit, 'LinearSchedule unit');
  }

  /** The interpolated value; `end` from t = duration on, `start` for t \<= 0. */
  value(t: number): number {
    if (t >= this.duration) return this.end;
    if (t <= 0) return this.start;
    return this.start + ((this.end - this.start) * t) / this.duration;
  }

  /** `{ type: 'linear', start, end, duration, unit }`. */
  toJSON(): LinearScheduleConfig {
    const { start, end, duration, unit } = this;
    return { type: 'linear', start, end, duration, unit };
  }
}

/**
 * Decays exponentially from `start` towards `end`:
 * `value(t) = end + (start - end) * exp(-decayRate * t)`. Give either `decayRate` (lambda per
 * unit) or `halfLife` (units after which the distance to `end` has halved; lambda = ln 2 /
 * halfLife). The familiar multiplicative form `epsilon *= f` each unit, floored at `end`,
 * corresponds to decayRate = -ln f only when `end` is 0.
 *
 * @example
 * ```ts
 * const eps = new ExponentialSchedule({ start: 1, end: 0.05, halfLife: 1000 });
 * eps.value(1000); // 0.525
 * ```
 */
export class ExponentialSchedule implements Schedule {
  /** Value at t = 0. */
  readonly start: number;
  /** Asymptote. */
  readonly end: number;
  /** Lambda per unit. */
  readonly decayRate: number;
  /** Clock. */
  readonly unit: ScheduleUnit;
  private readonly givenHalfLife: number | undefined;

  /**
   * @param options - `start`, `end` (finite), exactly one of `decayRate` or `halfLife` (\> 0),
   *   `unit` (default `'step'`).
   * @throws InvalidConfigError naming the bad argument, or when both or neither rate is given.
   */
  constructor(options: Omit<ExponentialScheduleConfig, 'type'>) {
    const allowed = ['start', 'end', 'decayRate', 'halfLife', 'unit'];
    rejectUnknownOptions(options, allowed, 'ExponentialSchedule');
    this.start = requireFinite(options.start, 'ExponentialSchedule start');
    this.end = requireFinite(options.end, 'ExponentialSchedule end');
    this.unit = requireUnit(options.unit, 'ExponentialSchedule unit');
    const { decayRate, halfLife } = options;
    if ((decayRate === undefined) === (halfLife === undefined)) {
      throw new InvalidConfigError(
        'ExponentialSchedule needs exactly one of decayRate or halfLife; received ' +
          `decayRate ${describeValue(decayRate)} and halfLife ${describeValue(halfLife)}. ` +
          'Pass e.g. { halfLife: 1000 }.',
      );
    }
    if (halfLife !== undefined) {
      this.givenHalfLife = requirePositive(halfLife, 'ExponentialSchedule halfLife');
      this.decayRate = Math.LN2 / halfLife;
    } else {
      this.decayRate = requirePositive(decayRate, 'ExponentialSchedule decayRate');
    }
  }

  /** Units after which the distance to `end` has halved. */
  get halfLife(): number {
    return this.givenHalfLife ?? Math.LN2 / this.decayRate;
  }

  /** `end + (start - end) * exp(-decayRate * t)`; `start` for t \<= 0. */
  value(t: number): number {
    if (t <= 0) return this.start;
    return this.end + (this.start - this.end) * Math.exp(-this.decayRate * t);
  }

  /** The JSON form, keeping whichever of `halfLife` or `decayRate` was given. */
  toJSON(): ExponentialScheduleConfig {
    const { start, end, unit } = this;
    if (this.givenHalfLife !== undefined) {
      return { type: 'exponential', start, end, halfLife: this.givenHalfLife, unit };
    }
    return { type: 'exponential', start, end, decayRate: this.decayRate, unit };
  }
}

/**
 * Rebuilds a schedule from its JSON form ({@link Schedule.toJSON}).
 *
 * @param config - `{ type: 'constant' | 'linear' | 'exponential', ... }`.
 * @returns the schedule.
 * @throws InvalidConfigError for an unknown `type` or a bad parameter (named in the message).
 * @example
 * ```ts
 * const eps = scheduleFromJSON({ type: 'linear', start: 1, end: 0.05, duration: 5000 });
 * ```
 */
export function scheduleFromJSON(config: ScheduleConfig): Schedule {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError(
      `schedule config must be an object with a type; received ${describeValue(config)}.`,
    );
  }
  const { type, ...rest } = config;
  if (type === 'constant') {
    rejectUnknownOptions(rest, ['value', 'unit'], 'ConstantSchedule');
    const c = rest as Omit<ConstantScheduleConfig, 'type'>;
    return new ConstantSchedule(c.value, c.unit);
  }
  if (type === 'linear') return new LinearSchedule(rest as Omit<LinearScheduleConfig, 'type'>);
  if (type === 'exponential') {
    return new ExponentialSchedule(rest as Omit<ExponentialScheduleConfig, 'type'>);
  }
  throw new InvalidConfigError(
    `schedule type must be 'constant', 'linear' or 'exponential'; received ` +
      `${describeValue(type)}.`,
  );
}

/**
 * Accepts a number (a constant), a {@link Schedule} or a {@link ScheduleConfig}, so options such
 * as `epsilon` can take any of the three.
 *
 * @param value - the option value.
 * @param name - the option's name for error messages.
 * @throws InvalidConfigError when `value` is none of the three.
 */
export function toSchedule(value: number | Schedule | ScheduleConfig, name: string): Schedule {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new InvalidConfigError(
        `${name} must be a finite number or a schedule; received ${describeValue(value)}.`,
      );
    }
    return new ConstantSchedule(value);
  }
  if (isSchedule(value)) return value;
  try {
    return scheduleFromJSON(value);
  } catch (error) {
    throw new InvalidConfigError(`${name}: ${(error as Error).message}`, { cause: error });
  }
}

function isSchedule(value: unknown): value is Schedule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Schedule).value === 'function' &&
    typeof (value as Schedule).toJSON === 'function'
  );
}
