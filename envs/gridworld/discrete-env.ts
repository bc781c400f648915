import {
  Discrete,
  Env,
  InvalidActionError,
  InvalidConfigError,
  ResetNeededError,
  describeValue,
  rejectUnknownOptions,
} from '../../src/index';
import type {
  EnvMetadata,
  HasTransitionModel,
  Info,
  RenderFrame,
  ResetArgs,
  ResetResult,
  StepResult,
  Transition,
  TransitionModel,
} from '../../src/index';

/**
 * The JSON frame every gridworld's `render()` returns; the viewer's gridworld renderer reads
 * exactly these keys.
 */
export type GridworldFrame = RenderFrame & {
  /** Always `'gridworld'`. */
  family: 'gridworld';
  /** Number of rows of the grid. */
  nrow: number;
  /** Number of columns of the grid. */
  ncol: number;
  /** One string per row; characters `S F H G # .` (Taxi: `R G Y B .`). */
  tiles: string[];
  /** The agent's cell as `[row, col]`, row 0 at the top. */
  agent: [number, number];
  /** The action of the last step, `null` right after `reset`. */
  lastAction: number | null;
  /** The reward of the last step, `null` right after `reset`. */
  lastReward: number | null;
  /** Family-specific facts (Taxi: passenger, destination, depots). */
  extra?: Record<string, unknown>;
};

/** `P[state][action]` as the mutable lists a model builder fills. */
export type TransitionTable = Transition[][][];

/**
 * Transition tables flattened into typed arrays so `step` reads them without allocating.
 * Outcomes of `(state, action)` are the rows `start[i] .. start[i + 1] - 1`, `i = state * nA + action`.
 */
interface CompiledTable {
  start: Int32Array;
  cumulative: Float64Array;
  prob: Float64Array;
  next: Int32Array;
  reward: Float64Array;
  terminated: Uint8Array;
}

function compile(P: TransitionTable, nActions: number): CompiledTable {
  const nRows = P.length * nActions;
  const start = new Int32Array(nRows + 1);
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    start[i] = total;
    total += P[Math.floor(i / nActions)][i % nActions].length;
  }
  start[nRows] = total;
  const table: CompiledTable = {
    start,
    cumulative: new Float64Array(total),
    prob: new Float64Array(total),
    next: new Int32Array(total),
    reward: new Float64Array(total),
    terminated: new Uint8Array(total),
  };
  for (let i = 0; i < nRows; i++) fillRow(table, i, P[Math.floor(i / nActions)][i % nActions]);

  return table;
}

function fillRow(table: CompiledTable, row: number, outcomes: Transition[]): void {
  let k = table.start[row];
  let cumulative = 0;
  for (const t of outcomes) {
    cumulative += t.prob;
    table.cumulative[k] = cumulative;
    table.prob[k] = t.prob;
    table.next[k] = t.nextState;
    table.reward[k] = t.reward;
    table.terminated[k] = t.terminated ? 1 : 0;
    k++;
  }
}

/**
 * Checks that every `(state, action)` has outcomes with probabilities in (0, 1] summing to 1.
 * Builders are ours, so a failure here is a bug in a map or option, reported with its location.
 */
function checkTable(P: TransitionTable, nActions: number, where: string): void {
  for (let s = 0; s < P.length; s++) {
    for (let a = 0; a < nActions; a++) {
      const outcomes = P[s][a];
      const sum = outcomes.reduce((acc, t) => acc + t.prob, 0);
      if (outcomes.length === 0 || Math.abs(sum - 1) > 1e-9) {
        throw new InvalidConfigError(
          `${where}: the outcomes of state ${s}, action ${a} have total probability ${sum}; ` +
            'expected 1. Check successRate (it must lie in [0, 1]).',
        );
      }
    }
  }
}

function freezeModel(P: TransitionTable, nActions: number, initial: Float64Array): TransitionModel {
  for (const byAction of P) {
    for (const outcomes of byAction) {
      for (const t of outcomes) Object.freeze(t);
      Object.freeze(outcomes);
    }
    Object.freeze(byAction);
  }
  Object.freeze(P);

  return Object.freeze({
    nStates: P.length,
    nActions,
    P,
    initialStateDistribution: Array.from(initial),
  });
}

