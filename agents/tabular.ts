import {
  Discrete,
  EnvContractError,
  InvalidActionError,
  InvalidConfigError,
  Rng,
  describeValue,
  rejectUnknownOptions,
  type ActResult,
  type Agent,
  type Experience,
  type Info,
  type RngState,
  type Space,
} from '../src/index';
import type { ActionMask } from './exploration';
import {
  EpsilonGreedyPolicy,
  GreedyPolicy,
  type ExplorationPolicy,
  type PolicyState,
} from './policies';
import type { Schedule, ScheduleConfig } from './schedules';

/**
 * Options shared by the tabular agents. Size the table either with `nStates`/`nActions` or with
 * the env's `observationSpace`/`actionSpace` (both Discrete; their `start` offsets are honoured).
 */
export interface TabularAgentOptions {
  /** Number of states (rows of the Q-table). */
  nStates?: number;
  /** Number of actions (columns of the Q-table). */
  nActions?: number;
  /** The env's observation space, a `Discrete`; alternative to `nStates`. */
  observationSpace?: Space<number>;
  /** The env's action space, a `Discrete`; alternative to `nActions`. */
  actionSpace?: Space<number>;
  /** Step size alpha, in (0, 1]. @defaultValue 0.1 */
  alpha?: number;
  /** Discount gamma, in [0, 1]. @defaultValue 0.99 */
  gamma?: number;
  /**
   * Exploration policy used when `act(..., explore = true)`. Give this or `epsilon`, not both.
   * @defaultValue an {@link EpsilonGreedyPolicy} with `epsilon`
   */
  policy?: ExplorationPolicy;
  /**
   * Epsilon (number, schedule or schedule config) for the default epsilon-greedy policy.
   * @defaultValue 0.1
   */
  epsilon?: number | Schedule | ScheduleConfig;
  /**
   * Initial value of every Q-table entry; optimistic values encourage exploration. @defaultValue 0
   */
  initialValue?: number;
  /**
   * Generator for exploration draws; an evaluation stream is spawned from it.
   * @defaultValue a `new Rng()` seeded from OS entropy
   */
  rng?: Rng;
  /**
   * When true, `act(..., explore = false)` breaks ties by lowest index; by default it breaks
   * them uniformly at random (PITFALLS P8), drawing from a separate evaluation stream so that
   * evaluating never changes the training trajectory. @defaultValue false
   */
  deterministicEvaluation?: boolean;
  /**
   * When true, `act` returns a copy of the state's Q-values (for recordings). @defaultValue false
   */
  reportQValues?: boolean;
}

const OPTION_NAMES = [
  'nStates',
  'nActions',
  'observationSpace',
  'actionSpace',
  'alpha',
  'gamma',
  'policy',
  'epsilon',
  'initialValue',
  'rng',
  'deterministicEvaluation',
  'reportQValues',
];

/** The JSON checkpoint of a tabular agent ({@link TabularAgent.getState}). */
export interface TabularAgentState {
  /** Format tag. */
  format: 'tsgym-tabular/1';
  /** Agent kind; must match on restore. */
  name: string;
  /** Table rows. */
  nStates: number;
  /** Table columns. */
  nActions: number;
  /** The Q-table, row-major: entry `state * nActions + action`. */
  table: number[];
  /** `learn` calls so far. */
  steps: number;
  /** `endEpisode` calls so far. */
  episodes: number;
  /** Schedule clocks of the exploration policy. */
  policy: PolicyState;
  /** Exploration stream. */
  rng: RngState;
  /** Evaluation tie-break stream. */
  evalRng: RngState;
  /** SARSA only: the next action already drawn for `state`, or null. */
  pending: { state: number; action: number; prob: number } | null;
}

function requireRange(value: unknown, name: string, ok: (v: number) => boolean, hint: string) {
  if (typeof value !== 'number' || !ok(value)) {
    throw new InvalidConfigError(`${name} must be ${hint}; received ${describeValue(value)}.`);
  }
  return value;
}

