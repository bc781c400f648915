import {
  InvalidConfigError,
  Rng,
  describeValue,
  rejectUnknownOptions,
  type ActResult,
  type Agent,
  type Experience,
  type Info,
  type RngState,
} from '../../src/index';
import { AscentOptimizer } from './optim';
import {
  LinearSoftmaxPolicy,
  greedyAction,
  logProbCoefficients,
  maskedSoftmax,
  sampleAction,
} from './policy';
import { checkReward, checkUnitInterval } from './reinforce';
import { normalizeReturns, rewardToGo } from './returns';

/** Options of {@link FactorisedReinforceAgent}. */
export interface FactorisedReinforceOptions {
  /** Features per row (per customer). */
  nFeatures: number;
  /** Actions per row. */
  nActions: number;
  /** Adam step size. @defaultValue 0.02 */
  learningRate?: number;
  /** Discount over weeks, per row. @defaultValue 0 */
  gamma?: number;
  /** Z-score the per-row returns over the whole episode (PITFALLS P10). @defaultValue true */
  normalizeReturns?: boolean;
  /** Weight of the entropy bonus. @defaultValue 0 */
  entropyCoef?: number;
  /** Draws the actions. @defaultValue a `new Rng()` seeded from OS entropy */
  rng?: Rng;
}

const OPTIONS = [
  'nFeatures',
  'nActions',
  'learningRate',
  'gamma',
  'normalizeReturns',
  'entropyCoef',
  'rng',
];

/** What {@link FactorisedReinforceAgent.act} returns: an `ActResult` plus the log-probability. */
export interface FactorisedActResult extends ActResult<Int32Array> {
  /**
   * `log P(action | observation)` of the whole action vector under the agent's stochastic
   * policy, budget trimming included (see {@link FactorisedReinforceAgent}); always finite for
   * an action the policy can take. `actionProb` is `exp(logProb)` when that is a normal double
   * (`logProb >= -708`), and null when it would underflow, as it does for more than a few
   * hundred customers.
   */
  logProb: number;
}

/** The per-row policy evaluated on every row of one observation. */
interface RowTable {
  /** `pi(b | x_i)` at `[i * nActions + b]`. */
  probs: Float64Array;
  /** `log pi(b | x_i)`, same layout. */
  logProbs: Float64Array;
  /** Entropy of each row's distribution. */
  entropies: Float64Array;
  /** `1 - pi(0 | x_i)`: the probability of an e-mail, which ranks rows for the budget. */
  mailScore: Float64Array;
}

/** One week of the running episode. */
interface Week {
  observation: Float32Array;
  actions: Int32Array;
  rewards: Float64Array;
  mask?: ArrayLike<number>;
  budget?: number;
}

/**
 * A factorised policy for population envs: the same linear softmax policy acts on every row of
 * the feature matrix independently, `pi(a | X) = prod_i pi(a_i | x_i)`, so
 * `grad log pi(a | X) = sum_i grad log pi(a_i | x_i)`. With per-row rewards
 * (`info.customerRewards`) each row's score is weighted by that row's own reward-to-go, the
 * usual variance reduction for factorised actions; without them every row gets the total.
 * Updated by REINFORCE (Williams, 1992) at the end of each episode: one Adam step on
 * `mean_rows sum_weeks sum_i A_{t,i} grad log P_i`, with `A` z-scored over the episode.
 *
 * ## Budget
 * When `info.emailBudget` is a number B, rows are sampled as above and then trimmed: if more
 * than `floor(B)` rows drew a non-zero action, only the `floor(B)` of them with the highest
 * `1 - pi(0 | x_i)` keep it (ties to the lower index), the others get 0. The probability of
 * the executed vector `e` under this trimmed policy is exact and cheap: when fewer than
 * `floor(B)` e-mails went out nothing was trimmed and `P(e | X) = prod_i pi(e_i | x_i)`; when
 * exactly `floor(B)` went out, a row ranked after the last mailed row ends at 0 whatever it
 * drew, while a row ranked before it must have drawn 0, so `P(e | X)` is the product over the
 * rows ranked up to that last mailed row only. `act` reports this log-probability, and the
 * update uses its score: rows cut by the budget get no credit for an action they did not
 * choose. Two approximations remain:
 * - the ranking itself depends on the parameters, so the expected profit is only piecewise
 *   smooth in them; the score is its exact gradient between changes of the ranking and does
 *   not see the jump a change of ranking makes;
 * - the per-row credit leaves out the cross terms `E[grad log P_j * r_i]`, i != j. Customers
 *   are independent, so these vanish without a binding budget (up to the batch z-score); with
 *   one, customer j's e-mail can push customer i out of the budget and that effect is ignored.
 *   Turn `customerRewards` off on the env to weight every row by the total reward, which
 *   keeps them (unbiased, but with variance that grows with the population).
 *
 * `getState` is meant between episodes: the weeks of a running episode are not saved (they
 * hold the whole feature matrix of every week).
 */