/**
 * FrozenLake's slipping rule for four directions numbered cyclically (so `d - 1` and `d + 1` are
 * the perpendicular ones): the intended direction `d` with `successRate`, `d - 1` and `d + 1` with
 * `(1 - successRate) / 2` each, never the opposite; listed in Gymnasium's order `d - 1, d, d + 1`.
 * Zero-probability directions are left out. Not slippery: `d` with probability 1.
 *
 * @param direction - the intended direction, 0..3.
 * @param isSlippery - whether moves slip.
 * @param successRate - probability of the intended direction, in [0, 1].
 */
export function slipDirections(
  direction: number,
  isSlippery: boolean,
  successRate: number,
): { direction: number; prob: number }[] {
  if (!isSlippery) return [{ direction, prob: 1 }];
  const fail = (1 - successRate) / 2;
  const moves = [(direction + 3) % 4, direction, (direction + 1) % 4].map((d) => ({
    direction: d,
    prob: d === direction ? successRate : fail,
  }));

  return moves.filter((m) => m.prob > 0);
}

/** What a subclass hands to {@link DiscreteModelEnv}'s constructor. */
export interface DiscreteModelSpec {
  /** Env name used in error messages, e.g. `'FrozenLake'`. */
  name: string;
  /** `P[state][action]` outcomes; probabilities of each list sum to 1. */
  P: TransitionTable;
  /** Number of actions. */
  nActions: number;
  /** Probability of starting in each state (sums to 1). */
  initialStateDistribution: Float64Array;
  /**
   * The info of landing in `state` with outcome probability `prob`; must be a pure function
   * (it is called once per table entry, while the env is constructed). @defaultValue `{ prob }`
   */
  info?: (state: number, prob: number) => Info;
}

/**
 * Base of the tabular gridworlds: a finite MDP given by its transition table, stepped by
 * sampling the table with the env's seeded {@link Rng}. The table is compiled once into typed
 * arrays, and the info of every outcome is built once and frozen, so `step` allocates only its
 * result object. Info objects are shared between steps: copy one before changing it.
 *
 * Random draws: `reset` draws one uniform number when more than one start state is possible;
 * `step` draws one uniform number when the action has more than one outcome. Deterministic
 * dynamics therefore consume no randomness.
 */
export abstract class DiscreteModelEnv extends Env<number, number> implements HasTransitionModel {
  /** `Discrete(nStates)`: the state index. */
  readonly observationSpace: Discrete;
  /** `Discrete(nActions)`. */
  readonly actionSpace: Discrete;
  /** Current state; -1 before the first `reset`. */
  protected state = -1;
  // Small-integer sentinels (-1 = none) rather than null, so these fields keep one
  // representation and step() boxes no numbers; see lastAction and lastReward.
  private lastActionIndex = -1;
  private lastOutcome = -1;
  private readonly name: string;
  private readonly nActions: number;
  private readonly start: Int32Array;
  private readonly cumulative: Float64Array;
  private readonly next: Int32Array;
  private readonly reward: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly stepInfos: readonly Info[];
  private readonly infoOf: (state: number, prob: number) => Info;
  private readonly initialCumulative: Float64Array;
  private readonly initialStates: Int32Array;
  private readonly model: TransitionModel;

