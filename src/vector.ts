import type { Env, EnvMetadata, Info, RenderFrame } from './env';
import { InvalidActionError, InvalidConfigError, ResetNeededError, describeValue } from './errors';
import { make, type MakeOptions } from './registry';
import { validateSeed } from './rng';
import { Tuple, type Space } from './spaces';

/**
 * How a {@link SyncVectorEnv} restarts a sub-env whose episode ended.
 *
 * - `'next-step'` (Gymnasium 1.x default): the step on which sub-env i ends returns its last
 *   observation, reward and flags as usual. The *next* `step()` call resets sub-env i instead of
 *   stepping it: the action given for i is ignored (not even validated), and the result for i is
 *   the reset observation and reset info, with reward 0, terminated false and truncated false.
 *   Training loops must not store that result as a transition.
 * - `'same-step'`: on the step where sub-env i ends, it is reset at once. The result for i holds
 *   the reset observation, the reward and flags of the final step, and an info that is the reset
 *   info plus `finalObservation` and `finalInfo` (the last observation and info of the ended
 *   episode). Bootstrapping targets must use `info.finalObservation`, not `observations[i]`.
 */
export type AutoresetMode = 'next-step' | 'same-step';

/** What {@link VectorEnv.reset} returns. */
export interface VectorResetResult<Obs> {
  /** The first observation of every sub-env, index i for sub-env i. */
  observations: Obs[];
  /** The reset info of every sub-env. */
  infos: Info[];
}

/**
 * What {@link VectorEnv.step} returns; index i describes sub-env i. The flags are plain
 * `boolean[]` (not `Uint8Array`) so `if (terminated[i])` reads as in the single-env API.
 */
export interface VectorStepResult<Obs> {
  /** Observation of every sub-env (a reset observation where a sub-env was autoreset). */
  observations: Obs[];
  /** Reward of every sub-env. */
  rewards: Float64Array;
  /** Whether each sub-env reached a terminal state on this step. */
  terminated: boolean[];
  /** Whether each sub-env's episode was cut from outside (time limit) on this step. */
  truncated: boolean[];
  /** Info of every sub-env; see {@link AutoresetMode} for the keys added on autoreset. */
  infos: Info[];
}

/** Arguments of {@link VectorEnv.reset}. */
export interface VectorResetArgs {
  /**
   * A number seeds sub-env i with `seed + i`; an array gives each sub-env its own seed
   * (`undefined` entries continue that sub-env's stream). Omit to continue every stream.
   */
  seed?: number | (number | undefined)[];
  /** Per-episode options passed to every sub-env's `reset`. */
  options?: Record<string, unknown>;
}

/** A batch of envs stepped together; implemented by {@link SyncVectorEnv} and vector wrappers. */
export interface VectorEnv<Obs = unknown, Act = unknown> {
  /** Number of sub-envs. */
  readonly numEnvs: number;
  /** The observation space of one sub-env. */
  readonly singleObservationSpace: Space<Obs>;
  /** The action space of one sub-env. */
  readonly singleActionSpace: Space<Act>;
  /** The batched observation space: a `Tuple` of `numEnvs` copies of the single one. */
  readonly observationSpace: Space<Obs[]>;
  /** The batched action space: a `Tuple` of `numEnvs` copies of the single one. */
  readonly actionSpace: Space<Act[]>;
  /** The sub-envs' metadata plus `autoresetMode`. */
  readonly metadata: EnvMetadata & { autoresetMode: AutoresetMode };
  /** Resets every sub-env. */
  reset(args?: VectorResetArgs): VectorResetResult<Obs>;
  /** Steps every sub-env with its own action, autoresetting ended ones. */
  step(actions: Act[]): VectorStepResult<Obs>;
  /** One render frame per sub-env. */
  render(): RenderFrame[];
  /** Closes every sub-env. */
  close(): void;
}

/** Options of {@link SyncVectorEnv}. */
export interface SyncVectorEnvOptions {
  /** How ended sub-envs restart. @defaultValue 'next-step' */
  autoresetMode?: AutoresetMode;
}