function sizeFrom(count: unknown, space: unknown, names: [string, string]): [number, number] {
  if (space !== undefined) {
    if (!(space instanceof Discrete)) {
      throw new InvalidConfigError(
        `${names[1]} must be a Discrete space; received ${describeValue(space)}. ` +
          'Tabular agents need discrete observations and actions.',
      );
    }
    if (count !== undefined && count !== space.n) {
      throw new InvalidConfigError(
        `${names[0]} (${describeValue(count)}) disagrees with ${names[1]}.n (${space.n}); ` +
          'give only one of them.',
      );
    }
    return [space.n, space.start];
  }
  const isCount = (v: number) => Number.isSafeInteger(v) && v > 0;
  const hint = `a positive integer (or give ${names[1]})`;

  return [requireRange(count, names[0], isCount, hint), 0];
}

/**
 * Shared machinery of the tabular TD agents: a row-major Float64Array Q-table, the exploration
 * and evaluation policies, step and episode counters, checkpoints. Subclasses supply the
 * bootstrap value of their update rule. No array is allocated per step: Q-table rows are cached
 * views, Expected SARSA reuses one probability buffer, and `act` returns one small result object
 * (with a Q-value copy only when `reportQValues` is set).
 *
 * Every update follows `Q(s,a) <- Q(s,a) + alpha * (target - Q(s,a))`, where target is
 * `r + gamma * bootstrap(s')` when `terminated` is false and just `r` when it is true
 * (PITFALLS P1): a time-limit truncation still bootstraps.
 */
export abstract class TabularAgent implements Agent<number, number> {
  /** Agent kind. */
  abstract readonly name: string;
  /** Number of states. */
  readonly nStates: number;
  /** Number of actions. */
  readonly nActions: number;
  /** Step size. */
  readonly alpha: number;
  /** Discount. */
  readonly gamma: number;
  /** Initial Q-value. */
  readonly initialValue: number;
  /** Exploration policy (its clocks advance with `learn` and `endEpisode`). */
  readonly policy: ExplorationPolicy;
  /** Greedy policy used for `act(..., explore = false)`. */
  readonly evaluationPolicy: GreedyPolicy;
  protected readonly table: Float64Array;
  protected rng: Rng;
  protected evalRng: Rng;
  protected readonly scratch: Float64Array;
  protected steps = 0;
  protected episodes = 0;
  protected readonly obsStart: number;
  protected readonly actStart: number;
  private readonly rows: (Float64Array | null)[];
  private readonly reportQValues: boolean;
  private lastMeanAbsTdError = 0;
  private readonly reusedResult: { action: number; actionProb: number } = {
    action: 0,
    actionProb: 1,
  };
  private absTdErrorSum = 0;
  private episodeUpdates = 0;

  /** @throws InvalidConfigError naming any bad or unknown option. */
  constructor(options: TabularAgentOptions) {
    rejectUnknownOptions(options, OPTION_NAMES, 'tabular agent options');
    const o = options;
    [this.nStates, this.obsStart] = sizeFrom(o.nStates, o.observationSpace, [
      'nStates',
      'observationSpace',
    ]);
    [this.nActions, this.actStart] = sizeFrom(o.nActions, o.actionSpace, [
      'nActions',
      'actionSpace',
    ]);
    this.alpha = requireRange(o.alpha ?? 0.1, 'alpha', (v) => v > 0 && v <= 1, 'in (0, 1]');
    this.gamma = requireRange(o.gamma ?? 0.99, 'gamma', (v) => v >= 0 && v <= 1, 'in [0, 1]');
    const finite = Number.isFinite;
    this.initialValue = requireRange(o.initialValue ?? 0, 'initialValue', finite, 'finite');
    this.policy = choosePolicy(o.policy, o.epsilon);
    this.evaluationPolicy = new GreedyPolicy({ deterministic: o.deterministicEvaluation ?? false });
    this.rng = chooseRng(o.rng);
    this.evalRng = this.rng.spawn('evaluation');
    this.reportQValues = o.reportQValues ?? false;
    this.table = new Float64Array(this.nStates * this.nActions).fill(this.initialValue);
    this.scratch = new Float64Array(this.nActions);
    this.rows = new Array<Float64Array | null>(this.nStates).fill(null);
  }

