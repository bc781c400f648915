import {
  InvalidConfigError,
  describeValue,
  rejectUnknownOptions,
  type Transition,
  type TransitionModel,
} from '../src/index';

/** Options of {@link valueIteration}. */
export interface ValueIterationOptions {
  /** Discount in [0, 1]; 1 is fine for episodic tasks whose optimal policy terminates. */
  gamma: number;
  /** Stop when a sweep changes no state value by more than theta (\> 0). @defaultValue 1e-10 */
  theta?: number;
  /** Cap on the number of sweeps. @defaultValue 100000 */
  maxIterations?: number;
  /**
   * Optimise episodes cut after this many steps (a time limit) instead of unbounded ones: exactly
   * `horizon` synchronous backups from V = 0 (backward induction). `V` is then the best
   * achievable value of a `horizon`-step episode, which no stationary policy exceeds, and
   * `policy` the optimal first action. `theta` and `maxIterations` are ignored.
   */
  horizon?: number;
}

/** What {@link valueIteration} returns. */
export interface ValueIterationResult {
  /** Optimal state values V*(s). */
  V: Float64Array;
  /** Optimal action values, row-major: `Q[s * nActions + a]`. */
  Q: Float64Array;
  /** A greedy optimal action per state (lowest index among actions within 1e-12 of the best). */
  policy: Int32Array;
  /** Sweeps performed. */
  iterations: number;
  /** False when `maxIterations` was reached before the change fell below theta. */
  converged: boolean;
}

/** Options of {@link policyEvaluation} and {@link expectedReturn}. */
export interface PolicyEvaluationOptions {
  /** Discount in [0, 1]. */
  gamma: number;
  /**
   * Evaluate episodes cut after this many steps (a time limit) instead of unbounded ones; the
   * answer is then exact for the time-limited env. @defaultValue unbounded
   */
  horizon?: number;
}

const TIE_TOLERANCE = 1e-12;
/** Largest number of unknowns solved densely (1500^3 / 3 is about 1e9 flops, a second). */
const DENSE_LIMIT = 1500;
/** Cap on Gauss-Seidel sweeps for larger models. */
const MAX_SWEEPS = 1_000_000;

/**
 * Checks a transition model: sizes, outcome lists, probabilities summing to 1 (within 1e-9),
 * next states in range, finite rewards.
 *
 * @throws InvalidConfigError naming the first bad entry, e.g. `model.P[3][1][0].nextState`.
 */
export function validateTransitionModel(model: TransitionModel): void {
  const { nStates, nActions, P } = model;
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  if (!isCount(nStates) || !isCount(nActions)) {
    throw modelError('nStates/nActions', `${describeValue(nStates)}/${describeValue(nActions)}`);
  }
  if (!Array.isArray(P) || P.length !== nStates) throw modelError('P', 'length mismatch');
  for (let s = 0; s < nStates; s++) {
    if (!Array.isArray(P[s]) || P[s].length !== nActions) throw modelError(`P[${s}]`, P[s]);
    for (let a = 0; a < nActions; a++) checkOutcomes(P[s][a], `P[${s}][${a}]`, nStates);
  }
  const d0 = model.initialStateDistribution;
  if (d0 === undefined || d0.length !== nStates) throw modelError('initialStateDistribution', d0);
  let total = 0;
  for (let s = 0; s < nStates; s++) total += d0[s];
  if (Math.abs(total - 1) > 1e-9) throw modelError('initialStateDistribution', `sum ${total}`);
}

function checkOutcomes(outcomes: readonly Transition[], where: string, nStates: number): void {
  if (!Array.isArray(outcomes) || outcomes.length === 0) throw modelError(where, outcomes);
  let total = 0;
  outcomes.forEach((t, i) => {
    if (!(t.prob >= 0 && t.prob <= 1)) throw modelError(`${where}[${i}].prob`, t.prob);
    if (!Number.isInteger(t.nextState) || t.nextState < 0 || t.nextState >= nStates) {
      throw modelError(`${where}[${i}].nextState`, t.nextState);
    }
    if (!Number.isFinite(t.reward)) throw modelError(`${where}[${i}].reward`, t.reward);
    total += t.prob;
  });
  if (Math.abs(total - 1) > 1e-9) throw modelError(where, `probabilities summing to ${total}`);
}

