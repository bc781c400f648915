import {
  Box,
  Discrete,
  Env,
  InvalidActionError,
  InvalidConfigError,
  ResetNeededError,
  describeValue,
  register,
  rejectUnknownOptions,
  type RenderFrame,
  type ResetArgs,
  type ResetResult,
  type Space,
  type StepResult,
} from '../src/index';

// Constants of Gymnasium's CartPole-v1 (gymnasium/envs/classic_control/cartpole.py,
// Farama-Foundation/Gymnasium), themselves from Barto, Sutton and Anderson (1983) via Sutton's
// pole.c. Dynamics equations: Florian, "Correct equations for the dynamics of the cart-pole
// system" (2007).
/** Gravity, m/s^2. */
export const CARTPOLE_GRAVITY = 9.8;
/** Cart mass, kg. */
export const CARTPOLE_MASS_CART = 1.0;
/** Pole mass, kg. */
export const CARTPOLE_MASS_POLE = 0.1;
/** Half the pole's length, m. */
export const CARTPOLE_HALF_LENGTH = 0.5;
/** Magnitude of the push, N. */
export const CARTPOLE_FORCE = 10.0;
/** Seconds between state updates. */
export const CARTPOLE_TAU = 0.02;
/** Pole angle at which the episode terminates: 12 degrees, in radians. */
export const CARTPOLE_THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
/** Cart position at which the episode terminates, m. */
export const CARTPOLE_X_THRESHOLD = 2.4;

const TOTAL_MASS = CARTPOLE_MASS_POLE + CARTPOLE_MASS_CART;
const POLE_MASS_LENGTH = CARTPOLE_MASS_POLE * CARTPOLE_HALF_LENGTH;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Advances a cart-pole state `[x, xDot, theta, thetaDot]` in place by one explicit Euler step
 * of Gymnasium's CartPole-v1 dynamics, pushing right when `action` is 1 and left when 0.
 *
 * @param state - four numbers, updated in place (a Float64Array keeps full precision).
 * @param offset - where the state starts in `state`, for batched states.
 * @returns true when the new state is terminal (|x| \> 2.4 or |theta| \> 12 degrees).
 */