/**
 * Runs n envs one after another in the same thread and batches their results. Each sub-env
 * keeps its own wrappers (use {@link makeVec} to get `TimeLimit` and `OrderEnforcing` on each),
 * so a sub-env's step counter restarts whenever that sub-env is reset (PITFALLS P2).
 *
 * Seeding: `reset({ seed })` seeds sub-env i with `seed + i`, so sub-envs differ but the batch
 * is reproducible; `reset()` without a seed continues every sub-env's stream. Autoresets never
 * reseed. See {@link AutoresetMode} for what a step returns after an episode ends.
 *
 * @example
 * ```ts
 * const vec = makeVec('FrozenLake-v1', 4, {}, { autoresetMode: 'same-step' });
 * const { observations } = vec.reset({ seed: 0 });
 * const result = vec.step(observations.map(() => 0));
 * ```
 */
export class SyncVectorEnv<Obs = unknown, Act = unknown> implements VectorEnv<Obs, Act> {
  /** The sub-envs, index i for sub-env i. */
  readonly envs: Env<Obs, Act>[];
  /** Number of sub-envs. */
  readonly numEnvs: number;
  /** The autoreset rule in force. */
  readonly autoresetMode: AutoresetMode;
  /** The batched observation space (a Tuple of `numEnvs` single spaces). */
  readonly observationSpace: Space<Obs[]>;
  /** The batched action space (a Tuple of `numEnvs` single spaces). */
  readonly actionSpace: Space<Act[]>;
  private readonly resetPending: boolean[];
  private everReset = false;

  /**
   * @param factories - one function per sub-env, each returning a new env (never a shared one).
   * @param options - see {@link SyncVectorEnvOptions}.
   * @throws InvalidConfigError for an empty factory list, an unknown autoreset mode, a factory
   *   that returns the same env twice, or sub-envs whose spaces differ.
   */
  constructor(factories: (() => Env<Obs, Act>)[], options: SyncVectorEnvOptions = {}) {
    if (!Array.isArray(factories) || factories.length === 0) {
      throw new InvalidConfigError(
        `factories must be a non-empty array of functions returning envs; received ${describeValue(factories)}. Pass e.g. [() => new MyEnv(), () => new MyEnv()].`,
      );
    }
    this.autoresetMode = checkAutoresetMode(options.autoresetMode ?? 'next-step');
    this.envs = factories.map((f) => f());
    this.numEnvs = this.envs.length;
    checkSubEnvs(this.envs as Env<unknown, unknown>[]);
    this.resetPending = new Array<boolean>(this.numEnvs).fill(false);
    this.observationSpace = repeatSpace(this.singleObservationSpace, this.numEnvs);
    this.actionSpace = repeatSpace(this.singleActionSpace, this.numEnvs);
  }

  /** The observation space of one sub-env (all sub-envs share it). */
  get singleObservationSpace(): Space<Obs> {
    return this.envs[0].observationSpace;
  }

  /** The action space of one sub-env (all sub-envs share it). */
  get singleActionSpace(): Space<Act> {
    return this.envs[0].actionSpace;
  }

  /** The first sub-env's metadata plus `autoresetMode`. */
  get metadata(): EnvMetadata & { autoresetMode: AutoresetMode } {
    return { ...this.envs[0].metadata, autoresetMode: this.autoresetMode };
  }