  /** Hyper-parameters as JSON. */
  config(): Record<string, unknown> {
    return {
      nStates: this.nStates,
      nActions: this.nActions,
      alpha: this.alpha,
      gamma: this.gamma,
      initialValue: this.initialValue,
      policy: this.policy.toJSON(),
      deterministicEvaluation: this.evaluationPolicy.deterministic,
      seed: this.rng.seed,
    };
  }

  /**
   * Chooses an action for `observation`: from the exploration policy when `explore` is true,
   * greedily otherwise (ties at random unless `deterministicEvaluation`). Honours
   * `info.actionMask`. `actionProb` is the probability the acting policy gave the action.
   *
   * @throws EnvContractError when the observation is not a state index of this table.
   * @throws InvalidActionError when the mask has the wrong length or allows nothing.
   */
  act(observation: number, info: Info, explore: boolean): ActResult<number> {
    const s = this.stateIndex(observation);
    const row = this.row(s);
    const mask = info?.actionMask as ActionMask | undefined;
    const policy = explore ? this.policy : this.evaluationPolicy;
    const a = policy.selectAction(row, explore ? this.rng : this.evalRng, mask);

    return this.result(s, a + this.actStart, policy.lastActionProb);
  }

  /**
   * Applies the update rule to one transition; bootstraps exactly when `terminated` is false.
   *
   * @throws EnvContractError or InvalidActionError for indices outside the table.
   */
  learn(experience: Experience<number, number>): void {
    const s = this.stateIndex(experience.observation);
    const a = this.actionIndex(experience.action);
    const next = this.stateIndex(experience.nextObservation);
    this.steps++;
    this.policy.advanceStep();

    let target = experience.reward;
    if (!experience.terminated) {
      const nextMask = experience.nextInfo?.actionMask as ActionMask | undefined;
      target += this.gamma * this.bootstrap(next, nextMask, experience.truncated);
    } else this.onTerminal();
    const i = s * this.nActions + a;
    const tdError = target - this.table[i];
    this.table[i] += this.alpha * tdError;
    this.absTdErrorSum += Math.abs(tdError);
    this.episodeUpdates++;
  }

  /**
   * Advances the episode clock. Allocates nothing (short episodes make this a hot path); the
   * episode's mean absolute TD error is reported by {@link TabularAgent.metrics}.
   */
  endEpisode(): void {
    this.episodes++;
    this.policy.advanceEpisode();
    this.onTerminal();
    this.lastMeanAbsTdError = this.episodeUpdates ? this.absTdErrorSum / this.episodeUpdates : 0;
    this.absTdErrorSum = 0;
    this.episodeUpdates = 0;
  }

  /**
   * The exploration policy's scheduled values (e.g. `{ epsilon }`) and the mean absolute TD
   * error of the last finished episode (`meanAbsTdError`).
   */
  metrics(): Record<string, number> {
    return { ...this.policy.metrics(), meanAbsTdError: this.lastMeanAbsTdError };
  }

  /** A copy of the Q-values of `state` (never a view of the live table). */
  qValues(state: number): Float64Array {
    return Float64Array.from(this.row(this.stateIndex(state)));
  }

  /**
   * The exploration policy's probability of every action in `state`, as a fresh array
   * (PITFALLS P14): later learning never changes it.
   */
  actionProbs(state: number, mask?: ActionMask): Float64Array {
    return this.policy.actionProbs(this.row(this.stateIndex(state)), mask);
  }

