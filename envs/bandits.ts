import {
  Discrete,
  Env,
  InvalidActionError,
  InvalidConfigError,
  ResetNeededError,
  describeValue,
  register,
  rejectUnknownOptions,
  type Info,
  type RenderFrame,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from '../src/index';

/**
 * The render frame of every bandit env. The viewer's bandit renderer reads exactly these keys
 * (notes/RUNS.md), so they must not change.
 */
export type BanditFrame = RenderFrame & {
  /** Always `'bandit'`. */
  family: 'bandit';
  /** Number of arms. */
  k: number;
  /** The true mean reward of every arm now. */
  trueMeans: number[];
  /** The arm pulled on the last step, null right after reset. */
  lastArm: number | null;
  /** The reward of the last step, null right after reset. */
  lastReward: number | null;
  /** How often each arm has been pulled this episode. */
  pulls: number[];
  /** The arm with the highest true mean now (lowest index among ties). */
  optimalArm: number;
};

/** Options every bandit env accepts. */
export interface BanditOptions {
  /** Number of arms, a positive integer. @defaultValue 10 */
  k?: number;
  /** Pulls per episode; the episode is truncated after this many steps. @defaultValue 1000 */
  steps?: number;
}

const DEFAULT_K = 10;
const DEFAULT_STEPS = 1000;
// Exercise 2.5 of Sutton and Barto asks for runs of 10,000 steps.
const NONSTATIONARY_STEPS = 10_000;

function checkInt(value: unknown, name: string, min: number, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidConfigError(
      `${where}: ${name} must be an integer >= ${min}; received ${describeValue(value)}. ` +
        `Pass e.g. ${name}: ${Math.max(min, 10)}.`,
    );
  }
  return value;
}