  /**
   * Resets every sub-env and clears pending autoresets.
   *
   * @throws InvalidSeedError for a negative or fractional seed; InvalidConfigError for a seed
   *   array whose length is not `numEnvs`.
   */
  reset(args: VectorResetArgs = {}): VectorResetResult<Obs> {
    const seeds = this.subSeeds(args.seed);
    const observations: Obs[] = [];
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i].reset({ seed: seeds[i], options: args.options });
      observations.push(r.observation);
      infos.push(r.info);
    }
    this.resetPending.fill(false);
    this.everReset = true;

    return { observations, infos };
  }

  /**
   * Steps sub-env i with `actions[i]`, autoresetting as {@link AutoresetMode} describes.
   *
   * @param actions - one action per sub-env.
   * @throws ResetNeededError before the first `reset`; InvalidActionError when `actions` is not
   *   an array of `numEnvs` entries (and whatever a sub-env throws for a bad action).
   */
  step(actions: Act[]): VectorStepResult<Obs> {
    this.checkStepArgs(actions);
    const n = this.numEnvs;
    const result: VectorStepResult<Obs> = {
      observations: new Array<Obs>(n),
      rewards: new Float64Array(n),
      terminated: new Array<boolean>(n).fill(false),
      truncated: new Array<boolean>(n).fill(false),
      infos: new Array<Info>(n),
    };
    for (let i = 0; i < n; i++) {
      if (this.autoresetMode === 'next-step') this.stepNextStep(i, actions[i], result);
      else this.stepSameStep(i, actions[i], result);
    }

    return result;
  }

  /** One render frame per sub-env, index i for sub-env i. */
  render(): RenderFrame[] {
    return this.envs.map((e) => e.render());
  }

  /** Closes every sub-env. */
  close(): void {
    for (const e of this.envs) e.close();
  }

  private stepNextStep(i: number, action: Act, out: VectorStepResult<Obs>): void {
    if (this.resetPending[i]) {
      // Gymnasium 1.x next-step rule: this call only restarts sub-env i; its action is unused.
      const r = this.envs[i].reset();
      out.observations[i] = r.observation;
      out.infos[i] = r.info;
      this.resetPending[i] = false;
      return;
    }
    const r = this.envs[i].step(action);
    out.observations[i] = r.observation;
    out.rewards[i] = r.reward;
    out.terminated[i] = r.terminated;
    out.truncated[i] = r.truncated;
    out.infos[i] = r.info;
    this.resetPending[i] = r.terminated || r.truncated;
  }

  private stepSameStep(i: number, action: Act, out: VectorStepResult<Obs>): void {
    const r = this.envs[i].step(action);
    out.rewards[i] = r.reward;
    out.terminated[i] = r.terminated;
    out.truncated[i] = r.truncated;
    if (!(r.terminated || r.truncated)) {
      out.observations[i] = r.observation;
      out.infos[i] = r.info;
      return;
    }
    const reset = this.envs[i].reset();
    out.observations[i] = reset.observation;
    out.infos[i] = { ...reset.info, finalObservation: r.observation, finalInfo: r.info };
  }

  private checkStepArgs(actions: Act[]): void {
    if (!this.everReset) {
      throw new ResetNeededError(
        'SyncVectorEnv.step() called before reset(). Call vec.reset() (optionally with a seed) first.',
      );
    }
    if (!Array.isArray(actions) || actions.length !== this.numEnvs) {
      throw new InvalidActionError(
        `actions must be an array with one action per sub-env (${this.numEnvs}); ` +
          `received ${describeValue(actions)}. Pass an array of length numEnvs.`,
      );
    }
  }

  private subSeeds(seed: VectorResetArgs['seed']): (number | undefined)[] {
    if (seed === undefined) return new Array<undefined>(this.numEnvs).fill(undefined);
    if (Array.isArray(seed)) {
      if (seed.length !== this.numEnvs) {
        throw new InvalidConfigError(
          `seed array must have one entry per sub-env (${this.numEnvs}); received ` +
            `${seed.length} entries. Pass a single number to seed sub-env i with seed + i.`,
        );
      }
      seed.forEach((s, i) => s === undefined || validateSeed(s, `seed[${i}]`));
      return [...seed];
    }
    validateSeed(seed);
    // Added in this order: seed + numEnvs would round to an even number past 2^53 first.
    validateSeed(seed + (this.numEnvs - 1), `seed + numEnvs - 1`);

    return this.envs.map((_, i) => seed + i);
  }
}

function checkAutoresetMode(mode: unknown): AutoresetMode {
  if (mode !== 'next-step' && mode !== 'same-step') {
    throw new InvalidConfigError(
      `autoresetMode must be 'next-step' or 'same-step'; received ${describeValue(mode)}. ` +
        "Omit it for Gymnasium's default, 'next-step'.",
    );
  }
  return mode;
}

