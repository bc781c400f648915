import { Rng, validateSeed, type RngState } from './rng';
import type { Space } from './spaces';

/** Extra per-step or per-reset facts; JSON-serialisable. Action masks go in `actionMask`. */
export type Info = Record<string, unknown>;

/** A JSON frame the viewer draws; `family` picks the renderer (gridworld, bandit, ...). */
export type RenderFrame = { family: string } & Record<string, unknown>;

/** Arguments of {@link Env.reset}. */
export interface ResetArgs {
  /** Reseeds the env's generator; omit to continue the current stream (Gymnasium semantics). */
  seed?: number;
  /** Per-episode options understood by the env (see its env card). */
  options?: Record<string, unknown>;
}

/** What {@link Env.reset} returns. */
export interface ResetResult<Obs> {
  /** The first observation of the episode. */
  observation: Obs;
  /** Auxiliary facts, e.g. `actionMask`. */
  info: Info;
}

/** What {@link Env.step} returns. */
export interface StepResult<Obs> {
  /** The observation after the action. */
  observation: Obs;
  /** The reward for the transition. */
  reward: number;
  /** The MDP reached a terminal state: learners must not bootstrap from `observation`. */
  terminated: boolean;
  /** The episode was cut from outside (e.g. a time limit): learners still bootstrap. */
  truncated: boolean;
  /** Auxiliary facts, e.g. `actionMask`, `episode` statistics. */
  info: Info;
}

/** Static facts about an env. */
export interface EnvMetadata {
  /** The viewer renderer family: 'gridworld', 'bandit', 'marketing', 'cartpole' or 'generic'. */
  family: string;
  /** Frames per second a replay should default to. */
  renderFps?: number;
  /** Vector envs only: how sub-envs restart (see `SyncVectorEnv`). */
  autoresetMode?: 'next-step' | 'same-step';
  [key: string]: unknown;
}

/** How an env was made; set by `make`. */
export interface EnvSpec {
  /** Registered id, e.g. `'FrozenLake-v1'`. */
  id: string;
  /** Keyword arguments the env was constructed with. */
  kwargs: Record<string, unknown>;
  /** Time limit applied by `make`. */
  maxEpisodeSteps: number;
  /** Average return over 100 episodes at which the env counts as solved, if known. */
  rewardThreshold?: number;
}

/**
 * A Gym-like environment. Subclasses implement `reset` and `step`, call
 * `this.seedRng(args.seed)` first in `reset`, and draw every random number from `this.rng`.
 *
 * Seeding rule (PITFALLS P3): `reset({ seed })` replaces the env's generator with a new one
 * seeded by `seed`; `reset()` without a seed keeps drawing from the current stream, so later
 * episodes differ. Spaces are never seeded by `reset`: they have no generator of their own and
 * sample from the {@link Rng} the caller passes.
 */
export abstract class Env<Obs = unknown, Act = unknown> {
  /** The set every observation belongs to. */
  abstract readonly observationSpace: Space<Obs>;
  /** The set every action must belong to. */
  abstract readonly actionSpace: Space<Act>;
  private ownMetadata: EnvMetadata = { family: 'generic' };
  private ownSpec: EnvSpec | undefined = undefined;
  /** The env's own generator; every random draw of the dynamics comes from here. */
  protected rng!: Rng;

  /**
   * Starts an episode.
   *
   * @throws InvalidSeedError for a negative or fractional seed.
   */
  abstract reset(args?: ResetArgs): ResetResult<Obs>;

  /**
   * Reseeds when `seed` is given; on the first reset without a seed, seeds from OS entropy
   * (readable afterwards from `getRngState().seed`, so the run can still be reproduced).
   *
   * @throws InvalidSeedError for a negative or fractional seed.
   */
  protected seedRng(seed: number | undefined): void {
    if (seed !== undefined) {
      validateSeed(seed);
      this.rng = new Rng(seed);
    } else if (this.rng === undefined) {
      this.rng = new Rng();
    }
  }

  /** Static facts; `family` picks the viewer renderer. */
  get metadata(): EnvMetadata {
    return this.ownMetadata;
  }

  set metadata(value: EnvMetadata) {
    this.ownMetadata = value;
  }

  /** How the env was made (set by `make`); undefined for envs constructed directly. */
  get spec(): EnvSpec | undefined {
    return this.ownSpec;
  }

  set spec(value: EnvSpec | undefined) {
    this.ownSpec = value;
  }

  /** Advances the env by one action. */
  abstract step(action: Act): StepResult<Obs>;

  /** A JSON frame of the current state for the viewer. */
  render(): RenderFrame {
    return { family: 'generic' };
  }

  /** Releases resources; the default does nothing. */
  close(): void {}

  /** The innermost env under any wrappers. */
  get unwrapped(): Env<unknown, unknown> {
    return this as Env<unknown, unknown>;
  }

  /** The generator's state, for recordings and checkpoints; undefined before the first reset. */
  getRngState(): RngState | undefined {
    return this.rng?.getState();
  }

  /** Restores the generator from {@link Env.getRngState}. */
  setRngState(state: RngState): void {
    this.rng = Rng.fromState(state);
  }
}
