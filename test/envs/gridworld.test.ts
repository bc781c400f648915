import { describe, expect, it } from 'vitest';
import {
  CliffWalking,
  CliffWalkingAction,
  FrozenLake,
  FrozenLakeAction,
  GridWorld,
  GridWorldAction,
  Taxi,
} from '../../envs/index';
import {
  InvalidActionError,
  InvalidConfigError,
  InvalidMapError,
  ResetNeededError,
  Rng,
  make,
  spec,
} from '../../src/index';
import type { Env, StepResult, TransitionModel } from '../../src/index';

/** Outcomes of P[s][a] merged by next state: `{ nextState: total probability }`. */
function aggregate(model: TransitionModel, s: number, a: number): Record<number, number> {
  const merged: Record<number, number> = {};
  for (const t of model.P[s][a]) merged[t.nextState] = (merged[t.nextState] ?? 0) + t.prob;

  return merged;
}

/** Finite-horizon optimal values (undiscounted), by backward induction over `horizon` steps. */
function horizonValues(model: TransitionModel, horizon: number): Float64Array {
  let values = new Float64Array(model.nStates);
  for (let h = 0; h < horizon; h++) {
    const next = new Float64Array(model.nStates);
    for (let s = 0; s < model.nStates; s++) {
      let best = -Infinity;
      for (let a = 0; a < model.nActions; a++) {
        let q = 0;
        for (const t of model.P[s][a]) {
          q += t.prob * (t.reward + (t.terminated ? 0 : values[t.nextState]));
        }
        best = Math.max(best, q);
      }
      next[s] = best;
    }
    values = next;
  }

  return values;
}

function tableStats(model: TransitionModel) {
  let entries = 0;
  let expectedReward = 0;
  let maxSumError = 0;
  for (let s = 0; s < model.nStates; s++) {
    for (let a = 0; a < model.nActions; a++) {
      const outcomes = model.P[s][a];
      entries += outcomes.length;
      expectedReward += outcomes.reduce((acc, t) => acc + t.prob * t.reward, 0);
      const sum = outcomes.reduce((acc, t) => acc + t.prob, 0);
      maxSumError = Math.max(maxSumError, Math.abs(sum - 1));
    }
  }

  return { entries, expectedReward, maxSumError };
}

/** Frequencies of the next state over `n` one-step episodes from the start, with `action`. */
function oneStepFrequencies(env: Env<number, number>, action: number, n: number) {
  const counts: Record<number, number> = {};
  env.reset({ seed: 2024 });
  for (let i = 0; i < n; i++) {
    if (i > 0) env.reset();
    const { observation } = env.step(action);
    counts[observation] = (counts[observation] ?? 0) + 1;
  }
  for (const key of Object.keys(counts)) counts[Number(key)] /= n;

  return counts;
}

