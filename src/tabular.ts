/** One outcome of taking an action in a state of a finite MDP. */
export interface Transition {
  /** Probability of this outcome, in (0, 1]. */
  prob: number;
  /** The next state's index. */
  nextState: number;
  /** Reward received. */
  reward: number;
  /** True when `nextState` is terminal. */
  terminated: boolean;
}

/**
 * The full dynamics of a finite MDP, as Gymnasium's toy-text envs expose them:
 * `P[state][action]` lists the outcomes, their probabilities summing to 1.
 */
export interface TransitionModel {
  /** Number of states; states are `0 .. nStates - 1`. */
  readonly nStates: number;
  /** Number of actions; actions are `0 .. nActions - 1`. */
  readonly nActions: number;
  /** `P[state][action]` = outcomes of taking `action` in `state`. */
  readonly P: ReadonlyArray<ReadonlyArray<ReadonlyArray<Transition>>>;
  /** Probability of starting in each state. */
  readonly initialStateDistribution: ArrayLike<number>;
}

/** An env whose dynamics are known exactly, so planners such as value iteration can use them. */
export interface HasTransitionModel {
  /** The env's transition table. */
  transitionModel(): TransitionModel;
}

/** True when `env` exposes a transition table. */
export function hasTransitionModel(env: unknown): env is HasTransitionModel {
  return (
    typeof env === 'object' &&
    env !== null &&
    typeof (env as Partial<HasTransitionModel>).transitionModel === 'function'
  );
}
