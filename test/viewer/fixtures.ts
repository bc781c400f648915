/**
 * Run folders for the viewer tests, written with the real EpisodeWriter so the server and
 * client read exactly what training writes (notes/RUNS.md). One run per renderer family, a
 * supervised run, and damaged files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CUSTOMER_FEATURES } from '../../envs/index';
import {
  EPISODE_FORMAT,
  EpisodeWriter,
  Rng,
  type EpisodeHeader,
  type EpisodeStep,
  type RenderFrame,
  type SpaceJSON,
} from '../../src/index';

type StepInput = Omit<EpisodeStep, 'kind' | 't'>;

/** FrozenLake's 4x4 map (Gymnasium's default). */
export const FROZEN_4X4 = ['SFFF', 'FHFH', 'FFFH', 'HFFG'];
/** The non-square map of PITFALLS P6: 2 rows, 3 columns. */
export const NON_SQUARE = ['SFF', 'FHG'];
/** FrozenLake action order (Gymnasium): 0 left, 1 down, 2 right, 3 up. */
export const LEFT = 0;
export const DOWN = 1;
export const RIGHT = 2;
export const UP = 3;

interface HeaderArgs {
  envId: string;
  family: string;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  observation: unknown;
  frame: RenderFrame | null;
  episodeIndex?: number;
  maxEpisodeSteps?: number;
  agent?: string;
  envKwargs?: Record<string, unknown>;
}

function header(args: HeaderArgs): EpisodeHeader {
  return {
    kind: 'header',
    format: EPISODE_FORMAT,
    envId: args.envId,
    envKwargs: args.envKwargs ?? {},
    maxEpisodeSteps: args.maxEpisodeSteps ?? 100,
    family: args.family,
    packageVersion: '0.1.0',
    seed: 0,
    rngState: null,
    agent: args.agent ? { name: args.agent, config: {} } : null,
    observationSpace: args.observationSpace,
    actionSpace: args.actionSpace,
    episodeIndex: args.episodeIndex ?? 0,
    observation: args.observation,
    info: {},
    frame: args.frame,
  };
}

/** Writes one episode file and returns its path. */
export function writeEpisode(
  file: string,
  head: EpisodeHeader,
  steps: Iterable<StepInput>,
): string {
  const writer = new EpisodeWriter(file, head);
  for (const step of steps) writer.step(step);
  writer.close();
  return file;
}

/** Writes run.json. */
export function writeRunJson(dir: string, fields: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  const run = {
    format: 'tsgym-run/1',
    name: path.basename(dir),
    kind: 'rl',
    createdAt: '2024-01-01T00:00:00.000Z',
    tsgymVersion: '0.1.0',
    nodeVersion: process.version,
    seed: 0,
    config: {},
    status: 'finished',
    ...fields,
  };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
}

