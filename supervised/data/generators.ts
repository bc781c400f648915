/**
 * Seeded generators for the small synthetic data sets of the notes: noisy points around a line
 * or polynomial, the logic gates, and binary-addition sequences.
 */
import { InvalidConfigError, type Rng, describeValue } from '../../src/index';
import { type ArrayDataset, makeDataset } from './dataset';

/** Options of {@link polynomialData}. */
export interface PolynomialDataOptions {
  /** Number of points. */
  samples: number;
  /** Coefficients, highest degree first: `[30, 0.5, 0.2]` is 30x^2 + 0.5x + 0.2. */
  coefficients: number[];
  /** Standard deviation of the Gaussian noise added to y. */
  noise: number;
  /** x is drawn uniformly from [low, high). @defaultValue [-1, 1] */
  xRange?: [number, number];
}

/**
 * Noisy points y = p(x) + noise with x uniform: the inputs are the powers
 * [x^d, ..., x^1] (so a dense layer's kernel holds the coefficients highest first and its bias
 * the constant term), the target is y (shape [1]).
 *
 * @throws InvalidConfigError for fewer than 2 coefficients, a non-positive sample count or a
 *   negative noise.
 */
export function polynomialData(options: PolynomialDataOptions, rng: Rng): ArrayDataset {
  const { samples, coefficients, noise } = options;
  const [low, high] = options.xRange ?? [-1, 1];
  if (coefficients.length < 2 || !Number.isInteger(samples) || samples <= 0 || !(noise >= 0)) {
    throw new InvalidConfigError(
      `polynomialData: expected at least 2 coefficients, a positive integer sample count and ` +
        `noise >= 0; received ${describeValue(options)}.`,
    );
  }
  const degree = coefficients.length - 1;
  const x = new Float32Array(samples * degree);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = rng.uniform(low, high);
    let value = 0;
    for (let k = 0; k <= degree; k++) value += coefficients[k] * t ** (degree - k);
    for (let k = 0; k < degree; k++) x[i * degree + k] = t ** (degree - k);
    y[i] = value + noise * rng.normal();
  }
  return makeDataset(x, [degree], y, [1]);
}

/** Truth tables of the logic gates of the perceptron experiment. */
export const LOGIC_GATES = {
  or: [0, 1, 1, 1],
  and: [0, 0, 0, 1],
  xor: [0, 1, 1, 0],
} as const;

/** A logic gate the perceptron experiment learns. */
export type LogicGate = keyof typeof LOGIC_GATES;

/** The four rows of a gate's truth table: inputs (0,0), (0,1), (1,0), (1,1), target [1]. */
export function logicGateData(gate: LogicGate): ArrayDataset {
  const x = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
  return makeDataset(x, [2], Float32Array.from(LOGIC_GATES[gate]), [1]);
}

/**
 * Binary-addition sequences: two random numbers below 2^(bits-1), fed one bit pair per time
 * step, least significant bit first so the carry flows forward in time; the target at each
 * step is the matching bit of the sum. Inputs have shape [bits, 2], targets [bits, 1].
 *
 * @throws InvalidConfigError when `bits` is not in [2, 30] or `samples` is not positive.
 */
export function binaryAdditionData(
  options: { samples: number; bits: number },
  rng: Rng,
): ArrayDataset {
  const { samples, bits } = options;
  if (!Number.isInteger(bits) || bits < 2 || bits > 30 || !Number.isInteger(samples)) {
    throw new InvalidConfigError(
      `binaryAdditionData: bits must be an integer in [2, 30] and samples a positive integer; ` +
        `received ${describeValue(options)}.`,
    );
  }
  const x = new Float32Array(samples * bits * 2);
  const y = new Float32Array(samples * bits);
  const limit = 2 ** (bits - 1);
  for (let i = 0; i < samples; i++) {
    const a = rng.int(limit);
    const b = rng.int(limit);
    const sum = a + b;
    for (let t = 0; t < bits; t++) {
      x[(i * bits + t) * 2] = (a >> t) & 1;
      x[(i * bits + t) * 2 + 1] = (b >> t) & 1;
      y[i * bits + t] = (sum >> t) & 1;
    }
  }
  return makeDataset(x, [bits, 2], y, [bits, 1]);
}