  /**
   * The greedy action of every state (action values as the env numbers them). Ties go to the
   * lowest index so that the result is reproducible and draws no randomness.
   */
  greedyPolicy(): Int32Array {
    const policy = new Int32Array(this.nStates);
    const n = this.nActions;
    for (let s = 0; s < this.nStates; s++) {
      let best = 0;
      for (let a = 1; a < n; a++) if (this.table[s * n + a] > this.table[s * n + best]) best = a;
      policy[s] = best + this.actStart;
    }
    return policy;
  }

  /** Table, counters, schedule clocks and Rng states as JSON, for exact resume. */
  getState(): TabularAgentState {
    return {
      format: 'tsgym-tabular/1',
      name: this.name,
      nStates: this.nStates,
      nActions: this.nActions,
      table: Array.from(this.table),
      steps: this.steps,
      episodes: this.episodes,
      policy: this.policy.getState(),
      rng: this.rng.getState(),
      evalRng: this.evalRng.getState(),
      pending: this.pendingState(),
    };
  }

  /**
   * Restores {@link TabularAgent.getState}; training then continues bit for bit.
   *
   * @throws InvalidConfigError when the state is malformed or belongs to another agent or size.
   */
  setState(state: unknown): void {
    const st = checkState(state, this.name, this.nStates, this.nActions);
    this.table.set(st.table);
    this.steps = st.steps;
    this.episodes = st.episodes;
    this.policy.setState(st.policy);
    this.rng = Rng.fromState(st.rng);
    this.evalRng = Rng.fromState(st.evalRng);
    this.restorePending(st.pending);
  }

  /** The bootstrap value of `next` (its max, sampled or expected action value). */
  protected abstract bootstrap(
    next: number,
    mask: ActionMask | undefined,
    truncated: boolean,
  ): number;

  /** Called when the episode is over for the learner (terminal step or `endEpisode`). */
  protected onTerminal(): void {}

  /** SARSA's pending action, or null. */
  protected pendingState(): TabularAgentState['pending'] {
    return null;
  }

  /** Restores SARSA's pending action. */
  protected restorePending(_pending: TabularAgentState['pending']): void {}

  /** Builds the act result; `action` is in env numbering. */
  protected result(s: number, action: number, actionProb: number): ActResult<number> {
    if (!this.reportQValues) {
      // Reused across calls (allowed by the Agent protocol): no allocation on the hot path.
      this.reusedResult.action = action;
      this.reusedResult.actionProb = actionProb;
      return this.reusedResult;
    }
    return { action, actionProb, qValues: Float64Array.from(this.row(s)) };
  }

  /** The cached view of row `s` of the Q-table. */
  protected row(s: number): Float64Array {
    let row = this.rows[s];
    if (row === null) {
      row = this.table.subarray(s * this.nActions, (s + 1) * this.nActions);
      this.rows[s] = row;
    }
    return row;
  }

  /** Maps an observation to its row, checking it lies in the table. */
  protected stateIndex(observation: number): number {
    const s = observation - this.obsStart;
    if (!(s >= 0 && s < this.nStates && Number.isInteger(s))) {
      throw new EnvContractError(
        `observation must be an integer in [${this.obsStart}, ${this.obsStart + this.nStates}) ` +
          `for this ${this.name} table; received ${describeValue(observation)}. Build the agent ` +
          "from the env's observationSpace, or fix the env.",
      );
    }
    return s;
  }

  /** Maps an action to its column, checking it lies in the table. */
  protected actionIndex(action: number): number {
    const a = action - this.actStart;
    if (!(a >= 0 && a < this.nActions && Number.isInteger(a))) {
      throw new InvalidActionError(
        `action must be an integer in [${this.actStart}, ${this.actStart + this.nActions}); ` +
          `received ${describeValue(action)}. Pass the action returned by act().`,
      );
    }
    return a;
  }
}