function modelError(where: string, received: unknown): InvalidConfigError {
  return new InvalidConfigError(
    `transition model entry model.${where} is invalid; received ${describeValue(received)}. ` +
      'Expected P[state][action] = non-empty outcome lists { prob, nextState, reward, ' +
      'terminated } with probabilities summing to 1 (see src/tabular.ts).',
  );
}

function requireGamma(gamma: unknown): number {
  if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) {
    throw new InvalidConfigError(
      `gamma must be a number in [0, 1]; received ${describeValue(gamma)}. Pass e.g. 0.99.`,
    );
  }
  return gamma;
}

/** One Bellman backup: sum over outcomes of p * (r + gamma * V(s')), no bootstrap if terminal. */
function backup(outcomes: readonly Transition[], V: Float64Array, gamma: number): number {
  let q = 0;
  for (const t of outcomes)
    q += t.prob * (t.terminated ? t.reward : t.reward + gamma * V[t.nextState]);
  return q;
}

/**
 * Value iteration (Sutton and Barto, section 4.4): sweeps the states in place with
 * `V(s) <- max_a sum_{s',r} p(s',r|s,a) [r + gamma V(s')]`, where transitions flagged
 * `terminated` contribute r only, until a sweep changes no value by more than `theta`. Starts
 * from V = 0. With gamma = 1 it converges when some optimal policy reaches termination from
 * every state from which any reward is still obtainable (FrozenLake, CliffWalking, Taxi).
 *
 * @param model - the MDP's transition table (e.g. `env.unwrapped.transitionModel()`).
 * @param options - `gamma` (required), `theta`, `maxIterations`.
 * @returns V*, Q*, a greedy optimal policy and the number of sweeps.
 * @throws InvalidConfigError for a bad option or a malformed model.
 * @example
 * ```ts
 * const { V, policy } = valueIteration(frozenLake.transitionModel(), { gamma: 1 });
 * ```
 */
export function valueIteration(
  model: TransitionModel,
  options: ValueIterationOptions,
): ValueIterationResult {
  const allowed = ['gamma', 'theta', 'maxIterations', 'horizon'];
  rejectUnknownOptions(options, allowed, 'valueIteration options');
  validateTransitionModel(model);
  const gamma = requireGamma(options?.gamma);
  if (options.horizon !== undefined) return finiteHorizonOptimum(model, gamma, options.horizon);
  const theta = options.theta ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100_000;
  if (!(theta > 0)) throw badOption('theta', theta, 'a number > 0, e.g. 1e-10');
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
    throw badOption('maxIterations', maxIterations, 'a positive integer');
  }
  const { nStates, nActions, P } = model;
  const V = new Float64Array(nStates);

  let iterations = 0;
  let converged = false;
  while (!converged && iterations < maxIterations) {
    let delta = 0;
    for (let s = 0; s < nStates; s++) {
      let best = -Infinity;
      for (let a = 0; a < nActions; a++) best = Math.max(best, backup(P[s][a], V, gamma));
      delta = Math.max(delta, Math.abs(best - V[s]));
      V[s] = best;
    }
    iterations++;
    converged = delta <= theta;
  }

  const Q = actionValues(model, V, gamma);
  return { V, Q, policy: greedyFromQ(Q, nStates, nActions), iterations, converged };
}

function finiteHorizonOptimum(
  model: TransitionModel,
  gamma: number,
  horizon: number,
): ValueIterationResult {
  if (!Number.isSafeInteger(horizon) || horizon < 1) {
    throw badOption('horizon', horizon, 'a positive integer');
  }
  const { nStates, nActions } = model;
  let V: Float64Array = new Float64Array(nStates);
  let Q: Float64Array = new Float64Array(nStates * nActions);
  for (let k = 0; k < horizon; k++) {
    Q = actionValues(model, V, gamma);
    V = new Float64Array(nStates);
    for (let s = 0; s < nStates; s++) {
      let best = -Infinity;
      for (let a = 0; a < nActions; a++) best = Math.max(best, Q[s * nActions + a]);
      V[s] = best;
    }
  }
  const policy = greedyFromQ(Q, nStates, nActions);

  return { V, Q, policy, iterations: horizon, converged: true };
}

function badOption(name: string, value: unknown, expected: string): InvalidConfigError {
  return new InvalidConfigError(`${name} must be ${expected}; received ${describeValue(value)}.`);
}

