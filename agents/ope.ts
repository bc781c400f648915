import {
  CorruptFileError,
  InvalidConfigError,
  Rng,
  describeValue,
  rejectUnknownOptions,
  type Episode,
  type Info,
} from '../src/index';
import { RidgeRegression } from './contextual';

/**
 * One logged decision: the context an action was chosen in, the action, its reward and the
 * logging policy's probability of it (the propensity every recorded step carries).
 */
export interface LoggedDecision {
  /** The observation the action was chosen from. */
  context: ArrayLike<number>;
  /** The info that came with the context (its `actionMask`, and any ground truth). */
  info: Info;
  /** The action taken. */
  action: number;
  /** The reward received. */
  reward: number;
  /** The logging policy's probability of `action`, in (0, 1]. */
  propensity: number;
  /**
   * Cluster for the bootstrap, normally the episode index: decisions of one episode are resampled
   * together.
   */
  group: number;
}

/** A target policy: its pmf over actions for a context (entries in [0, 1] summing to 1). */
export type TargetPolicy = (context: ArrayLike<number>, info: Info) => ArrayLike<number>;

/** A reward model for the direct method: predicted reward of `action` in `context`. */
export type RewardModel = (context: ArrayLike<number>, action: number) => number;

/**
 * Turns recorded episodes (the tsgym-episode format) into logged decisions. The context of
 * step t is the observation before it: the header's for t = 0, step t-1's otherwise.
 *
 * @throws CorruptFileError when a step carries no `actionProb` or a non-vector observation.
 */
export function decisionsFromEpisodes(episodes: Episode[]): LoggedDecision[] {
  const out: LoggedDecision[] = [];
  episodes.forEach((episode, group) => {
    let context = episode.header.observation;
    let info = episode.header.info;
    for (const step of episode.steps) {
      if (typeof step.actionProb !== 'number') {
        throw new CorruptFileError(
          `episode ${group} step ${step.t} has no actionProb; off-policy evaluation needs the ` +
            "logging policy's probability of every action. Record with an agent that reports it.",
        );
      }
      if (!Array.isArray(context) && !ArrayBuffer.isView(context)) {
        throw new CorruptFileError(
          `episode ${group} step ${step.t}: the observation must be a feature vector; received ` +
            `${describeValue(context)}.`,
        );
      }
      const ctx = context as ArrayLike<number>;
      const action = step.action as number;
      out.push({
        context: ctx,
        info,
        action,
        reward: step.reward,
        propensity: step.actionProb,
        group,
      });
      context = step.observation;
      info = step.info;
    }
  });
  return out;
}

/**
 * Fits one ridge regression per action on the logged rewards: the reward model of the direct
 * method and of doubly robust estimation.
 *
 * @param lambda - ridge penalty. @defaultValue 1
 */
export function fitRewardModel(
  decisions: LoggedDecision[],
  nActions: number,
  lambda = 1,
): RewardModel {
  const size = decisions[0]?.context.length ?? 0;
  const models = Array.from({ length: nActions }, () => new RidgeRegression(size, lambda));
  for (const d of decisions) models[d.action].update(d.context, d.reward);
  return (context, action) => models[action].predict(context);
}