function choosePolicy(
  policy: ExplorationPolicy | undefined,
  epsilon: number | Schedule | ScheduleConfig | undefined,
): ExplorationPolicy {
  if (policy !== undefined && epsilon !== undefined) {
    throw new InvalidConfigError(
      `give either policy or epsilon, not both; received epsilon ${describeValue(epsilon)} ` +
        `with policy ${describeValue(policy.toJSON?.())}. Put epsilon inside the policy.`,
    );
  }
  if (policy === undefined) return new EpsilonGreedyPolicy({ epsilon: epsilon ?? 0.1 });
  if (typeof policy?.selectAction !== 'function' || typeof policy.actionProb !== 'function') {
    throw new InvalidConfigError(
      `policy must be an ExplorationPolicy (e.g. new EpsilonGreedyPolicy()); received ` +
        `${describeValue(policy)}.`,
    );
  }
  return policy;
}

function chooseRng(rng: unknown): Rng {
  if (rng === undefined) return new Rng();
  if (!(rng instanceof Rng)) {
    throw new InvalidConfigError(
      `rng must be an Rng (e.g. new Rng(0)); received ${describeValue(rng)}.`,
    );
  }
  return rng;
}

function checkState(state: unknown, name: string, nStates: number, nActions: number) {
  const fail = (what: string, value: unknown) =>
    new InvalidConfigError(
      `state.${what} is wrong for this ${name} agent (${nStates} x ${nActions}); received ` +
        `${describeValue(value)}. Pass an object returned by getState() of the same agent kind.`,
    );
  if (typeof state !== 'object' || state === null) throw fail('(root)', state);
  const st = state as TabularAgentState;
  if (st.format !== 'tsgym-tabular/1') throw fail('format', st.format);
  if (st.name !== name) throw fail('name', st.name);
  if (st.nStates !== nStates || st.nActions !== nActions) throw fail('nStates', st.nStates);
  const table = st.table;
  if (!Array.isArray(table) || table.length !== nStates * nActions) throw fail('table', table);
  if (!table.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw fail(
      'table',
      table.find((v) => typeof v !== 'number' || !Number.isFinite(v)),
    );
  }
  for (const key of ['steps', 'episodes'] as const) {
    if (!Number.isSafeInteger(st[key]) || st[key] < 0) throw fail(key, st[key]);
  }
  if (typeof st.rng !== 'object' || typeof st.evalRng !== 'object') throw fail('rng', st.rng);
  return st;
}

/**
 * Q-learning (Watkins, 1989; Sutton and Barto, eq. 6.8), off-policy TD control:
 * `Q(S,A) <- Q(S,A) + alpha * [R + gamma * max_a Q(S',a) - Q(S,A)]`, the max taken over the
 * actions legal in S' (`nextInfo.actionMask`), and the bracketed bootstrap dropped when S' is
 * terminal (`terminated`; PITFALLS P1). Truncation still bootstraps.
 *
 * @example
 * ```ts
 * const env = make('FrozenLake-v1');
 * const agent = new QLearning({
 *   observationSpace: env.observationSpace as Discrete,
 *   actionSpace: env.actionSpace as Discrete,
 *   alpha: 0.1,
 *   gamma: 0.99,
 *   epsilon: { type: 'linear', start: 1, end: 0.05, duration: 50_000 },
 *   rng: new Rng(0),
 * });
 * ```
 */
export class QLearning extends TabularAgent {
  /** `'QLearning'`. */
  readonly name = 'QLearning';

  /** max over legal actions of Q(next, a). */
  protected bootstrap(next: number, mask: ActionMask | undefined): number {
    const n = this.nActions;
    const base = next * n;
    let best = -Infinity;
    for (let a = 0; a < n; a++) {
      if (mask && !mask[a]) continue;
      const v = this.table[base + a];
      if (v > best) best = v;
    }
    if (best === -Infinity) {
      throw new InvalidActionError(
        `the action mask of a non-terminal next state allows no action (received ` +
          `${describeValue(mask)}); a state with no legal action must be terminal.`,
      );
    }
    return best;
  }
}