/**
 * The action values implied by state values: `Q(s,a) = sum p (r + gamma V(s'))` (terminal
 * outcomes contribute r only), row-major.
 */
export function actionValues(
  model: TransitionModel,
  V: ArrayLike<number>,
  gamma: number,
): Float64Array {
  const { nStates, nActions, P } = model;
  const values = Float64Array.from(V);
  const Q = new Float64Array(nStates * nActions);
  for (let s = 0; s < nStates; s++) {
    for (let a = 0; a < nActions; a++) Q[s * nActions + a] = backup(P[s][a], values, gamma);
  }
  return Q;
}

function greedyFromQ(Q: Float64Array, nStates: number, nActions: number): Int32Array {
  const policy = new Int32Array(nStates);
  for (let s = 0; s < nStates; s++) {
    let best = -Infinity;
    for (let a = 0; a < nActions; a++) best = Math.max(best, Q[s * nActions + a]);
    const tolerance = TIE_TOLERANCE * Math.max(1, Math.abs(best));
    let a = 0;
    while (Q[s * nActions + a] < best - tolerance) a++;
    policy[s] = a;
  }
  return policy;
}

function checkPolicy(model: TransitionModel, policy: ArrayLike<number>): void {
  const ok =
    policy !== null &&
    typeof policy === 'object' &&
    policy.length === model.nStates &&
    Array.prototype.every.call(
      policy,
      (a: number) => Number.isInteger(a) && a >= 0 && a < model.nActions,
    );
  if (!ok) {
    throw new InvalidConfigError(
      `policy must give one action in [0, ${model.nActions}) for each of the ${model.nStates} ` +
        `states; received ${describeValue(policy)}. Pass e.g. agent.greedyPolicy().`,
    );
  }
}

/**
 * The exact value of a deterministic policy, `V_pi(s)` for every state (Sutton and Barto,
 * eq. 4.4 solved as the linear system `(I - gamma P_pi) V = r_pi` instead of iterated).
 *
 * - With `horizon`: backward induction over `horizon` steps, exact for episodes cut by a time
 *   limit of that many steps.
 * - gamma \< 1: one dense solve, O(nStates^3), for up to 1500 states; larger models are solved
 *   by Gauss-Seidel sweeps until no value changes by more than 1e-13 (relative), which is
 *   exact to about 1e-11.
 * - gamma = 1: states from which no non-zero reward is reachable are worth exactly 0; states
 *   that can reach a region where the episode never ends yet rewards keep coming are worth
 *   -Infinity or +Infinity (NaN if the signs are mixed); the rest is solved exactly. So a
 *   FrozenLake policy that walks into a wall forever from some states is still evaluated
 *   exactly (those states are worth 0).
 *
 * @param model - the MDP's transition table.
 * @param policy - the action of every state (e.g. `agent.greedyPolicy()`).
 * @param options - `gamma` (required) and optional `horizon`.
 * @returns V_pi, one value per state.
 * @throws InvalidConfigError for a malformed model, policy or option.
 */
export function policyEvaluation(
  model: TransitionModel,
  policy: ArrayLike<number>,
  options: PolicyEvaluationOptions,
): Float64Array {
  rejectUnknownOptions(options, ['gamma', 'horizon'], 'policyEvaluation options');
  validateTransitionModel(model);
  checkPolicy(model, policy);
  const gamma = requireGamma(options?.gamma);
  const chain = Array.from({ length: model.nStates }, (_, s) => model.P[s][policy[s]]);
  if (options.horizon !== undefined) {
    const h = options.horizon;
    if (!Number.isSafeInteger(h) || h < 0) throw badOption('horizon', h, 'an integer >= 0');
    return finiteHorizon(chain, gamma, h);
  }
  if (gamma < 1) return solveOn(chain, gamma, new Uint8Array(chain.length).fill(1));

  return undiscounted(chain);
}

function finiteHorizon(chain: (readonly Transition[])[], gamma: number, horizon: number) {
  let V = new Float64Array(chain.length);
  let next = new Float64Array(chain.length);
  for (let k = 0; k < horizon; k++) {
    for (let s = 0; s < chain.length; s++) next[s] = backup(chain[s], V, gamma);
    [V, next] = [next, V];
  }
  return V;
}