export class FactorisedReinforceAgent implements Agent<Float32Array, Int32Array> {
  readonly name = 'FactorisedReinforce';
  /** The shared per-row policy. */
  readonly policy: LinearSoftmaxPolicy;
  private readonly options: FactorisedReinforceOptions;
  private readonly optimizer: AscentOptimizer;
  private rng: Rng;
  private weeks: Week[] = [];
  private table: RowTable = emptyTable(0, 0);

  /**
   * @param options - see {@link FactorisedReinforceOptions}.
   * @throws InvalidConfigError for unknown options or out-of-range values.
   */
  constructor(options: FactorisedReinforceOptions) {
    rejectUnknownOptions(options, OPTIONS, 'FactorisedReinforceAgent options');
    this.options = options;
    checkUnitInterval(options.gamma ?? 0, 'gamma');
    this.policy = new LinearSoftmaxPolicy(options.nFeatures, options.nActions);
    const lr = options.learningRate ?? 0.02;
    this.optimizer = new AscentOptimizer(this.policy.params.length, 'adam', lr);
    this.rng = options.rng ?? new Rng();
  }

  config(): Record<string, unknown> {
    const { rng: _rng, ...rest } = this.options;
    return { ...rest, policy: this.policy.config() };
  }

  private rows(observation: Float32Array): number {
    const f = this.options.nFeatures;
    if (observation.length % f !== 0) {
      throw new InvalidConfigError(
        `observation length ${observation.length} is not a multiple of nFeatures ${f}; ` +
          'pass the population feature matrix, row-major.',
      );
    }
    return observation.length / f;
  }

  /** Evaluates the per-row policy on every row into `this.table` (reused between calls). */
  private evaluateRows(observation: Float32Array, mask?: ArrayLike<number>): RowTable {
    const rows = this.rows(observation);
    const f = this.options.nFeatures;
    const n = this.options.nActions;
    if (this.table.mailScore.length !== rows) this.table = emptyTable(rows, n);
    const { probs, logProbs, entropies, mailScore } = this.table;
    const logits = new Float64Array(n);
    for (let i = 0; i < rows; i++) {
      const x = observation.subarray(i * f, (i + 1) * f);
      this.policy.checkObservation(x);
      this.policy.logits(x, logits);
      const p = probs.subarray(i * n, (i + 1) * n);
      const lp = logProbs.subarray(i * n, (i + 1) * n);
      entropies[i] = maskedSoftmax(logits, p, lp, rowMask(mask, i, n));
      mailScore[i] = 1 - p[0];
    }
    return this.table;
  }

  act(observation: Float32Array, info: Info, explore: boolean): FactorisedActResult {
    const mask = info.actionMask as ArrayLike<number> | undefined;
    const t = this.evaluateRows(observation, mask);
    const n = this.options.nActions;
    const actions = new Int32Array(t.mailScore.length);
    for (let i = 0; i < actions.length; i++) {
      const p = t.probs.subarray(i * n, (i + 1) * n);
      actions[i] = explore ? sampleAction(p, this.rng) : greedyAction(p);
    }
    const budget = info.emailBudget;
    if (typeof budget === 'number') applyBudget(actions, t.mailScore, budget);
    const logProb = jointLogProb(actions, t, n, budget as number | undefined);

    return { action: actions, actionProb: logProb >= -708 ? Math.exp(logProb) : null, logProb };
  }

  /**
   * `log P(action | observation)` under the current policy with the budget trimming of `info`
   * (see the class notes): the log-propensity to log for off-policy evaluation.
   *
   * @returns a finite number, or -Infinity for an action the policy cannot take (a masked
   *   action, or more e-mails than the budget).
   */
  actionLogProb(observation: Float32Array, info: Info, action: ArrayLike<number>): number {
    const t = this.evaluateRows(observation, info.actionMask as ArrayLike<number> | undefined);
    checkActionLength(action, t.mailScore.length);
    return jointLogProb(action, t, this.options.nActions, info.emailBudget as number | undefined);
  }