/**
 * SARSA (Rummery and Niranjan, 1994; Sutton and Barto, eq. 6.7), on-policy TD control:
 * `Q(S,A) <- Q(S,A) + alpha * [R + gamma * Q(S',A') - Q(S,A)]`, where A' is drawn from S' by the
 * exploration policy inside `learn`, before Q(S,A) is updated (the book's algorithm box). The
 * next `act` on S' returns that same A' with the probability it was drawn with, so the action
 * bootstrapped from is the action taken. When S' is terminal (`terminated`) no A' is drawn and
 * the target is R. On truncation without termination A' is still drawn and bootstrapped from,
 * then discarded, since the next episode starts elsewhere.
 */
export class Sarsa extends TabularAgent {
  /** `'Sarsa'`. */
  readonly name = 'Sarsa';
  private pendingStateIndex = -1;
  private pendingAction = -1;
  private pendingProb = 0;

  /** Returns the pending A' when asked to explore from the state it was drawn for. */
  override act(observation: number, info: Info, explore: boolean): ActResult<number> {
    if (explore && this.pendingStateIndex >= 0) {
      const s = this.stateIndex(observation);
      if (s === this.pendingStateIndex) {
        const a = this.pendingAction;
        const prob = this.pendingProb;
        this.pendingStateIndex = -1;
        return this.result(s, a + this.actStart, prob);
      }
      this.pendingStateIndex = -1;
    }
    return super.act(observation, info, explore);
  }

  /** Q(next, A') with A' drawn by the exploration policy and kept for the next `act`. */
  protected bootstrap(next: number, mask: ActionMask | undefined, truncated: boolean): number {
    const row = this.row(next);
    const a = this.policy.selectAction(row, this.rng, mask);
    if (!truncated) {
      this.pendingStateIndex = next;
      this.pendingAction = a;
      this.pendingProb = this.policy.lastActionProb;
    } else this.pendingStateIndex = -1;
    return row[a];
  }

  protected override onTerminal(): void {
    this.pendingStateIndex = -1;
  }

  protected override pendingState(): TabularAgentState['pending'] {
    if (this.pendingStateIndex < 0) return null;
    return { state: this.pendingStateIndex, action: this.pendingAction, prob: this.pendingProb };
  }

  protected override restorePending(pending: TabularAgentState['pending']): void {
    if (pending === null || pending === undefined) {
      this.pendingStateIndex = -1;
      return;
    }
    const { state, action, prob } = pending;
    const valid = (v: unknown, n: number) =>
      Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;
    if (!valid(state, this.nStates) || !valid(action, this.nActions) || !(prob > 0 && prob <= 1)) {
      throw new InvalidConfigError(
        `state.pending must be null or { state, action, prob } inside the table; received ` +
          `${describeValue(pending)}. Pass an object returned by getState().`,
      );
    }
    this.pendingStateIndex = state;
    this.pendingAction = action;
    this.pendingProb = prob;
  }
}

/**
 * Expected SARSA (van Seijen et al., 2009; Sutton and Barto, eq. 6.9):
 * `Q(S,A) <- Q(S,A) + alpha * [R + gamma * sum_a pi(a|S') Q(S',a) - Q(S,A)]`, with pi the
 * exploration policy's current probabilities (clocks already advanced past this step, i.e. the
 * policy that will choose the next action) restricted by `nextInfo.actionMask`. No bootstrap
 * when `terminated`. With a greedy policy this is Q-learning.
 */
export class ExpectedSarsa extends TabularAgent {
  /** `'ExpectedSarsa'`. */
  readonly name = 'ExpectedSarsa';

  /** The policy-weighted mean of Q(next, .), computed in a reused buffer. */
  protected bootstrap(next: number, mask: ActionMask | undefined): number {
    const row = this.row(next);
    const probs = this.policy.probsInto(row, this.scratch, mask);
    let expected = 0;
    for (let a = 0; a < this.nActions; a++) if (probs[a] > 0) expected += probs[a] * row[a];
    return expected;
  }
}
