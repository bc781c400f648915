import { describe, expect, it } from 'vitest';
import { Taxi, TaxiAction, decodeTaxi, encodeTaxi } from '../../envs/index';
import { InvalidActionError, InvalidConfigError, ResetNeededError, make } from '../../src/index';
import type { TransitionModel } from '../../src/index';

const { South, North, East, West, Pickup, Dropoff } = TaxiAction;

function startStates(seeds: number): number[] {
  const env = new Taxi();

  return Array.from({ length: seeds }, (_, seed) => env.reset({ seed }).observation);
}

/** Undiscounted optimal values over `horizon` steps, by backward induction. */
function horizonValues(model: TransitionModel, horizon: number): Float64Array {
  let values = new Float64Array(model.nStates);
  for (let h = 0; h < horizon; h++) {
    const next = new Float64Array(model.nStates);
    for (let s = 0; s < model.nStates; s++) {
      next[s] = Math.max(
        ...model.P[s].map((outcomes) =>
          outcomes.reduce(
            (q, t) => q + t.prob * (t.reward + (t.terminated ? 0 : values[t.nextState])),
            0,
          ),
        ),
      );
    }
    values = next;
  }

  return values;
}

describe('Taxi encoding', () => {
  it('encodes ((row * 5 + col) * 5 + passenger) * 4 + destination and decodes it back', () => {
    expect(encodeTaxi(3, 1, 2, 0)).toBe(((3 * 5 + 1) * 5 + 2) * 4 + 0);
    expect(encodeTaxi(4, 4, 4, 3)).toBe(499);

    for (let s = 0; s < 500; s++) {
      const d = decodeTaxi(s);
      expect(encodeTaxi(d.taxiRow, d.taxiCol, d.passengerLocation, d.destination)).toBe(s);
    }
  });

  it('rejects out-of-range components and states', () => {
    expect(() => encodeTaxi(5, 0, 0, 0)).toThrow(
      'Taxi encode: taxiRow must be an integer in [0, 4]; received 5.',
    );
    expect(() => encodeTaxi(0, 0, 0, 4)).toThrow(/destination must be an integer in \[0, 3\]/);
    expect(() => decodeTaxi(500)).toThrow(InvalidConfigError);
    expect(() => new Taxi().decode(-1)).toThrow(/state must be an integer in \[0, 499\]/);
  });
});

describe('Taxi start distribution (P7)', () => {
  const starts = startStates(10_000);

  it('never starts with the passenger in the taxi or at the destination', () => {
    for (const s of starts) {
      const { passengerLocation, destination } = decodeTaxi(s);
      expect(passengerLocation).toBeGreaterThanOrEqual(0);
      expect(passengerLocation).toBeLessThanOrEqual(3);
      expect(passengerLocation).not.toBe(destination);
    }
  });

  it('uses at most 300 distinct start states, all 300 over 10,000 seeds', () => {
    expect(new Set(starts).size).toBe(300);
  });

  it('is roughly uniform: chi-square over 300 cells below 400 (299 df, mean 299, sd 24.5)', () => {
    const counts = new Map<number, number>();
    for (const s of starts) counts.set(s, (counts.get(s) ?? 0) + 1);
    const expected = starts.length / 300;

    const chiSquare = [...counts.values()].reduce(
      (acc, c) => acc + (c - expected) ** 2 / expected,
      0,
    );

    expect(chiSquare).toBeLessThan(400);
  });

  it('puts probability 1/300 on exactly those states in the model', () => {
    const initial = Array.from(new Taxi().transitionModel().initialStateDistribution);

    expect(initial.filter((p) => p > 0)).toHaveLength(300);
    expect(initial.every((p) => p === 0 || p === 1 / 300)).toBe(true);
  });
});

