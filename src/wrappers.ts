import { Env, type ResetArgs, type ResetResult, type StepResult, type RenderFrame } from './env';
import type { EnvMetadata, EnvSpec } from './env';
import type { RngState } from './rng';
import type { Space } from './spaces';
import { InvalidConfigError, ResetNeededError, describeValue } from './errors';

/**
 * Base of every wrapper: forwards everything to the wrapped env. Subclasses override only
 * what they change.
 */
export class Wrapper<Obs = unknown, Act = unknown, InnerObs = Obs, InnerAct = Act> extends Env<
  Obs,
  Act
> {
  /** @param env - the env to wrap. */
  constructor(readonly env: Env<InnerObs, InnerAct>) {
    super();
  }

  get observationSpace(): Space<Obs> {
    return this.env.observationSpace as unknown as Space<Obs>;
  }

  get actionSpace(): Space<Act> {
    return this.env.actionSpace as unknown as Space<Act>;
  }

  override get metadata(): EnvMetadata {
    return this.env.metadata;
  }

  override set metadata(value: EnvMetadata) {
    this.env.metadata = value;
  }

  override get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  override set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  reset(args?: ResetArgs): ResetResult<Obs> {
    return this.env.reset(args) as unknown as ResetResult<Obs>;
  }

  step(action: Act): StepResult<Obs> {
    return this.env.step(action as unknown as InnerAct) as unknown as StepResult<Obs>;
  }

  override render(): RenderFrame {
    return this.env.render();
  }

  override close(): void {
    this.env.close();
  }

  override get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  override getRngState(): RngState | undefined {
    return this.env.getRngState();
  }

  override setRngState(state: RngState): void {
    this.env.setRngState(state);
  }
}

/**
 * Throws {@link ResetNeededError} on `step` before the first `reset`, and on `step` after an
 * episode ended (terminated or truncated) until the next `reset`. `make` adds it first.
 */
export class OrderEnforcing<Obs, Act> extends Wrapper<Obs, Act> {
  private needsReset = true;
  private everReset = false;

  override reset(args?: ResetArgs): ResetResult<Obs> {
    const result = this.env.reset(args);
    this.needsReset = false;
    this.everReset = true;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    if (this.needsReset) {
      const why = this.everReset
        ? 'the episode has ended (terminated or truncated was true)'
        : 'reset() has not been called yet';
      throw new ResetNeededError(
        `step() called but ${why}. Call env.reset() to start a new episode first.`,
      );
    }
    const result = this.env.step(action);
    if (result.terminated || result.truncated) this.needsReset = true;
    return result;
  }
}

/**
 * Truncates episodes after `maxEpisodeSteps` steps.
 *
 * Rule (PITFALLS P1, Gymnasium 0.26 and later): `truncated = elapsed >= maxEpisodeSteps`, whatever
 * `terminated` says, so both can be true on the same step. Learners bootstrap if and only if
 * `terminated` is false, so such a step is still treated as terminal. The step counter
 * restarts at 0 on every `reset` (PITFALLS P2).
 */
export class TimeLimit<Obs, Act> extends Wrapper<Obs, Act> {
  /** Steps taken since the last reset. */
  elapsedSteps = 0;

  /**
   * @param env - the env to limit.
   * @param maxEpisodeSteps - a positive integer.
   * @throws InvalidConfigError for a non-positive or fractional limit.
   */
  constructor(
    env: Env<Obs, Act>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new InvalidConfigError(
        `maxEpisodeSteps must be a positive integer; received ${describeValue(maxEpisodeSteps)}.`,
      );
    }
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    this.elapsedSteps = 0;
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.elapsedSteps++;
    if (this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }
}

/** Statistics of one finished episode, put in `info.episode` by {@link RecordEpisodeStatistics}. */
export interface EpisodeStatistics {
  /** Undiscounted sum of rewards. */
  return: number;
  /** Number of steps. */
  length: number;
  /** Wall-clock duration in seconds. */
  timeSeconds: number;
}