  /**
   * @param spec - the MDP; its table is checked, compiled and frozen.
   * @throws InvalidConfigError when some `(state, action)` outcomes do not sum to 1.
   */
  constructor(spec: DiscreteModelSpec) {
    super();
    checkTable(spec.P, spec.nActions, spec.name);
    this.name = spec.name;
    this.nActions = spec.nActions;
    this.observationSpace = new Discrete(spec.P.length);
    this.actionSpace = new Discrete(spec.nActions);
    const { start, cumulative, next, reward, terminated, prob } = compile(spec.P, spec.nActions);
    [this.start, this.cumulative, this.next, this.reward] = [start, cumulative, next, reward];
    this.terminated = terminated;
    this.infoOf = spec.info ?? ((_state, p) => ({ prob: p }));
    this.stepInfos = Array.from(next, (s, k) => Object.freeze(this.infoOf(s, prob[k])));
    const starts = [...spec.initialStateDistribution.keys()].filter(
      (s) => spec.initialStateDistribution[s] > 0,
    );
    this.initialStates = Int32Array.from(starts);
    let total = 0;
    this.initialCumulative = Float64Array.from(
      starts,
      (s) => (total += spec.initialStateDistribution[s]),
    );
    this.model = freezeModel(spec.P, spec.nActions, spec.initialStateDistribution);
    this.metadata = { family: 'gridworld', renderFps: 4 } satisfies EnvMetadata;
  }

  /** The full transition table (frozen; shared by every call). */
  transitionModel(): TransitionModel {
    return this.model;
  }

  /**
   * Starts an episode in a start state drawn from the initial distribution.
   *
   * @param args - `seed` reseeds the env (omit it to continue the current stream); this env
   *   takes no reset `options`.
   * @throws InvalidSeedError for a bad seed; InvalidConfigError for any reset option.
   */
  reset(args: ResetArgs = {}): ResetResult<number> {
    this.seedRng(args.seed);
    rejectUnknownOptions(args.options, [], `${this.name} reset options`);
    const n = this.initialStates.length;
    let k = 0;
    if (n > 1) {
      const u = this.rng.random();
      while (k < n - 1 && u >= this.initialCumulative[k]) k++;
    }
    this.state = this.initialStates[k];
    this.lastActionIndex = -1;
    this.lastOutcome = -1;

    return { observation: this.state, info: this.infoOf(this.state, 1) };
  }

  /**
   * Takes `action`, samples the outcome from the transition table.
   *
   * @param action - an integer in `[0, nActions)`.
   * @throws ResetNeededError before the first `reset`; InvalidActionError for an action outside
   *   the action space.
   */
  step(action: number): StepResult<number> {
    if (this.state < 0) throw this.resetNeeded();
    if (action >>> 0 !== action || action >= this.nActions) throw this.invalidAction(action);
    const row = this.state * this.nActions + action;
    let k = this.start[row];
    const last = this.start[row + 1] - 1;
    if (k < last) {
      const u = this.rng.random();
      while (k < last && u >= this.cumulative[k]) k++;
    }
    this.state = this.next[k];
    this.lastActionIndex = action;
    this.lastOutcome = k;

    // truncated is always false here: time limits are the TimeLimit wrapper's job (make adds it).
    return {
      observation: this.state,
      reward: this.reward[k],
      terminated: this.terminated[k] === 1,
      truncated: false,
      info: this.stepInfos[k],
    };
  }

  /** Action of the last step; `null` right after `reset`. */
  protected get lastAction(): number | null {
    return this.lastActionIndex < 0 ? null : this.lastActionIndex;
  }

  /** Reward of the last step; `null` right after `reset`. */
  protected get lastReward(): number | null {
    return this.lastOutcome < 0 ? null : this.reward[this.lastOutcome];
  }

  /**
   * The current state, for `render`.
   *
   * @throws ResetNeededError before the first `reset`.
   */
  protected currentState(): number {
    if (this.state < 0) throw this.resetNeeded();

    return this.state;
  }

  private resetNeeded(): ResetNeededError {
    return new ResetNeededError(
      `${this.name}: step() or render() called before reset(). ` +
        'Call env.reset({ seed }) first to start an episode.',
    );
  }

  private invalidAction(action: unknown): InvalidActionError {
    return new InvalidActionError(
      `${this.name}: action must be an integer in [0, ${this.nActions - 1}] ` +
        `(Discrete(${this.nActions})); received ${describeValue(action)}. ` +
        'Pass a member of env.actionSpace, e.g. env.actionSpace.sample(rng).',
    );
  }
}