describe('FrozenLake transition table', () => {
  const model = new FrozenLake({ mapName: '4x4', isSlippery: true }).transitionModel();
  const third = 1 / 3;

  it('sends LEFT from the start to 0 with 2/3 and to 4 with 1/3 (P5)', () => {
    const merged = aggregate(model, 0, FrozenLakeAction.Left);

    expect(Object.keys(merged).map(Number)).toEqual([0, 4]);
    expect(merged[0]).toBeCloseTo(2 / 3, 12);
    expect(merged[4]).toBeCloseTo(1 / 3, 12);
    expect(model.P[0][0].every((t) => t.reward === 0 && !t.terminated)).toBe(true);
  });

  it('lists RIGHT from 14 as 14, the goal 15 (reward 1, terminal) and 10, 1/3 each (P5)', () => {
    const outcomes = model.P[14][FrozenLakeAction.Right];

    expect(outcomes.map((t) => t.nextState)).toEqual([14, 15, 10]);
    outcomes.forEach((t) => expect(t.prob).toBeCloseTo(third, 12));
    expect(outcomes.map((t) => t.reward)).toEqual([0, 1, 0]);
    expect(outcomes.map((t) => t.terminated)).toEqual([false, true, false]);
  });

  it('makes the hole 5 absorbing for every action (P5)', () => {
    for (let a = 0; a < 4; a++) {
      expect(model.P[5][a]).toEqual([{ prob: 1, nextState: 5, reward: 0, terminated: true }]);
    }
  });

  it('pins the whole 4x4 table: 152 entries, sums of 1, expected reward summing to 1', () => {
    const stats = tableStats(model);

    // 11 non-terminal states x 4 actions x 3 outcomes + 5 terminal states x 4 actions x 1.
    expect(stats.entries).toBe(11 * 4 * 3 + 5 * 4);
    expect(stats.maxSumError).toBeLessThan(1e-12);
    // Only 14 reaches the goal: via RIGHT in actions DOWN, RIGHT and UP, 1/3 each.
    expect(stats.expectedReward).toBeCloseTo(1, 12);
  });

  it('never moves opposite to the intended direction (openai/gym #1935)', () => {
    const opposite = [2, 3, 0, 1];
    const deltas = [
      [0, -1],
      [1, 0],
      [0, 1],
      [-1, 0],
    ];
    for (let s = 0; s < 16; s++) {
      for (let a = 0; a < 4; a++) {
        const [dr, dc] = deltas[opposite[a]];
        const [r, c] = [Math.floor(s / 4) + dr, (s % 4) + dc];
        if (r < 0 || r > 3 || c < 0 || c > 3) continue;
        expect(model.P[s][a].map((t) => t.nextState)).not.toContain(r * 4 + c);
      }
    }
  });

  it('has the optimal 100-step success probability 0.744 of Gymnasium (optimum 0.74)', () => {
    const values = horizonValues(model, 100);

    expect(values[0]).toBeCloseTo(0.7442, 4);
  });

  it('pins 8x8 spot entries, its size, and the 200-step optimum 0.913 (Gymnasium 0.91)', () => {
    const big = new FrozenLake({ mapName: '8x8' }).transitionModel();

    expect(big.nStates).toBe(64);
    const up = aggregate(big, 0, FrozenLakeAction.Up);
    expect(Object.keys(up)).toEqual(['0', '1']);
    expect([up[0], up[1]].map((p) => p.toFixed(12))).toEqual(['0.666666666667', '0.333333333333']);
    expect(
      big.P[62][FrozenLakeAction.Right].map((t) => [t.nextState, t.reward, t.terminated]),
    ).toEqual([
      [62, 0, false],
      [63, 1, true],
      [54, 0, true],
    ]);
    // 53 non-terminal states x 4 x 3 + 11 terminal (10 holes, 1 goal) x 4.
    expect(tableStats(big).entries).toBe(53 * 12 + 11 * 4);
    expect(tableStats(big).expectedReward).toBeCloseTo(2, 12);
    expect(horizonValues(big, 200)[0]).toBeCloseTo(0.9132, 4);
  });

  it('uses one deterministic outcome per action when not slippery', () => {
    const plain = new FrozenLake({ isSlippery: false }).transitionModel();

    expect(plain.P[0][FrozenLakeAction.Down]).toEqual([
      { prob: 1, nextState: 4, reward: 0, terminated: false },
    ]);
    expect(plain.P[14][FrozenLakeAction.Right]).toEqual([
      { prob: 1, nextState: 15, reward: 1, terminated: true },
    ]);
  });

  it('splits the rest of successRate equally between the perpendicular moves', () => {
    const custom = new FrozenLake({ successRate: 0.8 }).transitionModel();

    expect(custom.P[14][FrozenLakeAction.Right].map((t) => t.prob)).toEqual([
      0.09999999999999998, 0.8, 0.09999999999999998,
    ]);
    expect(new FrozenLake({ successRate: 1 }).transitionModel().P[14][2]).toHaveLength(1);
    const never = new FrozenLake({ successRate: 0 }).transitionModel().P[14][2];
    expect(never.map((t) => [t.nextState, t.prob])).toEqual([
      [14, 0.5],
      [10, 0.5],
    ]);
  });

  it('pays the rewardSchedule [goal, hole, frozen] on entering each tile', () => {
    const env = new FrozenLake({ isSlippery: false, rewardSchedule: [10, -5, -0.1] });
    const P = env.transitionModel().P;

    expect(P[14][FrozenLakeAction.Right][0].reward).toBe(10);
    expect(P[1][FrozenLakeAction.Down][0].reward).toBe(-5);
    expect(P[0][FrozenLakeAction.Right][0].reward).toBe(-0.1);
    expect(P[4][FrozenLakeAction.Up][0].reward).toBe(-0.1);
  });

  it('returns the same frozen model on every call', () => {
    const env = new FrozenLake();

    expect(env.transitionModel()).toBe(env.transitionModel());
    expect(Object.isFrozen(env.transitionModel().P[0][0][0])).toBe(true);
    expect(Array.from(env.transitionModel().initialStateDistribution)[0]).toBe(1);
  });
});