function checkSubEnvs(envs: Env<unknown, unknown>[]): void {
  if (new Set(envs).size !== envs.length) {
    throw new InvalidConfigError(
      'factories returned the same env object more than once; each factory must build a new env ' +
        '(write () => new MyEnv(), not () => env).',
    );
  }
  const obs = JSON.stringify(envs[0].observationSpace.toJSON());
  const act = JSON.stringify(envs[0].actionSpace.toJSON());
  envs.forEach((e, i) => {
    const o = JSON.stringify(e.observationSpace.toJSON());
    const a = JSON.stringify(e.actionSpace.toJSON());
    if (o !== obs || a !== act) {
      throw new InvalidConfigError(
        `sub-env ${i} has different spaces from sub-env 0 (observation ${o} vs ${obs}, ` +
          `action ${a} vs ${act}); every sub-env of a SyncVectorEnv needs the same spaces.`,
      );
    }
  });
}

function repeatSpace<T>(space: Space<T>, n: number): Space<T[]> {
  return new Tuple(new Array<Space<unknown>>(n).fill(space)) as unknown as Space<T[]>;
}

/** Options of {@link makeVec}: those of `make` plus the autoreset mode. */
export interface MakeVecOptions extends MakeOptions, SyncVectorEnvOptions {}

/**
 * Builds a {@link SyncVectorEnv} of `n` envs, each made by `make(id, kwargs, options)` and so
 * each wrapped in its own `TimeLimit` and `OrderEnforcing`.
 *
 * @param id - a registered env id.
 * @param n - number of sub-envs, a positive integer.
 * @param kwargs - env options passed to every sub-env.
 * @param options - `make` options plus `autoresetMode` (default `'next-step'`).
 * @throws InvalidConfigError for a non-positive or fractional `n`; UnknownEnvError for `id`.
 * @example
 * ```ts
 * const vec = makeVec('CliffWalking-v1', 8);
 * vec.reset({ seed: 0 }); // sub-env i is seeded with i
 * ```
 */
export function makeVec<Obs = unknown, Act = unknown>(
  id: string,
  n: number,
  kwargs: Record<string, unknown> = {},
  options: MakeVecOptions = {},
): SyncVectorEnv<Obs, Act> {
  if (!Number.isInteger(n) || n <= 0) {
    throw new InvalidConfigError(
      `makeVec('${id}'): n (the number of sub-envs) must be a positive integer; received ` +
        `${describeValue(n)}. Pass e.g. 4.`,
    );
  }
  const { autoresetMode, ...makeOptions } = options;
  const factories = Array.from({ length: n }, () => () => make<Obs, Act>(id, kwargs, makeOptions));

  return new SyncVectorEnv(factories, { autoresetMode });
}

/** Base of vector wrappers: forwards everything to the wrapped vector env. */
export class VectorWrapper<Obs = unknown, Act = unknown> implements VectorEnv<Obs, Act> {
  /** @param env - the vector env to wrap. */
  constructor(readonly env: VectorEnv<Obs, Act>) {}

  /** Number of sub-envs. */
  get numEnvs(): number {
    return this.env.numEnvs;
  }

  /** The observation space of one sub-env. */
  get singleObservationSpace(): Space<Obs> {
    return this.env.singleObservationSpace;
  }

  /** The action space of one sub-env. */
  get singleActionSpace(): Space<Act> {
    return this.env.singleActionSpace;
  }

  /** The batched observation space. */
  get observationSpace(): Space<Obs[]> {
    return this.env.observationSpace;
  }

  /** The batched action space. */
  get actionSpace(): Space<Act[]> {
    return this.env.actionSpace;
  }

  /** The wrapped env's metadata, including `autoresetMode`. */
  get metadata(): EnvMetadata & { autoresetMode: AutoresetMode } {
    return this.env.metadata;
  }

  /** Resets the wrapped vector env. */
  reset(args?: VectorResetArgs): VectorResetResult<Obs> {
    return this.env.reset(args);
  }

  /** Steps the wrapped vector env. */
  step(actions: Act[]): VectorStepResult<Obs> {
    return this.env.step(actions);
  }

  /** One render frame per sub-env. */
  render(): RenderFrame[] {
    return this.env.render();
  }

  /** Closes the wrapped vector env. */
  close(): void {
    this.env.close();
  }
}