/** A point estimate and its bootstrap confidence interval. */
export interface OpeInterval {
  /** The estimate on all decisions. */
  estimate: number;
  /** Lower end of the percentile bootstrap interval. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/** Every estimate of {@link offPolicyEvaluate}: value per decision of the target policy. */
export interface OpeResult {
  /** Inverse propensity scoring: `mean(w r)`, `w = pi(a|x) / mu(a|x)`. */
  ips: OpeInterval;
  /** Self-normalised IPS: `sum(w r) / sum(w)`. */
  snips: OpeInterval;
  /** Direct method: `mean(sum_a pi(a|x) q(x, a))`. */
  dm: OpeInterval;
  /** Doubly robust: DM plus `mean(w (r - q(x, a)))`. */
  dr: OpeInterval;
  /** Number of decisions. */
  decisions: number;
  /** Kish effective sample size of the weights, `(sum w)^2 / sum w^2`. */
  effectiveSampleSize: number;
}

/** Options of {@link offPolicyEvaluate}. */
export interface OpeOptions {
  /** Number of actions. */
  nActions: number;
  /** Reward model for DM and DR. @defaultValue {@link fitRewardModel} on the decisions */
  rewardModel?: RewardModel;
  /** Bootstrap resamples. @defaultValue 500 */
  bootstrapSamples?: number;
  /** Confidence level of the intervals. @defaultValue 0.95 */
  confidence?: number;
  /** Draws the bootstrap resamples. @defaultValue `new Rng(0)` */
  rng?: Rng;
}

interface Sums {
  wr: number;
  w: number;
  dm: number;
  dr: number;
  n: number;
}

/**
 * Estimates the per-decision value `E_x[sum_a pi(a|x) E[r | x, a]]` of a target policy from
 * decisions logged by another policy, by IPS (Horvitz and Thompson, 1952), self-normalised IPS
 * (Swaminathan and Joachims, 2015), the direct method and doubly robust estimation (Dudik,
 * Langford and Li, "Doubly robust policy evaluation and learning", 2011). The contexts are the
 * logged ones, so this is the one-step (contextual-bandit) value on the logging run's context
 * distribution; the effect of actions on later contexts is not estimated. Intervals are
 * percentile bootstraps that resample whole groups (episodes), since decisions within an
 * episode are correlated; the reward model stays fixed across resamples.
 *
 * @throws InvalidConfigError for an empty log, a propensity outside (0, 1], or a target pmf
 *   that is not a probability vector (PITFALLS P14).
 * @example
 * ```ts
 * const result = offPolicyEvaluate(decisionsFromEpisodes(episodes), mailEveryone, { nActions: 3 });
 * ```
 */
export function offPolicyEvaluate(
  decisions: LoggedDecision[],
  target: TargetPolicy,
  options: OpeOptions,
): OpeResult {
  rejectUnknownOptions(
    options,
    ['nActions', 'rewardModel', 'bootstrapSamples', 'confidence', 'rng'],
    'offPolicyEvaluate options',
  );
  if (decisions.length === 0) {
    throw new InvalidConfigError('decisions is empty; off-policy evaluation needs a logged run.');
  }
  const model = options.rewardModel ?? fitRewardModel(decisions, options.nActions);
  const groups = new Map<number, Sums>();
  let sumW = 0;
  let sumW2 = 0;
  for (const d of decisions) {
    const { w, dm, dr } = decisionTerms(d, target, model, options.nActions);
    sumW += w;
    sumW2 += w * w;
    const g = groups.get(d.group) ?? { wr: 0, w: 0, dm: 0, dr: 0, n: 0 };
    g.wr += w * d.reward;
    g.w += w;
    g.dm += dm;
    g.dr += dr;
    g.n++;
    groups.set(d.group, g);
  }
  const sums = [...groups.values()];
  const boot = bootstrap(sums, options);
  const full = estimates(total(sums, null));
  const interval = (k: keyof ReturnType<typeof estimates>): OpeInterval => ({
    estimate: full[k],
    ...percentiles(
      boot.map((b) => b[k]),
      options.confidence ?? 0.95,
    ),
  });

  return {
    ips: interval('ips'),
    snips: interval('snips'),
    dm: interval('dm'),
    dr: interval('dr'),
    decisions: decisions.length,
    effectiveSampleSize: sumW2 > 0 ? (sumW * sumW) / sumW2 : 0,
  };
}

function decisionTerms(
  d: LoggedDecision,
  target: TargetPolicy,
  model: RewardModel,
  nActions: number,
): { w: number; dm: number; dr: number } {
  if (!(d.propensity > 0 && d.propensity <= 1)) {
    throw new InvalidConfigError(
      `logged propensity must lie in (0, 1]; received ${describeValue(d.propensity)} for ` +
        `action ${d.action} in group ${d.group}. Log the behaviour policy's probabilities.`,
    );
  }
  const pmf = target(d.context, d.info);
  checkPmf(pmf, nActions);
  let dm = 0;
  for (let a = 0; a < nActions; a++) if (pmf[a] > 0) dm += pmf[a] * model(d.context, a);
  const w = pmf[d.action] / d.propensity;
  return { w, dm, dr: dm + w * (d.reward - model(d.context, d.action)) };
}

function checkPmf(pmf: ArrayLike<number>, nActions: number): void {
  let sum = 0;
  let ok = pmf.length === nActions;
  for (let a = 0; ok && a < nActions; a++) {
    ok = pmf[a] >= 0 && pmf[a] <= 1;
    sum += pmf[a];
  }
  if (!ok || Math.abs(sum - 1) > 1e-9) {
    throw new InvalidConfigError(
      `the target policy must return ${nActions} probabilities in [0, 1] summing to 1; ` +
        `received ${describeValue(Array.from(pmf))}. Fix the target policy.`,
    );
  }
}

function total(sums: Sums[], pick: Int32Array | null): Sums {
  const t: Sums = { wr: 0, w: 0, dm: 0, dr: 0, n: 0 };
  const count = pick ? pick.length : sums.length;
  for (let k = 0; k < count; k++) {
    const g = sums[pick ? pick[k] : k];
    t.wr += g.wr;
    t.w += g.w;
    t.dm += g.dm;
    t.dr += g.dr;
    t.n += g.n;
  }
  return t;
}

function estimates(t: Sums): { ips: number; snips: number; dm: number; dr: number } {
  return { ips: t.wr / t.n, snips: t.w > 0 ? t.wr / t.w : 0, dm: t.dm / t.n, dr: t.dr / t.n };
}

function bootstrap(sums: Sums[], options: OpeOptions): ReturnType<typeof estimates>[] {
  const samples = options.bootstrapSamples ?? 500;
  if (!Number.isInteger(samples) || samples < 10) {
    throw new InvalidConfigError(
      `bootstrapSamples must be an integer >= 10; received ${describeValue(samples)}.`,
    );
  }
  const rng = options.rng ?? new Rng(0);
  const pick = new Int32Array(sums.length);
  const out: ReturnType<typeof estimates>[] = [];
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < pick.length; k++) pick[k] = rng.int(sums.length);
    out.push(estimates(total(sums, pick)));
  }
  return out;
}

function percentiles(values: number[], confidence: number): { lower: number; upper: number } {
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidConfigError(
      `confidence must lie in (0, 1); received ${describeValue(confidence)}. Use 0.95.`,
    );
  }
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
  return { lower: at((1 - confidence) / 2), upper: at(1 - (1 - confidence) / 2) };
}