  /**
   * Adds `grad log P(action | observation)` (the score of {@link actionLogProb}, budget
   * trimming included) to `grad`, with row i's term scaled by `rowWeights[i]` (1 when omitted).
   * This is the gradient the update follows.
   */
  accumulateScore(
    observation: Float32Array,
    info: Info,
    action: ArrayLike<number>,
    grad: Float64Array,
    rowWeights?: ArrayLike<number>,
  ): void {
    const mask = info.actionMask as ArrayLike<number> | undefined;
    const t = this.evaluateRows(observation, mask);
    checkActionLength(action, t.mailScore.length);
    const inLikelihood = rowsInLikelihood(action, t.mailScore, info.emailBudget);
    const weights = Float64Array.from({ length: action.length }, (_, i) =>
      inLikelihood(i) ? (rowWeights ? rowWeights[i] : 1) : 0,
    );
    this.accumulateRows({ observation, actions: action, table: t, weights }, 0, grad);
  }

  private accumulateRows(
    week: {
      observation: Float32Array;
      actions: ArrayLike<number>;
      table: RowTable;
      weights: ArrayLike<number>;
    },
    entropyCoef: number,
    grad: Float64Array,
  ): void {
    const f = this.options.nFeatures;
    const n = this.options.nActions;
    const coefficients = new Float64Array(n);
    const { probs, logProbs, entropies } = week.table;
    for (let i = 0; i < week.actions.length; i++) {
      const p = probs.subarray(i * n, (i + 1) * n);
      const lp = logProbs.subarray(i * n, (i + 1) * n);
      const term = { coef: entropyCoef, entropy: entropies[i] };
      logProbCoefficients(week.actions[i], week.weights[i], p, lp, term, coefficients);
      const x = week.observation.subarray(i * f, (i + 1) * f);
      this.policy.accumulateGradient(x, coefficients, grad);
    }
  }

  learn(e: Experience<Float32Array, Int32Array>): Record<string, number> | void {
    checkReward(e.reward);
    const rows = this.rows(e.observation);
    // The step's own info (nextInfo) carries the per-row split of the reward just received.
    const rewards = e.nextInfo.customerRewards as ArrayLike<number> | undefined;
    const perRow =
      rewards?.length === rows ? Float64Array.from(rewards) : new Float64Array(rows).fill(e.reward);
    perRow.forEach(checkReward);
    checkActionLength(e.action, rows);
    const budget = e.info.emailBudget;
    this.weeks.push({
      observation: e.observation.slice(),
      actions: e.action.slice(),
      rewards: perRow,
      mask: e.info.actionMask as ArrayLike<number> | undefined,
      budget: typeof budget === 'number' ? budget : undefined,
    });
    if (e.terminated || e.truncated) return this.update(rows);
  }

  private update(rows: number): Record<string, number> {
    const weeks = this.weeks;
    const weights = this.episodeWeights(rows);
    const grad = new Float64Array(this.policy.params.length);
    const entropyCoef = this.options.entropyCoef ?? 0;
    weeks.forEach((w, t) => {
      const table = this.evaluateRows(w.observation, w.mask);
      const rowWeights = weights.subarray(t * rows, (t + 1) * rows);
      this.accumulateRows({ ...w, table, weights: rowWeights }, entropyCoef, grad);
    });
    for (let k = 0; k < grad.length; k++) grad[k] /= rows;
    this.optimizer.step(this.policy.params, grad);
    this.weeks = [];
    return { customerWeeks: weeks.length * rows };
  }

  /**
   * Per-row reward-to-go of every week (`[t * rows + i]`), z-scored over the row-weeks that
   * enter the likelihood, and 0 for rows a binding budget cut (they have no score term).
   */
  private episodeWeights(rows: number): Float64Array {
    const weeks = this.weeks;
    const gamma = this.options.gamma ?? 0;
    const weights = new Float64Array(weeks.length * rows);
    const column = new Float64Array(weeks.length);
    for (let i = 0; i < rows; i++) {
      weeks.forEach((w, t) => (column[t] = w.rewards[i]));
      const g = rewardToGo(column, undefined, gamma);
      for (let t = 0; t < weeks.length; t++) weights[t * rows + i] = g[t];
    }
    const scored = new Uint8Array(weights.length);
    weeks.forEach((w, t) => {
      const score = w.budget === undefined ? undefined : this.evaluateRows(w.observation, w.mask);
      const inLikelihood = rowsInLikelihood(w.actions, score?.mailScore, w.budget);
      for (let i = 0; i < rows; i++) scored[t * rows + i] = inLikelihood(i) ? 1 : 0;
    });
    const kept = weights.filter((_, k) => scored[k] === 1);
    if (this.options.normalizeReturns ?? true) normalizeReturns(kept, kept);
    let next = 0;
    for (let k = 0; k < weights.length; k++) weights[k] = scored[k] ? kept[next++] : 0;
    return weights;
  }

