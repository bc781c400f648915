import { InvalidActionError, InvalidConfigError, describeValue, type Rng } from '../src/index';

/** Per-action legality: entry i truthy when action i is allowed. */
export type ActionMask = ArrayLike<number | boolean>;

/**
 * The index of the largest value, ties broken uniformly at random (PITFALLS P8: a first-index
 * argmax keeps a zero-initialised agent bumping into the same wall). Masked-out entries are
 * never chosen.
 *
 * @param values - one value per action.
 * @param rng - draws the tie-break.
 * @param mask - optional legality mask of the same length.
 * @throws InvalidActionError when the mask allows no action.
 */
export function argmaxRandomTie(values: ArrayLike<number>, rng: Rng, mask?: ActionMask): number {
  let best = -Infinity;
  let ties = 0;
  let chosen = -1;
  for (let a = 0; a < values.length; a++) {
    if (mask && !mask[a]) continue;
    const v = values[a];
    if (v > best || chosen < 0) {
      best = v;
      chosen = a;
      ties = 1;
    } else if (v === best) {
      // Reservoir sampling over the tied actions: each is kept with probability 1/ties.
      ties++;
      if (rng.int(ties) === 0) chosen = a;
    }
  }
  if (chosen < 0) throw noLegalAction(mask);
  return chosen;
}

function noLegalAction(mask: ActionMask | undefined): InvalidActionError {
  return new InvalidActionError(
    `action mask allows no action (received ${describeValue(mask)}); ` +
      'at least one entry must be 1. Check how the env builds info.actionMask.',
  );
}

/**
 * Fills `out` with the epsilon-greedy pmf (Sutton and Barto, section 2.2): every legal action
 * gets epsilon / k, and the greedy actions share 1 - epsilon equally, so with a single greedy
 * action its probability is 1 - epsilon + epsilon / k (PITFALLS P9, P14).
 *
 * @param qValues - one value per action.
 * @param epsilon - probability of a uniformly random legal action, in [0, 1].
 * @param out - receives the pmf; a new Float64Array when omitted.
 * @param mask - optional legality mask; masked actions get probability 0.
 * @returns `out`, summing to 1.
 */
export function epsilonGreedyProbs(
  qValues: ArrayLike<number>,
  epsilon: number,
  out: Float64Array = new Float64Array(qValues.length),
  mask?: ActionMask,
): Float64Array {
  let legal = 0;
  let best = -Infinity;
  for (let a = 0; a < qValues.length; a++) {
    if (mask && !mask[a]) continue;
    legal++;
    if (qValues[a] > best) best = qValues[a];
  }
  if (legal === 0) throw noLegalAction(mask);
  let greedy = 0;
  for (let a = 0; a < qValues.length; a++) {
    if ((!mask || mask[a]) && qValues[a] === best) greedy++;
  }
  for (let a = 0; a < qValues.length; a++) {
    if (mask && !mask[a]) out[a] = 0;
    else out[a] = epsilon / legal + (qValues[a] === best ? (1 - epsilon) / greedy : 0);
  }
  return out;
}

/**
 * Draws an epsilon-greedy action: with probability epsilon a uniformly random legal action,
 * otherwise a greedy one with ties broken at random. Its distribution equals
 * {@link epsilonGreedyProbs}.
 */
export function epsilonGreedyAction(
  qValues: ArrayLike<number>,
  epsilon: number,
  rng: Rng,
  mask?: ActionMask,
): number {
  if (rng.random() < epsilon) {
    if (!mask) return rng.int(qValues.length);
    let legal = 0;
    for (let a = 0; a < qValues.length; a++) if (mask[a]) legal++;
    if (legal === 0) throw noLegalAction(mask);
    let k = rng.int(legal);
    for (let a = 0; a < qValues.length; a++) if (mask[a] && k-- === 0) return a;
  }
  return argmaxRandomTie(qValues, rng, mask);
}

/**
 * Numerically stable softmax of `logits / temperature` (PITFALLS P12): the largest logit is
 * subtracted before exponentiating, so exp never overflows. Masked entries get probability 0.
 *
 * @param logits - one logit per action.
 * @param temperature - positive; higher is more uniform. @defaultValue 1
 * @param out - receives the pmf.
 * @param mask - optional legality mask.
 */
export function softmax(
  logits: ArrayLike<number>,
  temperature = 1,
  out: Float64Array = new Float64Array(logits.length),
  mask?: ActionMask,
): Float64Array {
  if (!(temperature > 0)) {
    throw new InvalidConfigError(
      `temperature must be > 0; received ${describeValue(temperature)}. Use e.g. 1 or 0.1.`,
    );
  }
  let max = -Infinity;
  for (let a = 0; a < logits.length; a++) {
    if ((!mask || mask[a]) && logits[a] > max) max = logits[a];
  }
  if (max === -Infinity) throw noLegalAction(mask);
  let sum = 0;
  for (let a = 0; a < logits.length; a++) {
    const e = mask && !mask[a] ? 0 : Math.exp((logits[a] - max) / temperature);
    out[a] = e;
    sum += e;
  }
  for (let a = 0; a < logits.length; a++) out[a] /= sum;
  return out;
}

/**
 * Stable log-softmax: `logits - max - log(sum(exp(logits - max)))`; finite for finite logits.
 * Masked entries are -Infinity.
 */
export function logSoftmax(
  logits: ArrayLike<number>,
  out: Float64Array = new Float64Array(logits.length),
  mask?: ActionMask,
): Float64Array {
  let max = -Infinity;
  for (let a = 0; a < logits.length; a++) {
    if ((!mask || mask[a]) && logits[a] > max) max = logits[a];
  }
  if (max === -Infinity) throw noLegalAction(mask);
  let sum = 0;
  for (let a = 0; a < logits.length; a++) {
    if (!mask || mask[a]) sum += Math.exp(logits[a] - max);
  }
  const logSum = max + Math.log(sum);
  for (let a = 0; a < logits.length; a++) {
    out[a] = mask && !mask[a] ? -Infinity : logits[a] - logSum;
  }
  return out;
}

/** Shannon entropy in nats of a pmf, with 0 log 0 taken as 0 (PITFALLS P12). */
export function entropy(probs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