/** Adds `info.episode` (return, length, time) on the last step of every episode. */
export class RecordEpisodeStatistics<Obs, Act> extends Wrapper<Obs, Act> {
  private episodeReturn = 0;
  private episodeLength = 0;
  private startMs = 0;
  /** Returns of finished episodes, most recent last (at most `bufferLength`). */
  readonly returnQueue: number[] = [];
  /** Lengths of finished episodes, most recent last (at most `bufferLength`). */
  readonly lengthQueue: number[] = [];

  /**
   * @param env - the env to observe.
   * @param bufferLength - how many finished episodes the queues keep. @defaultValue 100
   */
  constructor(
    env: Env<Obs, Act>,
    readonly bufferLength = 100,
  ) {
    super(env);
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.startMs = performance.now();
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength++;
    if (result.terminated || result.truncated) {
      const episode: EpisodeStatistics = {
        return: this.episodeReturn,
        length: this.episodeLength,
        timeSeconds: (performance.now() - this.startMs) / 1000,
      };
      result.info = { ...result.info, episode };
      push(this.returnQueue, episode.return, this.bufferLength);
      push(this.lengthQueue, episode.length, this.bufferLength);
    }
    return result;
  }
}

function push(queue: number[], value: number, max: number): void {
  queue.push(value);
  if (queue.length > max) queue.shift();
}

/** Transforms every observation with `fn`; `observationSpace` must describe the results. */
export class TransformObservation<Obs, Act, InnerObs> extends Wrapper<Obs, Act, InnerObs, Act> {
  /**
   * @param env - the env to wrap.
   * @param fn - maps an inner observation to the new one.
   * @param newSpace - the space of the transformed observations.
   */
  constructor(
    env: Env<InnerObs, Act>,
    readonly fn: (observation: InnerObs) => Obs,
    private readonly newSpace: Space<Obs>,
  ) {
    super(env);
  }

  override get observationSpace(): Space<Obs> {
    return this.newSpace;
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    const { observation, info } = this.env.reset(args);
    return { observation: this.fn(observation), info };
  }

  override step(action: Act): StepResult<Obs> {
    const r = this.env.step(action);
    return { ...r, observation: this.fn(r.observation) };
  }
}

/** Transforms every reward with `fn`, e.g. clipping or scaling. */
export class TransformReward<Obs, Act> extends Wrapper<Obs, Act> {
  /**
   * @param env - the env to wrap.
   * @param fn - maps a reward to the new reward.
   */
  constructor(
    env: Env<Obs, Act>,
    readonly fn: (reward: number) => number,
  ) {
    super(env);
  }

  override step(action: Act): StepResult<Obs> {
    const r = this.env.step(action);
    r.reward = this.fn(r.reward);
    return r;
  }
}

/** Transforms every action with `fn` before the wrapped env sees it. */
export class TransformAction<Obs, Act, InnerAct> extends Wrapper<Obs, Act, Obs, InnerAct> {
  /**
   * @param env - the env to wrap.
   * @param fn - maps an outer action to an action of the wrapped env.
   * @param newSpace - the space of outer actions.
   */
  constructor(
    env: Env<Obs, InnerAct>,
    readonly fn: (action: Act) => InnerAct,
    private readonly newSpace: Space<Act>,
  ) {
    super(env);
  }

  override get actionSpace(): Space<Act> {
    return this.newSpace;
  }

  override step(action: Act): StepResult<Obs> {
    return this.env.step(this.fn(action));
  }
}

/**
 * Finds the first wrapper of class `cls` in the chain from `env` inwards.
 *
 * @returns the wrapper, or undefined when none is present.
 */
export function findWrapper<W>(
  env: Env<unknown, unknown>,
  cls: abstract new (...args: never[]) => W,
): W | undefined {
  let cur: Env<unknown, unknown> | undefined = env;
  while (cur) {
    if (cur instanceof cls) return cur as W;
    cur = cur instanceof Wrapper ? (cur.env as Env<unknown, unknown>) : undefined;
  }
  return undefined;
}
