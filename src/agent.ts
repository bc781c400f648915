import type { Info } from './env';

/** What an agent returns when asked for an action. */
export interface ActResult<Act> {
  /** The chosen action. */
  action: Act;
  /** Probability the agent's current policy gave `action` (recorded as propensity), or null. */
  actionProb: number | null;
  /**
   * Natural log of `actionProb`, for joint actions whose probability underflows (then
   * `actionProb` may be null); recorded when present.
   */
  logProb?: number;
  /** Optional per-action values or probabilities, recorded for the viewer. */
  qValues?: ArrayLike<number>;
}

/** One transition, handed to {@link Agent.learn} after every training step. */
export interface Experience<Obs, Act> {
  /** Observation the action was chosen from. */
  observation: Obs;
  /** Info that came with `observation` (e.g. its action mask). */
  info: Info;
  /** The action taken. */
  action: Act;
  /** Reward received. */
  reward: number;
  /** Observation after the action. */
  nextObservation: Obs;
  /** Info after the action (e.g. the next action mask). */
  nextInfo: Info;
  /** Terminal state reached: the learner must not bootstrap (PITFALLS P1). */
  terminated: boolean;
  /** Cut by a time limit: the learner still bootstraps from `nextObservation`. */
  truncated: boolean;
}

/**
 * The protocol between an agent and the training loop. The loop calls `act` before every
 * step, `learn` after every step (before the next `act`), and `endEpisode` when an episode
 * ends. Agents draw every random number from an `Rng` they were given.
 */
export interface Agent<Obs, Act> {
  /** Agent kind, e.g. `'QLearning'`; recorded in run files. */
  readonly name: string;
  /** Hyper-parameters as JSON; recorded in run files. */
  config(): Record<string, unknown>;
  /**
   * Chooses an action. The returned object may be reused by the agent's next `act` call (so
   * hot loops allocate nothing): copy what you keep.
   *
   * @param explore - true during training; false for evaluation (greedy or deterministic).
   */
  act(observation: Obs, info: Info, explore: boolean): ActResult<Act>;
  /** Learns from one transition; may return metrics such as `{ loss }`. */
  learn(experience: Experience<Obs, Act>): Record<string, number> | void;
  /** Called when a training episode ends; may return metrics such as `{ epsilon }`. */
  endEpisode?(): Record<string, number> | void;
  /** Current values worth logging, e.g. `{ epsilon }`. */
  metrics?(): Record<string, number>;
  /** Full learning state as JSON (tables, counters, Rng state) for checkpoints. */
  getState(): unknown;
  /** Restores {@link Agent.getState}; training then continues exactly as if never stopped. */
  setState(state: unknown): void;
}