/** Writes metrics.jsonl: `episodes` learning-curve rows, then a last line cut short. */
export function writeMetrics(
  dir: string,
  episodes: number,
  seed: number,
  cutLastLine = true,
): void {
  const rng = new Rng(seed);
  const lines: string[] = [];
  let step = 0;
  for (let e = 0; e < episodes; e++) {
    const progress = e / Math.max(1, episodes - 1);
    const length = Math.round(6 + 10 * (1 - progress) + rng.int(4));
    step += length;
    const row = {
      step,
      episode: e,
      time: e * 0.01,
      'train/episode_return': Math.min(1, progress + rng.normal() * 0.2),
      'train/episode_length': length,
      'train/epsilon': Math.max(0.05, 1 - progress),
      'train/loss': 1 / (1 + e) + rng.random() * 0.01,
    };
    lines.push(JSON.stringify(row));
  }
  const tail = cutLastLine
    ? `{"step": ${step + 5}, "episode": ${episodes}, "train/episode_ret`
    : '';
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n${tail}`);
}

/** Gridworld frame for the agent at (row, col). */
export function gridFrame(
  tiles: string[],
  row: number,
  col: number,
  lastAction: number | null,
  lastReward: number | null,
): RenderFrame {
  return {
    family: 'gridworld',
    nrow: tiles.length,
    ncol: tiles[0].length,
    tiles,
    agent: [row, col],
    lastAction,
    lastReward,
  };
}

const MOVES: Record<number, [number, number]> = {
  [LEFT]: [0, -1],
  [DOWN]: [1, 0],
  [RIGHT]: [0, 1],
  [UP]: [-1, 0],
};

/**
 * A deterministic (non-slippery) gridworld episode following `actions` from the S tile.
 * Observation = row * ncol + col (PITFALLS P6). Holes and the goal terminate; the goal pays 1.
 */
export function gridEpisode(
  tiles: string[],
  actions: number[],
  withQValues = true,
): {
  head: (h: Partial<HeaderArgs>) => EpisodeHeader;
  steps: StepInput[];
  cells: [number, number][];
} {
  const nrow = tiles.length;
  const ncol = tiles[0].length;
  let row = tiles.findIndex((r) => r.includes('S'));
  let col = tiles[row].indexOf('S');
  const cells: [number, number][] = [[row, col]];
  const steps: StepInput[] = [];
  for (const action of actions) {
    const [dr, dc] = MOVES[action];
    row = Math.min(nrow - 1, Math.max(0, row + dr));
    col = Math.min(ncol - 1, Math.max(0, col + dc));
    const tile = tiles[row][col];
    const reward = tile === 'G' ? 1 : 0;
    const terminated = tile === 'G' || tile === 'H';
    cells.push([row, col]);
    const qValues = withQValues
      ? [0, 1, 2, 3].map((a) => (a === action ? 0.9 : 0.1 * a))
      : undefined;
    steps.push({
      action,
      observation: row * ncol + col,
      reward,
      terminated,
      truncated: false,
      info: { prob: 1 },
      actionProb: 0.9,
      frame: gridFrame(tiles, row, col, action, reward),
      ...(qValues ? { qValues } : {}),
    });
    if (terminated) break;
  }
  const head = (h: Partial<HeaderArgs>) =>
    header({
      envId: 'FrozenLake-v1',
      family: 'gridworld',
      observationSpace: { type: 'Discrete', n: nrow * ncol, start: 0 },
      actionSpace: { type: 'Discrete', n: 4, start: 0 },
      observation: cells[0][0] * ncol + cells[0][1],
      frame: gridFrame(tiles, cells[0][0], cells[0][1], null, null),
      agent: 'QLearning',
      ...h,
    });
  return { head, steps, cells };
}

/** A 100-arm-free 5-armed Bernoulli bandit episode, epsilon-greedy, with the agent's estimates. */
export function banditSteps(
  length: number,
  seed: number,
): { trueMeans: number[]; steps: StepInput[]; frame0: RenderFrame } {
  const trueMeans = [0.2, 0.5, 0.35, 0.7, 0.1];
  const rng = new Rng(seed);
  const pulls = trueMeans.map(() => 0);
  const sums = trueMeans.map(() => 0);
  const steps: StepInput[] = [];
  const base = { family: 'bandit', k: trueMeans.length, trueMeans, optimalArm: 3 };
  for (let t = 0; t < length; t++) {
    const estimates = pulls.map((n, a) => (n > 0 ? sums[a] / n : 0));
    // The first pulls go round the arms so the marker visibly moves between steps.
    const arm =
      t < trueMeans.length
        ? t
        : rng.random() < 0.1
          ? rng.int(trueMeans.length)
          : estimates.indexOf(Math.max(...estimates));
    const reward = rng.random() < trueMeans[arm] ? 1 : 0;
    pulls[arm]++;
    sums[arm] += reward;
    const frame = { ...base, lastArm: arm, lastReward: reward, pulls: [...pulls] };
    steps.push({
      action: arm,
      observation: 0,
      reward,
      terminated: false,
      truncated: t === length - 1,
      info: {},
      actionProb: 0.92,
      frame,
      qValues: estimates,
    });
  }
  return {
    trueMeans,
    steps,
    frame0: { ...base, lastArm: null, lastReward: null, pulls: trueMeans.map(() => 0) },
  };
}

/**
 * CartPole with Gymnasium's CartPole-v1 equations (Euler, tau 0.02 s, force 10 N, pole
 * half-length 0.5 m) under a simple angle-feedback policy.
 */
export function cartPoleSteps(length: number): { steps: StepInput[]; frame0: RenderFrame } {
  let [x, xDot, theta, thetaDot] = [0, 0, 0.04, 0];
  const frame = () => ({
    family: 'cartpole',
    x,
    xDot,
    theta,
    thetaDot,
    xThreshold: 2.4,
    thetaThresholdRadians: (12 * 2 * Math.PI) / 360,
  });
  const frame0 = frame();
  const steps: StepInput[] = [];
  for (let t = 0; t < length; t++) {
    const action = theta + 0.3 * thetaDot + 0.02 * x + 0.05 * xDot > 0 ? 1 : 0;
    const force = action === 1 ? 10 : -10;
    const temp = (force + 0.05 * thetaDot ** 2 * Math.sin(theta)) / 1.1;
    const thetaAcc =
      (9.8 * Math.sin(theta) - Math.cos(theta) * temp) /
      (0.5 * (4 / 3 - (0.1 * Math.cos(theta) ** 2) / 1.1));
    const xAcc = temp - (0.05 * thetaAcc * Math.cos(theta)) / 1.1;
    x += 0.02 * xDot;
    xDot += 0.02 * xAcc;
    theta += 0.02 * thetaDot;
    thetaDot += 0.02 * thetaAcc;
    steps.push({
      action,
      observation: [x, xDot, theta, thetaDot],
      reward: 1,
      terminated: false,
      truncated: t === length - 1,
      info: {},
      actionProb: 1,
      frame: frame(),
    });
  }
  return { steps, frame0 };
}

/** Customers in the marketing fixture. */
export const MARKETING_CUSTOMERS = 64;
/** Features per customer row, as envs/marketing's CUSTOMER_FEATURES (recency 7, unsubscribed 12). */
const FEATURES = 13;

/**
 * A population-view marketing episode shaped like envs/marketing's MarketingPopulation-v0
 * recordings: frames hold weekly totals only; the step's action has one entry per customer
 * (0 none, 1 e-mail, 2 coupon) and the observation is the flat customers x 13 feature matrix
 * (recency 0 = bought this week, unsubscribed 1). Customer 0 alternates e-mail and purchase.
 */
export function marketingSteps(
  weeks: number,
  seed: number,
): { steps: StepInput[]; frame0: RenderFrame; observation0: number[] } {
  const rng = new Rng(seed);
  const n = MARKETING_CUSTOMERS;
  const unsubscribed = new Array<boolean>(n).fill(false);
  let cumulativeProfit = 0;
  const observe = (bought: boolean[]) =>
    Array.from({ length: n }, (_, i) => {
      const row = new Array(FEATURES).fill(0).map((_, k) => ((i + k) % 7) / 7);
      row[7] = bought[i] ? 0 : 0.1 + (i % 5) / 10;
      row[12] = unsubscribed[i] ? 1 : 0;
      return row;
    }).flat();
  const frame = (week: number, lastWeek: Record<string, number> | null) => ({
    family: 'marketing',
    view: 'population',
    week,
    customers: n,
    subscribed: unsubscribed.filter((u) => !u).length,
    lastWeek,
    cumulativeProfit,
    emailBudget: null,
  });
  const frame0 = frame(0, null);
  const observation0 = observe(new Array(n).fill(false));
  const steps: StepInput[] = [];
  for (let week = 1; week <= weeks; week++) {
    const actions = unsubscribed.map((u, i) => (u ? 0 : i === 0 ? week % 2 : rng.int(3)));
    const bought = actions.map((a, i) =>
      i === 0 ? week % 2 === 0 : !unsubscribed[i] && rng.random() < 0.05 + 0.1 * a,
    );
    let unsubscribes = 0;
    for (let i = 1; i < n; i++) {
      if (actions[i] > 0 && !unsubscribed[i] && rng.random() < 0.03) {
        unsubscribed[i] = true;
        unsubscribes++;
      }
    }
    const emails = actions.filter((a) => a > 0).length;
    const coupons = actions.filter((a) => a === 2).length;
    const purchases = bought.filter(Boolean).length;
    const profit = purchases * 12 - emails * 0.5 - coupons * 2;
    cumulativeProfit += profit;
    const lastWeek = { profit, sales: purchases * 40, emails, coupons, purchases, unsubscribes };
    steps.push({
      action: actions,
      observation: observe(bought),
      reward: profit,
      terminated: false,
      truncated: week === weeks,
      info: { weekIndex: week },
      actionProb: null,
      frame: frame(week, lastWeek),
    });
  }
  return { steps, frame0, observation0 };
}

/**
 * A customer-view marketing episode shaped like MarketingCustomer-v0 recordings: features by
 * name, last action and reward, purchase and unsubscribe flags, and the expected reward of
 * each action. The agent alternates e-mail and coupon; the customer buys every third week.
 */
export function customerSteps(weeks: number): { steps: StepInput[]; frame0: RenderFrame } {
  const names = [...CUSTOMER_FEATURES];
  let cumulativeReward = 0;
  const frame = (
    week: number,
    lastAction: number | null,
    lastReward: number | null,
    purchased: boolean | null,
  ) => ({
    family: 'marketing',
    view: 'customer',
    week,
    features: Object.fromEntries(
      names.map((name, k) => [name, name === 'recency' && purchased ? 0 : ((k + week) % 10) / 10]),
    ),
    lastAction,
    lastReward,
    cumulativeReward,
    purchased,
    unsubscribed: false,
    expectedRewards: [1.5, 2.25 - week / 10, 0.5],
  });
  const frame0 = frame(0, null, null, null);
  const steps: StepInput[] = [];
  for (let week = 1; week <= weeks; week++) {
    const action = week % 2 === 1 ? 1 : 2;
    const purchased = week % 3 === 0;
    const reward = (purchased ? 12 : 0) - 0.5 - (action === 2 ? 2 : 0);
    cumulativeReward += reward;
    const observation = names.map((_, k) => (k % 10) / 10);
    steps.push({
      action,
      observation,
      reward,
      terminated: false,
      truncated: week === weeks,
      info: {},
      actionProb: 0.5,
      frame: frame(week, action, reward, purchased),
    });
  }
  return { steps, frame0 };
}

/** A generic episode: a pendulum-like Box observation and a continuous action. */
export function genericSteps(length: number): StepInput[] {
  const steps: StepInput[] = [];
  for (let t = 0; t < length; t++) {
    const angle = Math.sin(t / 5);
    steps.push({
      action: [Number((angle * 2).toFixed(3))],
      observation: [Math.cos(angle), Math.sin(angle), t / 10],
      reward: -angle * angle,
      terminated: false,
      truncated: t === length - 1,
      info: { t },
      actionProb: null,
      frame: { family: 'generic' },
    });
  }
  return steps;
}

/** What {@link writeFixtureRuns} wrote, for assertions. */
export interface FixtureRuns {
  /** The runs folder. */
  root: string;
  /** Run and episode file per family. */
  episodes: Record<
    'gridworld' | 'nonsquare' | 'bandit' | 'cartpole' | 'marketing' | 'customer' | 'generic',
    { run: string; file: string; length: number }
  >;
  /** Agent cells of the non-square episode, by position. */
  nonSquareCells: [number, number][];
  /** Agent cells of the 4x4 episode, by position. */
  gridCells: [number, number][];
  /** Damaged episode files (run frozenlake-q). */
  corrupt: { run: string; badJson: string; truncated: string };
}

/** Writes every fixture run below `root`. */
export function writeFixtureRuns(root: string): FixtureRuns {
  const grid = gridEpisode(FROZEN_4X4, [DOWN, DOWN, RIGHT, RIGHT, DOWN, RIGHT]);
  const square = path.join(root, 'frozenlake-q');
  writeRunJson(square, {
    envId: 'FrozenLake-v1',
    family: 'gridworld',
    agent: { name: 'QLearning', config: { alpha: 0.1 } },
    createdAt: '2024-01-03T00:00:00.000Z',
  });
  writeMetrics(square, 120, 1);
  writeEpisode(
    path.join(square, 'episodes', 'episode-000000.jsonl'),
    grid.head({ envKwargs: { map: FROZEN_4X4 } }),
    grid.steps,
  );
  const nonSquare = gridEpisode(NON_SQUARE, [DOWN, UP, RIGHT, RIGHT, DOWN]);
  writeEpisode(
    path.join(square, 'episodes', 'eval-000000.jsonl'),
    nonSquare.head({ envKwargs: { map: NON_SQUARE }, episodeIndex: 0 }),
    nonSquare.steps,
  );
  const corrupt = writeCorruptEpisodes(path.join(square, 'episodes'), grid);

  const bandit = banditSteps(150, 2);
  const banditDir = path.join(root, 'bandit-eps');
  writeRunJson(banditDir, {
    envId: 'Bandit-v0',
    family: 'bandit',
    agent: { name: 'EpsilonGreedy', config: {} },
    createdAt: '2024-01-02T00:00:00.000Z',
  });
  writeMetrics(banditDir, 40, 2, false);
  writeEpisode(
    path.join(banditDir, 'episodes', 'episode-000000.jsonl'),
    header({
      envId: 'Bandit-v0',
      family: 'bandit',
      observationSpace: { type: 'Discrete', n: 1, start: 0 },
      actionSpace: { type: 'Discrete', n: 5, start: 0 },
      observation: 0,
      frame: bandit.frame0,
      maxEpisodeSteps: 150,
      agent: 'EpsilonGreedy',
    }),
    bandit.steps,
  );

  const cart = cartPoleSteps(80);
  const cartDir = path.join(root, 'cartpole-pg');
  writeRunJson(cartDir, {
    envId: 'CartPole-v1',
    family: 'cartpole',
    agent: { name: 'Reinforce', config: {} },
    createdAt: '2024-01-01T12:00:00.000Z',
  });
  writeMetrics(cartDir, 60, 3);
  const box = (n: number): SpaceJSON => ({
    type: 'Box',
    low: new Array(n).fill(-10),
    high: new Array(n).fill(10),
    shape: [n],
    dtype: 'float32',
  });
  writeEpisode(
    path.join(cartDir, 'episodes', 'episode-000000.jsonl'),
    header({
      envId: 'CartPole-v1',
      family: 'cartpole',
      observationSpace: box(4),
      actionSpace: { type: 'Discrete', n: 2, start: 0 },
      observation: [0, 0, 0.04, 0],
      frame: cart.frame0,
      maxEpisodeSteps: 80,
      agent: 'Reinforce',
    }),
    cart.steps,
  );

  const market = marketingSteps(12, 4);
  const marketDir = path.join(root, 'marketing-pg');
  writeRunJson(marketDir, {
    envId: 'MarketingPopulation-v0',
    family: 'marketing',
    agent: { name: 'PolicyGradient', config: {} },
    createdAt: '2024-01-01T06:00:00.000Z',
  });
  writeMetrics(marketDir, 30, 4);
  const populationSpace: SpaceJSON = {
    type: 'Box',
    low: [0],
    high: [1],
    shape: [MARKETING_CUSTOMERS, FEATURES],
    dtype: 'float32',
  };
  writeEpisode(
    path.join(marketDir, 'episodes', 'episode-000000.jsonl'),
    header({
      envId: 'MarketingPopulation-v0',
      family: 'marketing',
      observationSpace: populationSpace,
      actionSpace: { type: 'MultiDiscrete', nvec: new Array(MARKETING_CUSTOMERS).fill(3) },
      observation: market.observation0,
      frame: market.frame0,
      maxEpisodeSteps: 12,
      agent: 'PolicyGradient',
    }),
    market.steps,
  );
  const customer = customerSteps(10);
  writeEpisode(
    path.join(marketDir, 'episodes', 'eval-000000.jsonl'),
    header({
      envId: 'MarketingCustomer-v0',
      family: 'marketing',
      observationSpace: box(FEATURES),
      actionSpace: { type: 'Discrete', n: 3, start: 0 },
      observation: new Array(FEATURES).fill(0.5),
      frame: customer.frame0,
      maxEpisodeSteps: 10,
      agent: 'Reinforce',
    }),
    customer.steps,
  );

  const genericDir = path.join(root, 'pendulum-generic');
  writeRunJson(genericDir, {
    envId: 'Pendulum-like-v0',
    family: 'generic',
    createdAt: '2024-01-01T03:00:00.000Z',
  });
  writeEpisode(
    path.join(genericDir, 'episodes', 'episode-000000.jsonl'),
    header({
      envId: 'Pendulum-like-v0',
      family: 'generic',
      observationSpace: box(3),
      actionSpace: box(1),
      observation: [1, 0, 0],
      frame: { family: 'generic' },
      maxEpisodeSteps: 30,
    }),
    genericSteps(30),
  );

  writeSupervisedAndBroken(root);
  return {
    root,
    episodes: {
      gridworld: { run: 'frozenlake-q', file: 'episode-000000.jsonl', length: grid.steps.length },
      nonsquare: { run: 'frozenlake-q', file: 'eval-000000.jsonl', length: nonSquare.steps.length },
      bandit: { run: 'bandit-eps', file: 'episode-000000.jsonl', length: 150 },
      cartpole: { run: 'cartpole-pg', file: 'episode-000000.jsonl', length: 80 },
      marketing: { run: 'marketing-pg', file: 'episode-000000.jsonl', length: 12 },
      customer: { run: 'marketing-pg', file: 'eval-000000.jsonl', length: 10 },
      generic: { run: 'pendulum-generic', file: 'episode-000000.jsonl', length: 30 },
    },
    nonSquareCells: nonSquare.cells,
    gridCells: grid.cells,
    corrupt,
  };
}

function writeCorruptEpisodes(
  dir: string,
  grid: ReturnType<typeof gridEpisode>,
): FixtureRuns['corrupt'] {
  const good = fs.readFileSync(
    writeEpisode(
      path.join(dir, 'episode-000009.jsonl'),
      grid.head({ episodeIndex: 9 }),
      grid.steps,
    ),
    'utf8',
  );
  fs.rmSync(path.join(dir, 'episode-000009.jsonl'));
  const lines = good.trimEnd().split('\n');
  const badJson =
    [...lines.slice(0, 3), lines[3].slice(0, 25), ...lines.slice(4)].join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'episode-000002.jsonl'), badJson);
  fs.writeFileSync(path.join(dir, 'episode-000003.jsonl'), lines.slice(0, -1).join('\n') + '\n');
  return {
    run: 'frozenlake-q',
    badJson: 'episode-000002.jsonl',
    truncated: 'episode-000003.jsonl',
  };
}

function writeSupervisedAndBroken(root: string): void {
  const sup = path.join(root, 'iris-s9');
  writeRunJson(sup, {
    kind: 'supervised',
    experiment: 'S9',
    createdAt: '2023-12-31T00:00:00.000Z',
  });
  const rows = Array.from({ length: 20 }, (_, e) =>
    JSON.stringify({
      step: e + 1,
      time: e,
      'train/loss': 1 / (e + 1),
      'val/accuracy': 0.5 + e / 50,
    }),
  );
  fs.writeFileSync(path.join(sup, 'metrics.jsonl'), rows.join('\n') + '\n');
  const broken = path.join(root, 'broken-run');
  fs.mkdirSync(broken, { recursive: true });
  fs.writeFileSync(path.join(broken, 'run.json'), '{"format": "tsgym-run/1", "name": ');
}

/**
 * A long gridworld episode: an 8x8 random walk of `length` steps with action values on every
 * step, written with the real EpisodeWriter (used for the 100,000-step replay checks).
 */
export function writeLongEpisode(root: string, run: string, length: number): string {
  const tiles = [
    'SFFFFFFF',
    'FFFFFFFF',
    'FFFHFFFF',
    'FFFFFHFF',
    'FFFHFFFF',
    'FHHFFFHF',
    'FHFFHFHF',
    'FFFHFFFG',
  ];
  const dir = path.join(root, run);
  writeRunJson(dir, {
    envId: 'FrozenLake8x8-v1',
    family: 'gridworld',
    agent: { name: 'RandomAgent', config: {} },
    createdAt: '2024-01-04T00:00:00.000Z',
  });
  const rng = new Rng(7);
  function* walk(): Generator<StepInput> {
    let [row, col] = [0, 0];
    for (let t = 0; t < length; t++) {
      const action = rng.int(4);
      const [dr, dc] = MOVES[action];
      row = Math.min(7, Math.max(0, row + dr));
      col = Math.min(7, Math.max(0, col + dc));
      const reward = t % 97 === 0 ? 1 : 0;
      const qValues = [0.1, 0.2, 0.3, 0.4].map((v) => v + rng.random() * 0.1);
      yield {
        action,
        observation: row * 8 + col,
        reward,
        terminated: false,
        truncated: t === length - 1,
        info: {},
        actionProb: 0.25,
        frame: gridFrame(tiles, row, col, action, reward),
        qValues,
      };
    }
  }
  const head = header({
    envId: 'FrozenLake8x8-v1',
    family: 'gridworld',
    observationSpace: { type: 'Discrete', n: 64, start: 0 },
    actionSpace: { type: 'Discrete', n: 4, start: 0 },
    observation: 0,
    frame: gridFrame(tiles, 0, 0, null, null),
    maxEpisodeSteps: length,
    agent: 'RandomAgent',
  });
  return writeEpisode(path.join(dir, 'episodes', 'episode-000000.jsonl'), head, walk());
}