function checkNumber(value: unknown, name: string, min: number, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const range = min === -Infinity ? 'a finite number' : `a finite number >= ${min}`;
    throw new InvalidConfigError(
      `${where}: ${name} must be ${range}; received ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkNumberList(value: unknown, name: string, where: string, unit = false): number[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (v) => typeof v === 'number' && Number.isFinite(v) && (!unit || (v >= 0 && v <= 1)),
    );
  if (!ok) {
    const what = unit ? 'probabilities in [0, 1]' : 'finite numbers';
    throw new InvalidConfigError(
      `${where}: ${name} must be a non-empty array of ${what}; received ${describeValue(value)}.`,
    );
  }
  return [...(value as number[])];
}

/** Resolves `k` from the option and, when given, the length of a per-arm list. */
function resolveK(k: unknown, list: number[] | undefined, listName: string, where: string) {
  if (list === undefined) return k === undefined ? DEFAULT_K : checkInt(k, 'k', 1, where);
  if (k !== undefined && k !== list.length) {
    throw new InvalidConfigError(
      `${where}: k = ${describeValue(k)} but ${listName} has ${list.length} entries. ` +
        `Omit k or make them agree.`,
    );
  }
  return list.length;
}

/**
 * Shared machinery of the k-armed bandits: one state (observation always 0), `k` arms, episodes
 * of `steps` pulls cut by truncation. Subclasses draw the true means at reset and the reward of
 * a pull; {@link BanditEnv.afterStep} lets the means move between steps.
 *
 * Every step's `info` carries `optimalArm` (highest true mean at the time of the pull, lowest
 * index among ties), `regret` (that mean minus the pulled arm's mean, never negative) and
 * `isOptimal` (the pulled arm's mean equals the best one, so `regret === 0`).
 */
export abstract class BanditEnv extends Env<number, number> {
  /** Discrete(1): the single state is observed as 0. */
  readonly observationSpace = new Discrete(1);
  /** Discrete(k): the arm to pull. */
  readonly actionSpace: Discrete;
  /** Number of arms. */
  readonly k: number;
  /** Pulls per episode before truncation. */
  readonly steps: number;
  /** True mean reward of each arm; subclasses fill it in {@link BanditEnv.drawMeans}. */
  protected readonly means: Float64Array;
  private readonly pullCounts: number[];
  private elapsed = 0;
  private started = false;
  private lastArm: number | null = null;
  private lastReward: number | null = null;

  /**
   * @param k - number of arms.
   * @param steps - pulls per episode.
   */
  protected constructor(k: number, steps: number) {
    super();
    this.k = k;
    this.steps = steps;
    this.actionSpace = new Discrete(k);
    this.means = new Float64Array(k);
    this.pullCounts = new Array<number>(k).fill(0);
    this.metadata = { family: 'bandit', renderFps: 30 };
  }

  /** Draws (or sets) the true means for a new episode, from `this.rng` only. */
  protected abstract drawMeans(): void;

  /** Draws the reward of pulling `arm`, from `this.rng` only. */
  protected abstract drawReward(arm: number): number;

  /** Called after every pull; non-stationary bandits move their means here. */
  protected afterStep(): void {}

  /**
   * Starts a run of `steps` pulls with freshly drawn true means.
   *
   * @param args - `seed` reseeds the env; no reset options are understood.
   * @returns observation 0 and `info.trueMeans`, `info.optimalArm`.
   * @throws InvalidSeedError for a bad seed; InvalidConfigError for any reset option.
   */
  reset(args: ResetArgs = {}): ResetResult<number> {
    this.seedRng(args.seed);
    rejectUnknownOptions(args.options, [], `${this.constructor.name}.reset options`);
    this.drawMeans();
    this.elapsed = 0;
    this.started = true;
    this.pullCounts.fill(0);
    this.lastArm = null;
    this.lastReward = null;

    return { observation: 0, info: { trueMeans: this.trueMeans, optimalArm: this.optimalArm } };
  }

  /**
   * Pulls one arm.
   *
   * @param action - the arm, an integer in [0, k).
   * @returns the reward; `terminated` is always false, `truncated` is true on pull `steps`.
   * @throws ResetNeededError before the first reset or after the episode ended;
   *   InvalidActionError for an arm outside [0, k).
   */
  step(action: number): StepResult<number> {
    this.checkCanStep(action);
    const optimalArm = this.optimalArm;
    const regret = this.means[optimalArm] - this.means[action];
    const info: Info = { optimalArm, regret, isOptimal: regret === 0 };

    const reward = this.drawReward(action);
    this.pullCounts[action]++;
    this.elapsed++;
    this.lastArm = action;
    this.lastReward = reward;
    this.afterStep();

    // A bandit has no terminal state: the run only ends because its budget of pulls is spent.
    const truncated = this.elapsed >= this.steps;
    return { observation: 0, reward, terminated: false, truncated, info };
  }

  private checkCanStep(action: number): void {
    if (!this.started || this.elapsed >= this.steps) {
      const why = this.started ? `all ${this.steps} pulls of the episode are spent` : 'no reset';
      throw new ResetNeededError(`step() called but ${why}. Call env.reset() first.`);
    }
    if (!this.actionSpace.contains(action)) {
      throw new InvalidActionError(
        `action must be an arm index, an integer in [0, ${this.k}); ` +
          `received ${describeValue(action)}. Pick an arm with env.actionSpace.sample(rng).`,
      );
    }
  }

  /** The true means now, as a fresh array (index = arm). */
  get trueMeans(): number[] {
    return Array.from(this.means);
  }

  /** The arm with the highest true mean now; the lowest index among ties. */
  get optimalArm(): number {
    let best = 0;
    for (let a = 1; a < this.k; a++) if (this.means[a] > this.means[best]) best = a;
    return best;
  }

  /**
   * The bandit frame: true means, pull counts, last arm and reward, optimal arm.
   *
   * @throws ResetNeededError before the first reset (there are no means yet).
   */
  override render(): BanditFrame {
    if (!this.started) {
      throw new ResetNeededError('render() called before reset(); call env.reset() first.');
    }
    return {
      family: 'bandit',
      k: this.k,
      trueMeans: this.trueMeans,
      lastArm: this.lastArm,
      lastReward: this.lastReward,
      pulls: [...this.pullCounts],
      optimalArm: this.optimalArm,
    };
  }
}

/** Options of {@link GaussianBandit}. */
export interface GaussianBanditOptions extends BanditOptions {
  /** Fixed true means, one per arm, instead of drawing them at reset; sets `k`. */
  means?: number[];
  /** Centre of the drawn true means: q*(a) ~ N(meanOffset, 1). @defaultValue 0 */
  meanOffset?: number;
  /** Standard deviation of a reward around its arm's mean. @defaultValue 1 */
  rewardStd?: number;
}

/**
 * The 10-armed testbed of Sutton and Barto (2018), section 2.3.
 *
 * - **Observation:** Discrete(1); always 0 (a bandit has one state).
 * - **Action:** Discrete(k); the arm to pull.
 * - **Reward:** R ~ N(q*(A), rewardStd^2), rewardStd = 1 by default.
 * - **True means:** at every reset q*(a) ~ N(meanOffset, 1) independently (meanOffset = 0; the
 *   book's Figure 2.5 uses +4), or the fixed `means`.
 * - **Episode end:** never terminated; truncated after `steps` pulls (one "run" of the book).
 *   `make('GaussianBandit-v0')` also applies a time limit of 1000 steps; pass
 *   `{ maxEpisodeSteps }` to `make` together with a larger `steps`.
 * - **Info:** reset: `trueMeans`, `optimalArm`. Step: `optimalArm`, `regret`, `isOptimal`.
 * - **Options:** `k` (10), `steps` (1000), `means`, `meanOffset` (0), `rewardStd` (1).
 * - **Seeding:** `reset({ seed })` reseeds; the means and then every reward are drawn from the
 *   env's generator, so the same seed gives the same means and rewards for the same arms.
 * - **Version history:** v0: first version.
 *
 * @example
 * ```ts
 * const env = make('GaussianBandit-v0', { k: 10 });
 * const { info } = env.reset({ seed: 1 }); // info.trueMeans
 * const { reward } = env.step(3);
 * ```
 */
export class GaussianBandit extends BanditEnv {
  private readonly fixedMeans: number[] | undefined;
  private readonly meanOffset: number;
  private readonly rewardStd: number;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: GaussianBanditOptions = {}) {
    const where = 'GaussianBandit options';
    rejectUnknownOptions(options, ['k', 'steps', 'means', 'meanOffset', 'rewardStd'], where);
    const means =
      options.means === undefined ? undefined : checkNumberList(options.means, 'means', where);
    super(
      resolveK(options.k, means, 'means', where),
      checkInt(options.steps ?? DEFAULT_STEPS, 'steps', 1, where),
    );
    this.fixedMeans = means;
    this.meanOffset = checkNumber(options.meanOffset ?? 0, 'meanOffset', -Infinity, where);
    this.rewardStd = checkNumber(options.rewardStd ?? 1, 'rewardStd', 0, where);
  }

  protected drawMeans(): void {
    for (let a = 0; a < this.k; a++) {
      this.means[a] = this.fixedMeans ? this.fixedMeans[a] : this.rng.normal(this.meanOffset, 1);
    }
  }

  protected drawReward(arm: number): number {
    return this.rng.normal(this.means[arm], this.rewardStd);
  }
}

/** Options of {@link BernoulliBandit}. */
export interface BernoulliBanditOptions extends BanditOptions {
  /** Fixed success probability of each arm, in [0, 1]; sets `k`. Drawn U(0, 1) when omitted. */
  probs?: number[];
}

/**
 * Bernoulli arms: each pull pays 1 with the arm's probability, else 0.
 *
 * - **Observation:** Discrete(1); always 0.
 * - **Action:** Discrete(k); the arm to pull.
 * - **Reward:** 1 with probability p(A), else 0; the true mean of an arm is p(a).
 * - **True means:** the fixed `probs`, or p(a) ~ U(0, 1) independently at every reset.
 * - **Episode end:** never terminated; truncated after `steps` pulls. `make` applies a time
 *   limit of 1000 steps.
 * - **Info:** reset: `trueMeans`, `optimalArm`. Step: `optimalArm`, `regret`, `isOptimal`.
 * - **Options:** `k` (10, or the length of `probs`), `steps` (1000), `probs`.
 * - **Seeding:** `reset({ seed })` reseeds; drawn probabilities and rewards come from the env's
 *   generator.
 * - **Version history:** v0: first version.
 *
 * @example
 * ```ts
 * const env = make('BernoulliBandit-v0', { probs: [0.1, 0.5, 0.7] });
 * env.reset({ seed: 0 });
 * const { reward } = env.step(2); // 1 with probability 0.7
 * ```
 */
export class BernoulliBandit extends BanditEnv {
  private readonly fixedProbs: number[] | undefined;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: BernoulliBanditOptions = {}) {
    const where = 'BernoulliBandit options';
    rejectUnknownOptions(options, ['k', 'steps', 'probs'], where);
    const probs =
      options.probs === undefined
        ? undefined
        : checkNumberList(options.probs, 'probs', where, true);
    super(
      resolveK(options.k, probs, 'probs', where),
      checkInt(options.steps ?? DEFAULT_STEPS, 'steps', 1, where),
    );
    this.fixedProbs = probs;
  }

  protected drawMeans(): void {
    for (let a = 0; a < this.k; a++) {
      this.means[a] = this.fixedProbs ? this.fixedProbs[a] : this.rng.random();
    }
  }

  protected drawReward(arm: number): number {
    return this.rng.random() < this.means[arm] ? 1 : 0;
  }
}

/** Options of {@link NonstationaryBandit}. */
export interface NonstationaryBanditOptions extends BanditOptions {
  /** Standard deviation of each mean's random-walk increment per step. @defaultValue 0.01 */
  walkStd?: number;
  /** The common starting value of every true mean. @defaultValue 0 */
  initialMean?: number;
  /** Standard deviation of a reward around its arm's mean. @defaultValue 1 */
  rewardStd?: number;
}

/**
 * The non-stationary testbed of Sutton and Barto (2018), exercise 2.5: all true means start
 * equal and take independent random walks.
 *
 * - **Observation:** Discrete(1); always 0.
 * - **Action:** Discrete(k); the arm to pull.
 * - **Reward:** R ~ N(q*(A), rewardStd^2), drawn from the means as they are at the pull.
 * - **True means:** every q*(a) = initialMean at reset; after every pull each mean independently
 *   adds an N(0, walkStd^2) increment. `info` of a step describes the means at the time of the
 *   pull; `trueMeans` at reset are all equal, so every arm starts optimal (`optimalArm` = 0).
 * - **Episode end:** never terminated; truncated after `steps` pulls (10,000 by default, as in
 *   the exercise). `make` applies a time limit of 10,000 steps.
 * - **Info:** reset: `trueMeans`, `optimalArm`. Step: `optimalArm`, `regret`, `isOptimal`.
 * - **Options:** `k` (10), `steps` (10000), `walkStd` (0.01), `initialMean` (0), `rewardStd` (1).
 * - **Seeding:** `reset({ seed })` reseeds; rewards and walk increments come from the env's
 *   generator in a fixed order (reward first, then the k increments).
 * - **Version history:** v0: first version.
 *
 * @example
 * ```ts
 * const env = make('NonstationaryBandit-v0', { walkStd: 0.01 });
 * env.reset({ seed: 0 });
 * ```
 */
export class NonstationaryBandit extends BanditEnv {
  private readonly walkStd: number;
  private readonly initialMean: number;
  private readonly rewardStd: number;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: NonstationaryBanditOptions = {}) {
    const where = 'NonstationaryBandit options';
    const known = ['k', 'steps', 'walkStd', 'initialMean', 'rewardStd'];
    rejectUnknownOptions(options, known, where);
    super(
      resolveK(options.k, undefined, '', where),
      checkInt(options.steps ?? NONSTATIONARY_STEPS, 'steps', 1, where),
    );
    this.walkStd = checkNumber(options.walkStd ?? 0.01, 'walkStd', 0, where);
    this.initialMean = checkNumber(options.initialMean ?? 0, 'initialMean', -Infinity, where);
    this.rewardStd = checkNumber(options.rewardStd ?? 1, 'rewardStd', 0, where);
  }

  protected drawMeans(): void {
    this.means.fill(this.initialMean);
  }

  protected drawReward(arm: number): number {
    return this.rng.normal(this.means[arm], this.rewardStd);
  }

  protected override afterStep(): void {
    // q*(a) <- q*(a) + N(0, walkStd^2) for every arm (Sutton and Barto, exercise 2.5).
    for (let a = 0; a < this.k; a++) this.means[a] += this.rng.normal(0, this.walkStd);
  }
}

register('GaussianBandit-v0', (kwargs) => new GaussianBandit(kwargs), {
  maxEpisodeSteps: DEFAULT_STEPS,
  description: '10-armed testbed (Sutton and Barto 2.3): q* ~ N(0,1), rewards ~ N(q*,1)',
});

register('BernoulliBandit-v0', (kwargs) => new BernoulliBandit(kwargs), {
  maxEpisodeSteps: DEFAULT_STEPS,
  description: 'Bernoulli arms paying 1 with probability p(a); p given or drawn U(0,1)',
});

register('NonstationaryBandit-v0', (kwargs) => new NonstationaryBandit(kwargs), {
  maxEpisodeSteps: NONSTATIONARY_STEPS,
  description: 'Random-walk testbed (Sutton and Barto ex. 2.5): q* start equal, drift N(0,0.01^2)',
});