describe('Taxi rewards and dynamics', () => {
  // Seed whose start is: taxi at R (0,0), passenger at R, destination G (0,4).
  const seed = startStates(10_000).indexOf(encodeTaxi(0, 0, 0, 1));

  it('pays -1 per step and +20 for the drop-off on a scripted optimal episode', () => {
    const env = make<number, number>('Taxi-v3');
    env.reset({ seed });
    // Walls block row 0 and row 1 between columns 1 and 2, so the route goes via row 2.
    const script = [Pickup, South, South, East, East, East, East, North, North, Dropoff];

    const results = script.map((a) => env.step(a));

    expect(seed).toBeGreaterThanOrEqual(0);
    expect(results.map((r) => r.reward)).toEqual([-1, -1, -1, -1, -1, -1, -1, -1, -1, 20]);
    expect(results.map((r) => r.terminated)).toEqual([...Array(9).fill(false), true]);
    expect(decodeTaxi(results.at(-1)!.observation)).toEqual({
      taxiRow: 0,
      taxiCol: 4,
      passengerLocation: 1,
      destination: 1,
    });
    expect(results.reduce((acc, r) => acc + r.reward, 0)).toBe(11);
  });

  it('matches the optimal value 11 of that start state', () => {
    const values = horizonValues(new Taxi().transitionModel(), 200);

    expect(values[encodeTaxi(0, 0, 0, 1)]).toBe(11);
  });

  it('has an optimal average return of 7.93 over the start distribution', () => {
    const model = new Taxi().transitionModel();
    const values = horizonValues(model, 200);

    const average = Array.from(model.initialStateDistribution).reduce(
      (acc, p, s) => acc + p * values[s],
      0,
    );

    // Gymnasium's comment "optimum = 8.46" dates from Taxi-v2 (openai/gym PR #345); the v3 map
    // correction added walls, and value iteration on v3 gives 7.93.
    expect(average).toBeCloseTo(7.93, 2);
  });

  it('pays -10 for an illegal pickup or drop-off and leaves the state unchanged', () => {
    const P = new Taxi().transitionModel().P;
    const away = encodeTaxi(2, 2, 0, 1);
    const atDepotEmpty = encodeTaxi(0, 4, 0, 1);

    expect(P[away][Pickup]).toEqual([{ prob: 1, nextState: away, reward: -10, terminated: false }]);
    expect(P[away][Dropoff][0]).toMatchObject({ nextState: away, reward: -10 });
    expect(P[atDepotEmpty][Dropoff][0]).toMatchObject({ reward: -10, terminated: false });
    expect(P[encodeTaxi(2, 2, 4, 1)][Dropoff][0]).toMatchObject({ reward: -10 });
  });

  it('leaves the passenger at another depot for -1 when dropped there', () => {
    const P = new Taxi().transitionModel().P;

    expect(P[encodeTaxi(4, 0, 4, 1)][Dropoff]).toEqual([
      { prob: 1, nextState: encodeTaxi(4, 0, 2, 1), reward: -1, terminated: false },
    ]);
  });

  it('stops at walls and edges with -1', () => {
    const P = new Taxi().transitionModel().P;

    expect(P[encodeTaxi(0, 1, 0, 1)][East][0]).toMatchObject({
      nextState: encodeTaxi(0, 1, 0, 1),
      reward: -1,
    });
    expect(P[encodeTaxi(0, 0, 0, 1)][North][0].nextState).toBe(encodeTaxi(0, 0, 0, 1));
    expect(P[encodeTaxi(3, 0, 0, 1)][East][0].nextState).toBe(encodeTaxi(3, 0, 0, 1));
    expect(P[encodeTaxi(3, 1, 0, 1)][West][0].nextState).toBe(encodeTaxi(3, 1, 0, 1));
    expect(P[encodeTaxi(2, 1, 0, 1)][East][0].nextState).toBe(encodeTaxi(2, 2, 0, 1));
  });

  it("reports Gymnasium's action mask in info on reset and step", () => {
    const env = new Taxi();

    const { info } = env.reset({ seed });
    const after = env.step(Pickup).info;

    expect(info).toEqual({ prob: 1, actionMask: [1, 0, 1, 0, 1, 0] });
    expect(after.actionMask).toEqual([1, 0, 1, 0, 0, 1]);
    expect(env.actionMask(encodeTaxi(2, 2, 4, 1))).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Object.isFrozen(info.actionMask)).toBe(true);
  });

  it('renders depots, passenger, destination and the taxi cell', () => {
    const env = new Taxi();
    env.reset({ seed });

    const frame = env.render();

    expect(frame).toMatchObject({
      family: 'gridworld',
      nrow: 5,
      ncol: 5,
      tiles: ['R...G', '.....', '.....', '.....', 'Y..B.'],
      agent: [0, 0],
      lastAction: null,
      lastReward: null,
    });
    expect(frame.extra).toMatchObject({
      passengerLocation: 0,
      destination: 1,
      locations: [
        [0, 0],
        [0, 4],
        [4, 0],
        [4, 3],
      ],
    });
  });

  it('throws typed errors for bad actions, stepping before reset and any option', () => {
    const env = new Taxi();

    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset({ seed: 0 });
    expect(() => env.step(6)).toThrow(InvalidActionError);
    expect(() => env.step(6)).toThrow(/integer in \[0, 5\] \(Discrete\(6\)\); received 6/);
    expect(() => new Taxi({ isRainy: true })).toThrow(/Taxi options: unknown option "isRainy"/);
  });
});