  getState(): unknown {
    return {
      format: 'tsgym-factorised-reinforce/1',
      params: Array.from(this.policy.params),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
    };
  }

  /**
   * Restores {@link FactorisedReinforceAgent.getState}, taken between episodes (the weeks of a
   * running episode are not saved).
   */
  setState(state: unknown): void {
    const s = state as { format?: string; params: number[]; optimizer: never; rng: RngState };
    if (s?.format !== 'tsgym-factorised-reinforce/1') {
      throw new InvalidConfigError(
        `state must come from FactorisedReinforceAgent.getState(); received ${describeValue(state)}.`,
      );
    }
    this.policy.params.set(s.params);
    this.optimizer.setState(s.optimizer);
    this.rng = Rng.fromState(s.rng);
    this.weeks = [];
  }
}

function rowMask(mask: ArrayLike<number> | undefined, i: number, n: number) {
  if (!mask) return undefined;
  return ArrayBuffer.isView(mask)
    ? (mask as Uint8Array).subarray(i * n, (i + 1) * n)
    : Array.prototype.slice.call(mask, i * n, (i + 1) * n);
}

function emptyTable(rows: number, nActions: number): RowTable {
  return {
    probs: new Float64Array(rows * nActions),
    logProbs: new Float64Array(rows * nActions),
    entropies: new Float64Array(rows),
    mailScore: new Float64Array(rows),
  };
}

function checkActionLength(action: ArrayLike<number>, rows: number): void {
  if (action?.length !== rows) {
    throw new InvalidConfigError(
      `action must hold one entry per row (${rows}); received ${describeValue(action)}.`,
    );
  }
}

/** Whether row i ranks before row j for the budget: higher mail score, then lower index. */
function ranksBefore(score: ArrayLike<number>, i: number, j: number): boolean {
  return score[i] > score[j] || (score[i] === score[j] && i < j);
}

/**
 * Which rows' own actions enter `P(actions | X)` under budget trimming (class notes): every row
 * when there is no budget or fewer than `floor(budget)` e-mails went out; otherwise the rows
 * ranked up to the last mailed row (none when the budget is 0).
 */
function rowsInLikelihood(
  actions: ArrayLike<number>,
  score: ArrayLike<number> | undefined,
  budget: unknown,
): (i: number) => boolean {
  if (typeof budget !== 'number' || score === undefined) return () => true;
  let mailed = 0;
  let last = -1;
  for (let i = 0; i < actions.length; i++) {
    if (actions[i] === 0) continue;
    mailed++;
    if (last < 0 || ranksBefore(score, last, i)) last = i;
  }
  if (mailed < Math.max(0, Math.floor(budget))) return () => true;

  return (i) => last >= 0 && (i === last || ranksBefore(score, i, last));
}

/** `log P(actions | X)` of the trimmed factorised policy; -Infinity for an impossible vector. */
function jointLogProb(
  actions: ArrayLike<number>,
  t: RowTable,
  nActions: number,
  budget: number | undefined,
): number {
  let mailed = 0;
  for (let i = 0; i < actions.length; i++) if (actions[i] !== 0) mailed++;
  if (typeof budget === 'number' && mailed > Math.max(0, Math.floor(budget))) return -Infinity;
  const inLikelihood = rowsInLikelihood(actions, t.mailScore, budget);
  let logProb = 0;
  for (let i = 0; i < actions.length; i++) {
    if (inLikelihood(i)) logProb += t.logProbs[i * nActions + actions[i]];
  }
  return logProb;
}

/** Keeps at most `budget` non-zero actions, those with the highest `score`; the rest become 0. */
function applyBudget(actions: Int32Array, score: Float64Array, budget: number): void {
  const mailed: number[] = [];
  actions.forEach((a, i) => {
    if (a !== 0) mailed.push(i);
  });
  if (mailed.length <= budget) return;
  mailed.sort((a, b) => score[b] - score[a] || a - b);
  for (let k = Math.max(0, Math.floor(budget)); k < mailed.length; k++) actions[mailed[k]] = 0;
}
