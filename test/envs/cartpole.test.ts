import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  InvalidConfigError,
  ResetNeededError,
  make,
  spec,
} from '../../src/index';
import {
  CARTPOLE_FORCE,
  CARTPOLE_GRAVITY,
  CARTPOLE_HALF_LENGTH,
  CARTPOLE_MASS_CART,
  CARTPOLE_MASS_POLE,
  CARTPOLE_TAU,
  CARTPOLE_THETA_THRESHOLD,
  CARTPOLE_X_THRESHOLD,
  CartPoleEnv,
  cartPoleStep,
} from '../../envs/index';

describe('CartPoleEnv', () => {
  it("uses Gymnasium CartPole-v1's constants and registration", () => {
    // Values of gymnasium/envs/classic_control/cartpole.py (Farama-Foundation/Gymnasium).
    expect([CARTPOLE_GRAVITY, CARTPOLE_MASS_CART, CARTPOLE_MASS_POLE]).toEqual([9.8, 1, 0.1]);
    expect([CARTPOLE_HALF_LENGTH, CARTPOLE_FORCE, CARTPOLE_TAU]).toEqual([0.5, 10, 0.02]);
    expect(CARTPOLE_THETA_THRESHOLD).toBeCloseTo(0.20943951, 8);
    expect(CARTPOLE_X_THRESHOLD).toBe(2.4);
    expect(spec('CartPole-v1')).toMatchObject({ maxEpisodeSteps: 500, rewardThreshold: 475 });
  });

  it('takes one explicit Euler step from rest as worked out by hand', () => {
    const state = new Float64Array(4);

    cartPoleStep(state, 1);

    // temp = 10 / 1.1; thetaAcc = -temp / (0.5 * (4/3 - 0.1 / 1.1)); xAcc = temp - 0.05 thetaAcc cos / 1.1.
    const temp = 10 / 1.1;
    const thetaAcc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
    const xAcc = temp - (0.05 * thetaAcc) / 1.1;
    expect(state[0]).toBe(0);
    expect(state[1]).toBeCloseTo(0.02 * xAcc, 14);
    expect(state[1]).toBeCloseTo(0.195122, 6);
    expect(state[2]).toBe(0);
    expect(state[3]).toBeCloseTo(-0.292683, 6);
  });

  it('moves positions with the old velocities (explicit, not semi-implicit, Euler)', () => {
    const state = Float64Array.of(0.1, 1, 0.05, -0.5);

    cartPoleStep(state, 0);

    expect(state[0]).toBeCloseTo(0.1 + 0.02 * 1, 15);
    expect(state[2]).toBeCloseTo(0.05 + 0.02 * -0.5, 15);
  });

  it('starts uniformly in [-0.05, 0.05] and repeats a seeded trajectory exactly', () => {
    const a = make<Float32Array, number>('CartPole-v1');
    const b = make<Float32Array, number>('CartPole-v1');

    const first = a.reset({ seed: 42 }).observation;
    const again = b.reset({ seed: 42 }).observation;

    expect(Array.from(first).every((v) => v >= -0.05 && v <= 0.05)).toBe(true);
    expect(Array.from(again)).toEqual(Array.from(first));
    for (let t = 0; t < 8; t++) {
      expect(Array.from(b.step(t % 3 === 0 ? 1 : 0).observation)).toEqual(
        Array.from(a.step(t % 3 === 0 ? 1 : 0).observation),
      );
    }
  });

  it('pays 1 on every step including the terminating one, and terminates past 12 degrees', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0, options: { low: 0, high: 0 } });
    let steps = 0;
    let total = 0;
    let last;

    do {
      last = env.step(1);
      steps++;
      total += last.reward;
    } while (!last.terminated);

    expect(total).toBe(steps);
    expect(Math.abs(env.state[2]) > CARTPOLE_THETA_THRESHOLD || Math.abs(env.state[0]) > 2.4).toBe(
      true,
    );
    expect(env.observationSpace.contains(last.observation)).toBe(true);
  });

  it('truncates at 500 steps under make, with a controller that never falls', () => {
    const env = make<Float32Array, number>('CartPole-v1');
    let { observation } = env.reset({ seed: 3 });
    let steps = 0;
    let r;

    do {
      // A linear controller on angle and angular velocity keeps the pole up indefinitely.
      r = env.step(observation[2] + 0.5 * observation[3] > 0 ? 1 : 0);
      observation = r.observation;
      steps++;
    } while (!r.terminated && !r.truncated);

    expect(steps).toBe(500);
    expect(r.truncated).toBe(true);
    expect(r.terminated).toBe(false);
  });

  it('renders a cartpole frame', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 1 });

    const frame = env.render();

    expect(frame).toMatchObject({ family: 'cartpole', xThreshold: 2.4 });
    expect(frame.theta).toBe(env.state[2]);
  });

  it('rejects bad actions, steps before reset and unknown options with typed errors', () => {
    const env = new CartPoleEnv();

    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ seed: 0 });
    expect(() => env.step(2)).toThrow(InvalidActionError);
    expect(() => new CartPoleEnv({ gravity: 1 })).toThrow(/unknown option "gravity"/);
    expect(() => env.reset({ options: { low: 1, high: 0 } })).toThrow(InvalidConfigError);
  });
});
