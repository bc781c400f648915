import { InvalidConfigError, describeValue } from '../../src/index';

/** Epsilon added to the standard deviation in {@link normalizeReturns} (PITFALLS P10). */
export const NORMALIZE_EPSILON = 1e-8;

/**
 * Discounted reward-to-go, `G_t = r_t + gamma * G_{t+1}`, restarting at every episode end so no
 * return leaks across the boundary (PITFALLS P11). This is REINFORCE's Monte Carlo estimate of
 * Q(s_t, a_t) (Williams, 1992; Sutton and Barto, section 13.3).
 *
 * @param rewards - rewards of consecutive steps, possibly of several episodes.
 * @param dones - optional, truthy where an episode ended (terminated or truncated) at that
 *   step; without it the whole array is one episode.
 * @param gamma - discount in [0, 1]. @defaultValue 0.99
 * @param bootstrap - optional, where `dones[t]` marks a truncation: an estimate of the value
 *   of the next state, so `G_t = r_t + gamma * bootstrap[t]`; put 0 at real terminal states.
 * @returns a new Float64Array of returns.
 * @throws InvalidConfigError for gamma outside [0, 1] or arrays of different lengths.
 * @example
 * ```ts
 * rewardToGo([1, 1, 1, 1, 1], [0, 0, 1, 0, 1], 0.9); // [2.71, 1.9, 1, 1.9, 1]
 * ```
 */
export function rewardToGo(
  rewards: ArrayLike<number>,
  dones?: ArrayLike<number | boolean>,
  gamma = 0.99,
  bootstrap?: ArrayLike<number>,
): Float64Array {
  if (!(gamma >= 0 && gamma <= 1)) {
    throw new InvalidConfigError(`gamma must lie in [0, 1]; received ${describeValue(gamma)}.`);
  }
  if (dones && dones.length !== rewards.length) {
    throw new InvalidConfigError(
      `dones must have one entry per reward (${rewards.length}); received ${dones.length}.`,
    );
  }
  const out = new Float64Array(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    if (dones && dones[t]) running = bootstrap ? bootstrap[t] : 0;
    running = rewards[t] + gamma * running;
    out[t] = running;
  }
  return out;
}

/**
 * Batch-wide z-score `(G - mean) / (std + 1e-8)` with the population standard deviation
 * (PITFALLS P10): a constant batch maps to zeros instead of NaN, a single return to 0.
 * This is the documented batch-wide normalisation of PITFALLS P11, applied over all steps of
 * the update's batch, never the per-episode mean baseline.
 *
 * @param values - returns or advantages.
 * @param out - receives the result; a new array when omitted (may be `values` itself).
 * @example
 * ```ts
 * normalizeReturns([1, 2, 3]); // [-1.2247, 0, 1.2247]
 * ```
 */
export function normalizeReturns(
  values: ArrayLike<number>,
  out: Float64Array = new Float64Array(values.length),
): Float64Array {
  const n = values.length;
  if (n === 0) return out;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  const std = Math.sqrt(variance / n);
  for (let i = 0; i < n; i++) out[i] = (values[i] - mean) / (std + NORMALIZE_EPSILON);
  return out;
}