export function cartPoleStep(state: Float64Array, action: number, offset = 0): boolean {
  const x = state[offset];
  const xDot = state[offset + 1];
  const theta = state[offset + 2];
  const thetaDot = state[offset + 3];
  const force = action === 1 ? CARTPOLE_FORCE : -CARTPOLE_FORCE;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
  const thetaAcc =
    (CARTPOLE_GRAVITY * sin - cos * temp) /
    (CARTPOLE_HALF_LENGTH * (4.0 / 3.0 - (CARTPOLE_MASS_POLE * cos * cos) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
  // Explicit Euler, Gymnasium's default integrator: positions move with the old velocities.
  const nx = x + CARTPOLE_TAU * xDot;
  const nTheta = theta + CARTPOLE_TAU * thetaDot;
  state[offset] = nx;
  state[offset + 1] = xDot + CARTPOLE_TAU * xAcc;
  state[offset + 2] = nTheta;
  state[offset + 3] = thetaDot + CARTPOLE_TAU * thetaAcc;

  return (
    nx < -CARTPOLE_X_THRESHOLD ||
    nx > CARTPOLE_X_THRESHOLD ||
    nTheta < -CARTPOLE_THETA_THRESHOLD ||
    nTheta > CARTPOLE_THETA_THRESHOLD
  );
}

/** The render frame of the cartpole family (see notes/RUNS.md). */
export interface CartPoleFrame extends RenderFrame {
  /** Always `'cartpole'`. */
  family: 'cartpole';
  /** Cart position, m. */
  x: number;
  /** Cart velocity, m/s. */
  xDot: number;
  /** Pole angle, rad (0 = upright). */
  theta: number;
  /** Pole angular velocity, rad/s. */
  thetaDot: number;
  /** Cart position limit. */
  xThreshold: number;
  /** Pole angle limit, rad. */
  thetaThresholdRadians: number;
}

/**
 * The classic cart-pole balancing task with Gymnasium's CartPole-v1 dynamics (Barto, Sutton
 * and Anderson, "Neuronlike adaptive elements that can solve difficult learning control
 * problems", 1983).
 *
 * ## Observation
 * `Box([-4.8, -f32max, -0.4189, -f32max], [4.8, f32max, 0.4189, f32max], [4], float32)`:
 * cart position, cart velocity, pole angle (rad), pole angular velocity. The bounds are twice
 * the termination thresholds so the terminating observation is still inside the space. The
 * state is kept in float64; observations are its float32 rounding, as in Gymnasium.
 *
 * ## Action
 * `Discrete(2)`: 0 pushes the cart left, 1 pushes it right, with a force of 10 N.
 *
 * ## Reward
 * +1 for every step, the terminating step included.
 *
 * ## Episode end
 * Terminates when the cart leaves [-2.4, 2.4] or the pole tilts beyond 12 degrees.
 * `make('CartPole-v1')` truncates after 500 steps; the env counts as solved at an average
 * return of 475.
 *
 * ## Options
 * No constructor options. `reset({ options: { low, high } })` changes the uniform range of
 * the initial state (default [-0.05, 0.05]), as Gymnasium allows.
 *
 * ## Seeding
 * `reset({ seed })` draws the four initial state values uniformly from the seeded generator;
 * the dynamics are deterministic afterwards.
 *
 * ## Version history
 * - v1: Gymnasium CartPole-v1 dynamics and limits (explicit Euler, tau 0.02, 500 steps).
 *
 * @example
 * ```ts
 * const env = make<Float32Array, number>('CartPole-v1');
 * let { observation } = env.reset({ seed: 0 });
 * const { reward, terminated } = env.step(observation[2] > 0 ? 1 : 0);
 * ```
 */
export class CartPoleEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box(
    [-2 * CARTPOLE_X_THRESHOLD, -FLOAT32_MAX, -2 * CARTPOLE_THETA_THRESHOLD, -FLOAT32_MAX],
    [2 * CARTPOLE_X_THRESHOLD, FLOAT32_MAX, 2 * CARTPOLE_THETA_THRESHOLD, FLOAT32_MAX],
    [4],
    'float32',
  ) as Box & Space<Float32Array>;
  readonly actionSpace = new Discrete(2);
  /** The physical state `[x, xDot, theta, thetaDot]` in float64. */
  readonly state = new Float64Array(4);
  private started = false;
  private terminatedAlready = false;

  /**
   * @param options - none are accepted; present for `make` (unknown names throw).
   * @throws InvalidConfigError for any option.
   */
  constructor(options: Record<string, unknown> = {}) {
    super();
    rejectUnknownOptions(options, [], 'CartPole options');
    this.metadata = { family: 'cartpole', renderFps: 50 };
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.seedRng(args.seed);
    const { low, high } = resetBounds(args.options);
    for (let k = 0; k < 4; k++) this.state[k] = this.rng.uniform(low, high);
    this.started = true;
    this.terminatedAlready = false;

    return { observation: Float32Array.from(this.state), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.started) {
      throw new ResetNeededError('step() called before reset(). Call env.reset() first.');
    }
    if (action !== 0 && action !== 1) {
      throw new InvalidActionError(
        `action must be 0 (push left) or 1 (push right); received ${describeValue(action)}.`,
      );
    }
    const terminated = cartPoleStep(this.state, action);
    // Gymnasium gives 0 for steps taken after termination; OrderEnforcing forbids them anyway.
    const reward = this.terminatedAlready ? 0 : 1;
    if (terminated) this.terminatedAlready = true;

    return {
      observation: Float32Array.from(this.state),
      reward,
      terminated,
      truncated: false,
      info: {},
    };
  }

  override render(): CartPoleFrame {
    return {
      family: 'cartpole',
      x: this.state[0],
      xDot: this.state[1],
      theta: this.state[2],
      thetaDot: this.state[3],
      xThreshold: CARTPOLE_X_THRESHOLD,
      thetaThresholdRadians: CARTPOLE_THETA_THRESHOLD,
    };
  }
}

function resetBounds(options: Record<string, unknown> | undefined): { low: number; high: number } {
  rejectUnknownOptions(options, ['low', 'high'], 'CartPole reset options');
  const low = options?.low ?? -0.05;
  const high = options?.high ?? 0.05;
  if (typeof low !== 'number' || typeof high !== 'number' || !(low <= high)) {
    throw new InvalidConfigError(
      `reset options low and high must be numbers with low <= high; received low ` +
        `${describeValue(low)}, high ${describeValue(high)}. Default: -0.05 and 0.05.`,
    );
  }
  return { low, high };
}

register('CartPole-v1', (kwargs) => new CartPoleEnv(kwargs), {
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  description: 'Balance a pole on a cart (Gymnasium CartPole-v1 dynamics).',
});