describe('FrozenLake dynamics', () => {
  it('matches the slippery probabilities within 0.02 over 10,000 steps (P5)', () => {
    const freq = oneStepFrequencies(new FrozenLake(), FrozenLakeAction.Left, 10_000);

    expect(Object.keys(freq).map(Number).sort()).toEqual([0, 4]);
    expect(Math.abs(freq[0] - 2 / 3)).toBeLessThan(0.02);
    expect(Math.abs(freq[4] - 1 / 3)).toBeLessThan(0.02);
  });

  it('slips to both sides but never backwards, 1/3 each, over 10,000 steps (P5)', () => {
    const env = new FrozenLake({ desc: ['FFF', 'FSF', 'FFF'] });

    const freq = oneStepFrequencies(env, FrozenLakeAction.Down, 10_000);

    expect(Object.keys(freq).map(Number).sort()).toEqual([3, 5, 7]);
    for (const s of [3, 5, 7]) expect(Math.abs(freq[s] - 1 / 3)).toBeLessThan(0.02);
  });

  it('moves as intended with probability successRate = 0.8 over 10,000 steps', () => {
    const env = new FrozenLake({ desc: ['FFF', 'FSF', 'FFF'], successRate: 0.8 });

    const freq = oneStepFrequencies(env, FrozenLakeAction.Down, 10_000);

    expect(Math.abs(freq[7] - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(freq[3] - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(freq[5] - 0.1)).toBeLessThan(0.02);
  });

  it('encodes row * ncol + col on a non-square map (P6)', () => {
    const env = new FrozenLake({ desc: ['SFF', 'FHG'], isSlippery: false });

    env.reset({ seed: 0 });
    const { observation } = env.step(FrozenLakeAction.Down);

    expect(observation).toBe(3);
    expect(env.observationSpace.n).toBe(6);
    expect(env.transitionModel().P[2][FrozenLakeAction.Down][0]).toMatchObject({
      nextState: 5,
      reward: 1,
      terminated: true,
    });
    expect(env.render().agent).toEqual([1, 0]);
  });

  it('starts uniformly among several S tiles, like Gymnasium', () => {
    const env = new FrozenLake({ desc: ['SFS', 'FFG'] });

    const starts = new Set<number>();
    env.reset({ seed: 1 });
    for (let i = 0; i < 50; i++) starts.add(env.reset().observation);

    expect([...starts].sort()).toEqual([0, 2]);
    expect(Array.from(env.transitionModel().initialStateDistribution)).toEqual([
      0.5, 0, 0.5, 0, 0, 0,
    ]);
  });

  it('gives identical trajectories for two envs with the same seeds (P3)', () => {
    const run = () => {
      const env = make<number, number>('FrozenLake-v1', { isSlippery: true });
      const actionRng = new Rng(42);
      const actions = Array.from({ length: 20 }, () => env.actionSpace.sample(actionRng));
      const trajectory: [number, StepResult<number>][] = [
        [env.reset({ seed: 42 }).observation, null!],
      ];
      for (const action of actions) {
        const result = env.step(action);
        trajectory.push([result.observation, result]);
        if (result.terminated || result.truncated) env.reset({ seed: 42 });
      }
      return { actions, trajectory };
    };

    const first = run();
    const second = run();

    expect(second.actions).toEqual(first.actions);
    expect(second.trajectory).toEqual(first.trajectory);
  });

  it('continues the stream on reset() without a seed, so later episodes differ (P3)', () => {
    const env = new FrozenLake();
    const observe = () => {
      const path: number[] = [];
      for (let i = 0; i < 60; i++) {
        const { observation, terminated } = env.step(i % 4);
        path.push(observation);
        if (terminated) path.push(env.reset().observation);
      }
      return path;
    };

    env.reset({ seed: 42 });
    const first = observe();
    env.reset();
    const later = observe();
    env.reset({ seed: 42 });
    const again = observe();

    expect(later).not.toEqual(first);
    expect(again).toEqual(first);
  });

  it('keeps the streams of two envs apart when their steps interleave (P3)', () => {
    const [a, b, alone] = [new FrozenLake(), new FrozenLake(), new FrozenLake()];
    a.reset({ seed: 5 });
    b.reset({ seed: 5 });
    alone.reset({ seed: 5 });

    const pairs = Array.from({ length: 8 }, () => [a.step(1), b.step(1)]);
    const solo = Array.from({ length: 8 }, () => alone.step(1));

    expect(pairs.map(([x]) => x)).toEqual(solo);
    expect(pairs.map(([, y]) => y)).toEqual(solo);
  });

  it('reports the outcome probability in a frozen info object shared between steps', () => {
    const env = new FrozenLake({ isSlippery: false });

    const { info } = env.reset({ seed: 0 });
    const first = env.step(FrozenLakeAction.Right).info;
    env.reset();
    const second = env.step(FrozenLakeAction.Right).info;

    expect(info).toEqual({ prob: 1 });
    expect(first).toEqual({ prob: 1 });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('renders the map, the agent cell and the last action and reward', () => {
    const env = new FrozenLake({ isSlippery: false });

    env.reset({ seed: 0 });
    const before = env.render();
    env.step(FrozenLakeAction.Right);

    expect(before).toEqual({
      family: 'gridworld',
      nrow: 4,
      ncol: 4,
      tiles: ['SFFF', 'FHFH', 'FFFH', 'HFFG'],
      agent: [0, 0],
      lastAction: null,
      lastReward: null,
    });
    expect(env.render()).toMatchObject({ agent: [0, 1], lastAction: 2, lastReward: 0 });
    expect(env.metadata.family).toBe('gridworld');
  });
});

describe('FrozenLake options and errors', () => {
  it('rejects unknown options, naming them', () => {
    expect(() => new FrozenLake({ slippery: true } as never)).toThrow(InvalidConfigError);
    expect(() => new FrozenLake({ slippery: true } as never)).toThrow(/unknown option "slippery"/);
  });

  it('rejects out-of-range options with the value received', () => {
    expect(() => new FrozenLake({ successRate: 1.5 })).toThrow(/successRate.*received 1\.5/);
    expect(() => new FrozenLake({ mapName: '5x5' as never })).toThrow(/'4x4' or '8x8'.*"5x5"/);
    expect(() => new FrozenLake({ rewardSchedule: [1, 0] as never })).toThrow(
      /rewardSchedule must be three finite numbers/,
    );
    expect(() => new FrozenLake({ isSlippery: 'yes' as never })).toThrow(/isSlippery/);
  });

  it('rejects malformed maps, naming the row and column', () => {
    expect(() => new FrozenLake({ desc: ['SFF', 'FG'] })).toThrow(InvalidMapError);
    expect(() => new FrozenLake({ desc: ['SFF', 'FG'] })).toThrow(/row 1, column 2/);
    expect(() => new FrozenLake({ desc: ['SFX', 'FFG'] })).toThrow(/row 0, column 2.*"X"/);
    expect(() => new FrozenLake({ desc: ['FFF', 'FFG'] })).toThrow(/no start tile S/);
  });

  it('throws InvalidActionError naming the action and the valid range', () => {
    const env = new FrozenLake();
    env.reset({ seed: 0 });

    for (const bad of [4, -1, 1.5, NaN, '1']) {
      expect(() => env.step(bad as number)).toThrow(InvalidActionError);
    }
    expect(() => env.step(4)).toThrow(
      'FrozenLake: action must be an integer in [0, 3] (Discrete(4)); received 4.',
    );
  });

  it('throws ResetNeededError when a bare env is stepped or rendered before reset', () => {
    const env = new FrozenLake();

    expect(() => env.step(0)).toThrow(ResetNeededError);
    expect(() => env.step(0)).toThrow(/before reset\(\)/);
    expect(() => env.render()).toThrow(ResetNeededError);
  });

  it('rejects reset options it does not understand', () => {
    expect(() => new FrozenLake().reset({ seed: 0, options: { start: 3 } })).toThrow(
      /FrozenLake reset options: unknown option "start"/,
    );
  });
});

describe('CliffWalking', () => {
  const model = new CliffWalking().transitionModel();

  it('starts at 36 and has 48 states and 4 actions', () => {
    const env = new CliffWalking();

    expect(env.reset({ seed: 0 }).observation).toBe(36);
    expect([model.nStates, model.nActions]).toEqual([48, 4]);
  });

  it('sends every step into the cliff back to 36 with -100, not terminal', () => {
    const into: [number, number][] = [[36, CliffWalkingAction.Right]];
    for (let col = 1; col <= 10; col++) into.push([24 + col, CliffWalkingAction.Down]);

    for (const [s, a] of into) {
      expect(model.P[s][a]).toEqual([{ prob: 1, nextState: 36, reward: -100, terminated: false }]);
    }
  });

  it('terminates with -1 on entering the goal 47', () => {
    expect(model.P[35][CliffWalkingAction.Down]).toEqual([
      { prob: 1, nextState: 47, reward: -1, terminated: true },
    ]);
  });

  it('pays -1 per ordinary step and keeps the agent in place at the edge', () => {
    expect(model.P[0][CliffWalkingAction.Up]).toEqual([
      { prob: 1, nextState: 0, reward: -1, terminated: false },
    ]);
    expect(model.P[36][CliffWalkingAction.Up][0]).toMatchObject({ nextState: 24, reward: -1 });
  });

  it('has the optimal return -13 from the start', () => {
    expect(horizonValues(model, 200)[36]).toBe(-13);
  });

  it('walks the optimal 13-step path for a return of -13 through make', () => {
    const env = make<number, number>('CliffWalking-v1');
    const path = [0, ...Array(11).fill(1), 2];
    env.reset({ seed: 0 });

    const results = path.map((a) => env.step(a));

    expect(results.reduce((acc, r) => acc + r.reward, 0)).toBe(-13);
    expect(results.at(-1)).toMatchObject({ observation: 47, terminated: true });
    expect(results.slice(0, -1).every((r) => !r.terminated && !r.truncated)).toBe(true);
  });

  it('slips to the perpendicular moves, 1/3 each, when slippery (Gymnasium 1.x)', () => {
    const slippery = new CliffWalking({ isSlippery: true }).transitionModel();

    expect(slippery.P[24][CliffWalkingAction.Right]).toEqual([
      { prob: 1 / 3, nextState: 12, reward: -1, terminated: false },
      { prob: 1 / 3, nextState: 25, reward: -1, terminated: false },
      { prob: 1 / 3, nextState: 36, reward: -1, terminated: false },
    ]);
    expect(aggregate(slippery, 25, CliffWalkingAction.Right)).toEqual({
      13: 1 / 3,
      26: 1 / 3,
      36: 1 / 3,
    });
    expect(slippery.P[25][CliffWalkingAction.Right][2].reward).toBe(-100);
  });

  it('renders the cliff as H in the bottom row and the agent at (3, 0)', () => {
    const env = new CliffWalking();
    env.reset({ seed: 0 });

    const frame = env.render();

    expect(frame.tiles).toEqual(['............', '............', '............', 'SHHHHHHHHHHG']);
    expect(frame.agent).toEqual([3, 0]);
  });

  it('registers a 200-step limit and the slippery variant', () => {
    expect(spec('CliffWalking-v1').maxEpisodeSteps).toBe(200);
    expect(spec('CliffWalkingSlippery-v1').kwargs).toEqual({ isSlippery: true });
    expect(() => new CliffWalking({ slippery: true } as never)).toThrow(/unknown option/);
  });
});

describe('GridWorld', () => {
  it('reads walls, start, goal and reward cells from the map', () => {
    const env = new GridWorld({ map: ['S.a', '.#G'], rewards: { a: 0.5 }, stepReward: -0.1 });
    env.reset({ seed: 0 });

    const steps = [env.step(GridWorldAction.Right), env.step(GridWorldAction.Right)];
    const bump = env.step(GridWorldAction.Up);
    const goal = env.step(GridWorldAction.Down);

    expect(steps.map((s) => [s.observation, s.reward])).toEqual([
      [1, -0.1],
      [2, 0.5],
    ]);
    expect([bump.observation, bump.reward]).toEqual([2, 0.5]);
    expect(goal).toMatchObject({ observation: 5, reward: 1, terminated: true });
  });

  it('keeps the agent in place when it walks into a wall', () => {
    const env = new GridWorld({ map: ['S.', '#G'] });
    env.reset({ seed: 0 });

    const result = env.step(GridWorldAction.Down);

    expect(result).toMatchObject({ observation: 0, reward: 0, terminated: false });
  });

  it('pays digits their value and ends the episode in a hole with -1 by default', () => {
    const P = new GridWorld({ map: ['S7H', '..G'] }).transitionModel().P;

    expect(P[0][GridWorldAction.Right][0]).toMatchObject({ nextState: 1, reward: 7 });
    expect(P[1][GridWorldAction.Right][0]).toMatchObject({ reward: -1, terminated: true });
    expect(P[2][0]).toEqual([{ prob: 1, nextState: 2, reward: 0, terminated: true }]);
  });

  it('defaults to Russell and Norvig 4x3 world and its optimum with slip 0.8 and -0.04', () => {
    const env = new GridWorld({ isSlippery: true, stepReward: -0.04 });
    const model = env.transitionModel();

    expect(env.map).toEqual(['...G', '.#.H', 'S...']);
    expect(aggregate(model, 8, GridWorldAction.Up)).toEqual({
      4: 0.8,
      8: 0.09999999999999998,
      9: 0.09999999999999998,
    });
    // AIMA 3rd ed. Fig. 17.3: U(1,1) = 0.705. AIMA's utility also counts R(start) = -0.04,
    // which our rewards (paid on entering a cell) leave out.
    expect(-0.04 + horizonValues(model, 1000)[8]).toBeCloseTo(0.705, 3);
  });

  it('rejects ragged rows, naming the row and column', () => {
    expect(() => new GridWorld({ map: ['S..', '.G'] })).toThrow(InvalidMapError);
    expect(() => new GridWorld({ map: ['S..', '.G'] })).toThrow(
      'GridWorld map: row 1, column 2: the row has 2 columns but row 0 has 3. ' +
        'Every row must have the same length; pad or trim row 1.',
    );
  });

  it('rejects an unknown character, naming the row and column', () => {
    expect(() => new GridWorld({ map: ['S.*', '..G'] })).toThrow(
      /row 0, column 2: unknown character "\*"/,
    );
    expect(() => new GridWorld({ map: ['S.x', '..G'] })).toThrow(/rewards: \{ x: -5 \}/);
  });

  it('rejects a map without a start, with several starts, or without a goal', () => {
    expect(() => new GridWorld({ map: ['...', '..G'] })).toThrow(/no start/);
    expect(() => new GridWorld({ map: ['S.S', '..G'] })).toThrow(
      /2 starts S \(row 0, column 0; row 0, column 2\)/,
    );
    expect(() => new GridWorld({ map: ['S..', '...'] })).toThrow(/no goal/);
    expect(() => new GridWorld({ map: [] })).toThrow(InvalidMapError);
  });

  it('rejects bad options with InvalidConfigError', () => {
    expect(() => new GridWorld({ rewards: { '#': 1 } })).toThrow(InvalidConfigError);
    expect(() => new GridWorld({ rewards: { a: NaN } })).toThrow(/entry "a"/);
    expect(() => new GridWorld({ stepReward: Infinity })).toThrow(/stepReward/);
    expect(() => new GridWorld({ walls: [] } as never)).toThrow(/unknown option "walls"/);
  });

  it('renders tiles with S G H # . and lists the reward cells in extra', () => {
    const env = new GridWorld({ map: ['S.a', 'F#G', '3.H'], rewards: { a: 2 } });
    env.reset({ seed: 0 });

    const frame = env.render();

    expect(frame.tiles).toEqual(['S..', '.#G', '..H']);
    expect(frame.extra).toEqual({
      cellRewards: [
        [0, 2, 2],
        [2, 0, 3],
      ],
    });
  });
});

describe('registered gridworlds', () => {
  const ids = [
    'FrozenLake-v1',
    'FrozenLake8x8-v1',
    'CliffWalking-v1',
    'CliffWalkingSlippery-v1',
    'Taxi-v3',
    'GridWorld-v0',
  ];

  it("registers Gymnasium's time limits and thresholds", () => {
    expect(spec('FrozenLake-v1')).toMatchObject({ maxEpisodeSteps: 100, rewardThreshold: 0.7 });
    expect(spec('FrozenLake8x8-v1')).toMatchObject({ maxEpisodeSteps: 200, rewardThreshold: 0.85 });
    expect(spec('Taxi-v3')).toMatchObject({ maxEpisodeSteps: 200, rewardThreshold: 8 });
    expect(spec('GridWorld-v0').maxEpisodeSteps).toBe(100);
  });

  it.each(ids)(
    '%s keeps observations and sampled actions in their spaces for 1000 steps (P16)',
    (id) => {
      const env = make<number, number>(id);
      const rng = new Rng(16);
      let { observation } = env.reset({ seed: 16 });
      expect(env.observationSpace.contains(observation)).toBe(true);

      for (let i = 0; i < 1000; i++) {
        const action = env.actionSpace.sample(rng);
        expect(env.actionSpace.contains(action)).toBe(true);
        const result = env.step(action);
        expect(env.observationSpace.contains(result.observation)).toBe(true);
        observation =
          result.terminated || result.truncated ? env.reset().observation : result.observation;
        expect(env.observationSpace.contains(observation)).toBe(true);
      }
    },
  );

  it.each(ids)('%s truncates at its time limit and never starts terminal', (id) => {
    const limit = 3;
    const env = make<number, number>(id, {}, { maxEpisodeSteps: limit });
    const model = (env.unwrapped as FrozenLake | CliffWalking | GridWorld | Taxi).transitionModel();
    const start = env.reset({ seed: 3 }).observation;

    const absorbing = model.P[start].every(
      (o) => o.length === 1 && o[0].nextState === start && o[0].terminated,
    );
    let result = env.step(0);
    for (let i = 1; i < limit && !result.terminated; i++) result = env.step(0);

    expect(absorbing).toBe(false);
    expect(result.truncated || result.terminated).toBe(true);
    expect(env.render().family).toBe('gridworld');
  });
});