/** Marks every state that can reach a seed state along non-terminal transitions. */
function reachesAny(chain: (readonly Transition[])[], seeds: Uint8Array): Uint8Array {
  const n = chain.length;
  const predecessors: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (const t of chain[s]) if (t.prob > 0 && !t.terminated) predecessors[t.nextState].push(s);
  }
  const marked = Uint8Array.from(seeds);
  const queue: number[] = [];
  for (let s = 0; s < n; s++) if (marked[s]) queue.push(s);
  while (queue.length > 0) {
    const s = queue.pop()!;
    for (const p of predecessors[s]) {
      if (!marked[p]) {
        marked[p] = 1;
        queue.push(p);
      }
    }
  }
  return marked;
}

function seedsWhere(
  chain: (readonly Transition[])[],
  test: (t: Transition) => boolean,
): Uint8Array {
  return Uint8Array.from(chain, (outcomes) =>
    outcomes.some((t) => t.prob > 0 && test(t)) ? 1 : 0,
  );
}

/**
 * gamma = 1: split the states into zero-valued, infinite and solvable ones (see policyEvaluation).
 */
function undiscounted(chain: (readonly Transition[])[]): Float64Array {
  const n = chain.length;
  const rewarding = reachesAny(
    chain,
    seedsWhere(chain, (t) => t.reward !== 0),
  );
  const exits = seedsWhere(chain, (t) => t.terminated || !rewarding[t.nextState]);
  const canExit = reachesAny(chain, exits);
  const stuck = Uint8Array.from(rewarding, (r, s) => (r && !canExit[s] ? 1 : 0));
  const infinite = reachesAny(chain, stuck);
  // The sign of an infinite value is that of the rewards collected forever in the stuck region.
  const positive = reachesAny(
    chain,
    seedsWhere(chain, (t) => t.reward > 0),
  );
  const negative = reachesAny(
    chain,
    seedsWhere(chain, (t) => t.reward < 0),
  );
  const upward = reachesAny(
    chain,
    Uint8Array.from(stuck, (x, s) => x & positive[s]),
  );
  const downward = reachesAny(
    chain,
    Uint8Array.from(stuck, (x, s) => x & negative[s]),
  );
  const solvable = Uint8Array.from(rewarding, (r, s) => (r && !infinite[s] ? 1 : 0));
  const V = solveOn(chain, 1, solvable);
  for (let s = 0; s < n; s++) {
    if (!infinite[s]) continue;
    V[s] = upward[s] && downward[s] ? NaN : upward[s] ? Infinity : -Infinity;
  }
  return V;
}

/**
 * Solves `V(s) = sum p (r + gamma [not terminal] V(s'))` for the states marked in `unknown`,
 * with every other state's value taken as 0 (Gaussian elimination, partial pivoting).
 */
function solveOn(
  chain: (readonly Transition[])[],
  gamma: number,
  unknown: Uint8Array,
): Float64Array {
  const n = chain.length;
  const index = new Int32Array(n).fill(-1);
  let m = 0;
  for (let s = 0; s < n; s++) if (unknown[s]) index[s] = m++;
  if (m > DENSE_LIMIT) return gaussSeidel(chain, gamma, unknown);
  const A = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let s = 0; s < n; s++) {
    const i = index[s];
    if (i < 0) continue;
    A[i * m + i] += 1;
    for (const t of chain[s]) {
      b[i] += t.prob * t.reward;
      const j = index[t.nextState];
      if (!t.terminated && j >= 0) A[i * m + j] -= gamma * t.prob;
    }
  }
  const x = gaussianSolve(A, b, m);
  const V = new Float64Array(n);
  for (let s = 0; s < n; s++) if (index[s] >= 0) V[s] = x[index[s]];
  return V;
}

/**
 * The same system by Gauss-Seidel sweeps (Sutton and Barto, section 4.1, in place), for models
 * too large for a dense solve. Converges because every unknown state exits the unknown set
 * (terminates or reaches a zero-valued state) with positive probability, or gamma \< 1.
 */
function gaussSeidel(
  chain: (readonly Transition[])[],
  gamma: number,
  unknown: Uint8Array,
): Float64Array {
  const V = new Float64Array(chain.length);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let delta = 0;
    let scale = 1;
    // Alternate the sweep direction (symmetric Gauss-Seidel): values flow both ways quickly.
    for (let i = 0; i < chain.length; i++) {
      const s = sweep % 2 === 0 ? i : chain.length - 1 - i;
      if (!unknown[s]) continue;
      const v = backup(chain[s], V, gamma);
      delta = Math.max(delta, Math.abs(v - V[s]));
      scale = Math.max(scale, Math.abs(v));
      V[s] = v;
    }
    if (delta <= 1e-13 * scale) break;
  }
  return V;
}

/** Solves A x = b in place (A is m x m row-major) by Gaussian elimination with partial pivoting. */
function gaussianSolve(A: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) {
      if (Math.abs(A[r * m + col]) > Math.abs(A[pivot * m + col])) pivot = r;
    }
    if (pivot !== col) swapRows(A, b, m, pivot, col);
    const diag = A[col * m + col];
    for (let r = col + 1; r < m; r++) {
      const f = A[r * m + col] / diag;
      if (f === 0) continue;
      for (let c = col; c < m; c++) A[r * m + c] -= f * A[col * m + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let sum = b[r];
    for (let c = r + 1; c < m; c++) sum -= A[r * m + c] * x[c];
    x[r] = sum / A[r * m + r];
  }
  return x;
}

function swapRows(A: Float64Array, b: Float64Array, m: number, i: number, j: number): void {
  for (let c = 0; c < m; c++) {
    const tmp = A[i * m + c];
    A[i * m + c] = A[j * m + c];
    A[j * m + c] = tmp;
  }
  const tb = b[i];
  b[i] = b[j];
  b[j] = tb;
}

/**
 * The expected (discounted) return of a deterministic policy from the start distribution:
 * `sum_s d0(s) V_pi(s)`. With gamma = 1 on CliffWalking the optimal policy gives -13.
 *
 * @throws InvalidConfigError as {@link policyEvaluation}.
 */
export function expectedReturn(
  model: TransitionModel,
  policy: ArrayLike<number>,
  options: PolicyEvaluationOptions,
): number {
  return startValue(model, policyEvaluation(model, policy, options));
}

/** `sum_s d0(s) V(s)`, the value of a value function under the start distribution. */
export function startValue(model: TransitionModel, V: ArrayLike<number>): number {
  let total = 0;
  const d0 = model.initialStateDistribution;
  for (let s = 0; s < model.nStates; s++) if (d0[s] > 0) total += d0[s] * V[s];
  return total;
}

/** Options of {@link successProbability} and {@link successModel}. */
export interface SuccessOptions {
  /** Episodes cut after this many steps; unbounded when omitted. */
  horizon?: number;
  /**
   * Which terminal outcomes count as success. @defaultValue a terminal transition with a
   * reward \> 0 (FrozenLake's goal)
   */
  isSuccess?: (transition: Transition) => boolean;
}

/**
 * The same MDP with reward 1 on successful terminal transitions and 0 elsewhere, so that values
 * under gamma = 1 are success probabilities; `valueIteration(successModel(m), { gamma: 1 })`
 * gives the best achievable success rate whatever the original reward shaping.
 */
export function successModel(
  model: TransitionModel,
  isSuccess: (t: Transition) => boolean = (t) => t.terminated && t.reward > 0,
): TransitionModel {
  const P = model.P.map((row) =>
    row.map((outcomes) =>
      outcomes.map((t) => ({ ...t, reward: t.terminated && isSuccess(t) ? 1 : 0 })),
    ),
  );
  const { nStates, nActions, initialStateDistribution } = model;
  return { nStates, nActions, P, initialStateDistribution };
}

/**
 * Probability that a deterministic policy's episode, started from the start distribution,
 * ends in success (by default: a terminal transition with positive reward, i.e. FrozenLake's
 * goal). Exact, not sampled.
 *
 * @param model - the MDP's transition table.
 * @param policy - the action of every state.
 * @param options - `horizon` (time limit) and `isSuccess`.
 * @throws InvalidConfigError as {@link policyEvaluation}.
 */
export function successProbability(
  model: TransitionModel,
  policy: ArrayLike<number>,
  options: SuccessOptions = {},
): number {
  rejectUnknownOptions(options, ['horizon', 'isSuccess'], 'successProbability options');
  const indicator = successModel(model, options.isSuccess);
  return expectedReturn(indicator, policy, { gamma: 1, horizon: options.horizon });
}
