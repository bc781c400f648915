import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEpisode, type EpisodeStep } from '../../src/index';
import {
  armEstimates,
  buildBanditScene,
  buildChartScene,
  buildReplayScene,
  cartPoleGeometry,
  cellCenter,
  cellToState,
  customerColor,
  CUSTOMER_COLORS,
  decimate,
  expectedRegret,
  extractSeries,
  frameAt,
  gridLayout,
  niceTicks,
  pagingFor,
  pixelToCell,
  populationView,
  Playback,
  readMarketingFrame,
  sceneBounds,
  smoothEma,
  stateToCell,
  StepCache,
  type BanditFrame,
  type CartPoleFrame,
  type ReplayInput,
  type StepPage,
  wallShapes,
} from '../../viewer/client/scene/index';
import { PALETTE } from '../../viewer/client/scene/palette';
import { writeFixtureRuns } from './fixtures';
import { removeTempDirs, tempDir } from './tmp';

const VIEWPORT = { width: 800, height: 460 };

/** A ReplayInput over a whole episode held in memory. */
function inputOf(episode: Awaited<ReturnType<typeof readEpisode>>, position: number): ReplayInput {
  const steps = episode.steps;
  let runningReturn = 0;
  for (let t = 0; t < position; t++) runningReturn += steps[t].reward;
  return {
    header: episode.header,
    length: steps.length,
    position,
    stepAt: (t) => steps[t],
    runningReturn,
    actionStats: null,
    viewport: VIEWPORT,
  };
}

const fixtures = writeFixtureRuns(tempDir('scene'));
afterAll(removeTempDirs);
const episodeFile = (family: keyof typeof fixtures.episodes) => {
  const { run, file } = fixtures.episodes[family];
  return path.join(fixtures.root, run, 'episodes', file);
};

describe('scene modules in bare Node (PITFALLS P20)', () => {
  it('imports and builds scenes without a DOM', async () => {
    const episode = await readEpisode(episodeFile('gridworld'));

    const scene = buildReplayScene(inputOf(episode, 2));

    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(scene.shapes.length).toBeGreaterThan(16);
  });

  it('never mentions pixi.js, document or window in the scene sources', () => {
    const dir = path.resolve(__dirname, '../../viewer/client/scene');

    const offenders = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /pixi\.js|\bdocument\.|\bwindow\.|requestAnimationFrame/.test(
          fs.readFileSync(path.join(dir, f), 'utf8'),
        ),
      );

    expect(offenders).toEqual([]);
  });
});

describe('gridworld coordinates (PITFALLS P6)', () => {
  it('maps state 3 of the 2x3 map to row 1, column 0 and the goal to state 5 of 6', async () => {
    const episode = await readEpisode(episodeFile('nonsquare'));

    expect(stateToCell(3, 3)).toEqual([1, 0]);
    expect(stateToCell(5, 3)).toEqual([1, 2]);
    expect(cellToState(1, 2, 3)).toBe(5);
    expect(episode.header.observationSpace).toEqual({ type: 'Discrete', n: 6, start: 0 });
  });

  it('draws the agent of the 2x3 episode at row 1, column 0 after DOWN', async () => {
    const episode = await readEpisode(episodeFile('nonsquare'));

    const scene = buildReplayScene(inputOf(episode, 1));
    const agent = scene.probes.find((p) => p.label === 'agent')!;
    const frame = frameAt(inputOf(episode, 1)) as unknown as { nrow: number; ncol: number };
    const layout = gridLayout(frame.nrow, frame.ncol, { x: 12, y: 30, width: 776, height: 382 });

    expect(episode.steps[0].observation).toBe(3);
    expect(pixelToCell(layout, agent.x, agent.y)).toEqual([1, 0]);
    expect(agent).toMatchObject({ ...cellCenter(layout, 1, 0), color: PALETTE.agent });
  });

  it('reaches the goal at state 5 = row 1, column 2', async () => {
    const episode = await readEpisode(episodeFile('nonsquare'));
    const last = episode.steps.length;

    const agent = buildReplayScene(inputOf(episode, last)).probes[0];
    const layout = gridLayout(2, 3, { x: 12, y: 30, width: 776, height: 382 });

    expect(episode.steps[last - 1].observation).toBe(5);
    expect(pixelToCell(layout, agent.x, agent.y)).toEqual([1, 2]);
  });

  it('lays a 2x3 map out with square cells, wider than tall', () => {
    const layout = gridLayout(2, 3, { x: 0, y: 0, width: 600, height: 600 });

    expect(layout.cell).toBe(200);
    expect(cellCenter(layout, 1, 0)).toEqual({ x: 100, y: 400 });
    expect(pixelToCell(layout, 599, 301)).toEqual([1, 2]);
    expect(pixelToCell(layout, 300, 50)).toBeNull();
  });
});

describe('Taxi frames', () => {
  it('draws the six walls of the Taxi map and the destination depot', () => {
    const map = [
      '+---------+',
      '|R: | : :G|',
      '| : | : : |',
      '| : : : : |',
      '| | : | : |',
      '|Y| : |B: |',
      '+---------+',
    ];
    const frame = {
      family: 'gridworld',
      nrow: 5,
      ncol: 5,
      tiles: ['R...G', '.....', '.....', '.....', 'Y..B.'],
      agent: [2, 2] as [number, number],
      lastAction: null,
      lastReward: null,
      extra: {
        passengerLocation: 0,
        destination: 3,
        locations: [
          [0, 0],
          [0, 4],
          [4, 0],
          [4, 3],
        ],
        map,
      },
    };
    const layout = gridLayout(5, 5, { x: 0, y: 0, width: 500, height: 500 });

    const walls = wallShapes(frame, layout);

    expect(walls).toHaveLength(6);
    expect(walls[0]).toMatchObject({ kind: 'polyline', points: [200, 0, 200, 100] });
  });
});

describe('replay scenes of every family', () => {
  const families = [
    'gridworld',
    'nonsquare',
    'bandit',
    'cartpole',
    'marketing',
    'generic',
  ] as const;

  it.each(families)('keeps the %s scene inside the canvas at every position', async (family) => {
    const episode = await readEpisode(episodeFile(family));

    for (
      let p = 0;
      p <= episode.steps.length;
      p += Math.max(1, Math.floor(episode.steps.length / 7))
    ) {
      const scene = buildReplayScene(inputOf(episode, p));
      const box = sceneBounds(scene)!;

      expect(box.minX).toBeGreaterThanOrEqual(0);
      expect(box.minY).toBeGreaterThanOrEqual(0);
      expect(box.maxX).toBeLessThanOrEqual(VIEWPORT.width);
      expect(box.maxY).toBeLessThanOrEqual(VIEWPORT.height);
    }
  });

  it('moves the progress marker with the position', async () => {
    const episode = await readEpisode(episodeFile('generic'));

    const at = (p: number) =>
      buildReplayScene(inputOf(episode, p)).probes.find((x) => x.label === 'progress')!.x;

    expect(at(0)).toBe(12);
    expect(at(30)).toBe(788);
    expect(at(15)).toBe(400);
  });

  it('falls back to the text view when a frame does not fit its family', async () => {
    const episode = await readEpisode(episodeFile('gridworld'));
    const input = inputOf({ ...episode, header: { ...episode.header, family: 'cartpole' } }, 1);

    const texts = buildReplayScene(input)
      .shapes.filter((s) => s.kind === 'text')
      .map((s) => (s as { text: string }).text);

    expect(texts.some((t) => t.includes('not a cartpole frame'))).toBe(true);
  });

  it('uses the text view for unknown families', async () => {
    const episode = await readEpisode(episodeFile('gridworld'));
    const input = inputOf({ ...episode, header: { ...episode.header, family: 'atari' } }, 0);

    const texts = buildReplayScene(input)
      .shapes.filter((s) => s.kind === 'text')
      .map((s) => (s as { text: string }).text);

    expect(texts.some((t) => t.startsWith('observation'))).toBe(true);
  });
});

describe('bandit scene', () => {
  it('computes the expected regret from pulls and true means', () => {
    expect(expectedRegret([0.2, 0.5, 0.7], [1, 2, 3])).toBeCloseTo(0.5 + 2 * 0.2, 12);
  });

  it('shows the agent estimates when recorded and sample means otherwise', async () => {
    const episode = await readEpisode(episodeFile('bandit'));
    const input = inputOf(episode, 5);
    const frame = frameAt(input) as unknown as BanditFrame;

    const agent = armEstimates(input, frame);
    const noValues = {
      ...input,
      stepAt: (t: number) => ({ ...episode.steps[t], qValues: undefined }) as EpisodeStep,
    };
    const sample = armEstimates(
      { ...noValues, actionStats: { counts: [2, 0, 1, 0, 0], sums: [1, 0, 1, 0, 0] } },
      frame,
    );

    expect(agent).toEqual({ values: episode.steps[5].qValues, source: 'agent' });
    expect(sample).toEqual({ values: [0.5, null, 1, null, null], source: 'sample mean' });
  });

  it('puts the marker over the pulled arm', async () => {
    const episode = await readEpisode(episodeFile('bandit'));

    const marker = (p: number) =>
      buildBanditScene(inputOf(episode, p)).probes.find((x) => x.label === 'pulled arm')!.x;

    // Arms 0..4 are pulled first, one per step; columns are 776 / 5 px wide from x = 12.
    expect(marker(1)).toBeCloseTo(12 + 0.5 * 155.2, 6);
    expect(marker(3)).toBeCloseTo(12 + 2.5 * 155.2, 6);
  });
});

describe('cartpole geometry', () => {
  const frame: CartPoleFrame = {
    family: 'cartpole',
    x: 0,
    xDot: 0,
    theta: 0,
    thetaDot: 0,
    xThreshold: 2.4,
    thetaThresholdRadians: 0.2094,
  };
  const area = { x: 0, y: 0, width: 576, height: 400 };

  it('draws an upright pole straight above the pivot, 1 m long', () => {
    const g = cartPoleGeometry(frame, area);

    expect(g.scale).toBeCloseTo(100, 9);
    expect(g.tip.x).toBeCloseTo(g.pivot.x, 9);
    expect(g.pivot.y - g.tip.y).toBeCloseTo(100, 9);
  });

  it('moves the cart right with x and leans the pole right with positive theta', () => {
    const g = cartPoleGeometry({ ...frame, x: 2.4, theta: 0.2 }, area);

    expect(g.cartX - g.centerX).toBeCloseTo(240, 9);
    expect(g.tip.x).toBeGreaterThan(g.pivot.x);
  });
});

describe('marketing scenes', () => {
  it('colours the population grid from the step action and the observation after it', async () => {
    const episode = await readEpisode(episodeFile('marketing'));
    const input = inputOf(episode, 2);

    const view = populationView(input, frameAt(input) as Record<string, unknown>);

    // Customer 0 is e-mailed in odd weeks and buys in even weeks (see the fixture).
    expect(view.n).toBe(64);
    expect(view.actions).toEqual(episode.steps[1].action);
    expect(customerColor(view, 0)).toBe(CUSTOMER_COLORS.purchased);
    expect(
      customerColor(
        populationView(
          inputOf(episode, 1),
          frameAt(inputOf(episode, 1)) as Record<string, unknown>,
        ),
        0,
      ),
    ).toBe(CUSTOMER_COLORS.email);
  });

  it('draws the customer view as a card, feature bars and expected rewards', async () => {
    const episode = await readEpisode(episodeFile('customer'));

    const scene = buildReplayScene(inputOf(episode, 3));
    const texts = scene.shapes
      .filter((s) => s.kind === 'text')
      .map((s) => (s as { text: string }).text);

    expect(scene.probes[0]).toMatchObject({ label: 'customer', color: CUSTOMER_COLORS.purchased });
    expect(texts).toContain('recency');
    expect(texts).toEqual(expect.arrayContaining(['no e-mail', 'e-mail', 'coupon']));
    expect(buildReplayScene(inputOf(episode, 1)).probes[0].color).toBe(CUSTOMER_COLORS.email);
  });
});

describe('marketing frame reader', () => {
  it('reads parallel per-customer arrays and numeric counters', () => {
    const view = readMarketingFrame({
      family: 'marketing',
      nCustomers: 3,
      actions: [0, 1, 2],
      purchased: [false, true, false],
      unsubscribed: [false, false, true],
      profit: 12.5,
    });

    expect(view.n).toBe(3);
    expect([0, 1, 2].map((i) => customerColor(view, i))).toEqual([
      CUSTOMER_COLORS.idle,
      CUSTOMER_COLORS.purchased,
      CUSTOMER_COLORS.unsubscribed,
    ]);
    expect(view.counters).toContainEqual({ name: 'profit', value: 12.5 });
  });

  it('reads a customers array of objects and a single-customer frame', () => {
    const many = readMarketingFrame({
      family: 'marketing',
      customers: [{ lastAction: 2 }, { action: 1, bought: 1 }],
    });
    const one = readMarketingFrame({
      family: 'marketing',
      lastAction: 1,
      recency: 3,
      features: [1, 2, 3],
    });

    expect(many.actions).toEqual([2, 1]);
    expect(customerColor(many, 0)).toBe(CUSTOMER_COLORS.coupon);
    expect(customerColor(many, 1)).toBe(CUSTOMER_COLORS.purchased);
    expect(one.n).toBe(1);
    expect(customerColor(one, 0)).toBe(CUSTOMER_COLORS.email);
  });
});

describe('Playback', () => {
  it('advances at the requested speed, carrying fractions between ticks', () => {
    const playback = new Playback({ length: 100, stepsPerSecond: 10 });
    playback.play();

    for (let i = 0; i < 5; i++) playback.tick(50);

    expect(playback.position).toBe(2);
    playback.tick(250);
    expect(playback.position).toBe(5);
  });

  it('runs several steps per frame above the frame rate', () => {
    const playback = new Playback({ length: 100_000, stepsPerSecond: 3000 });
    playback.play();

    for (let i = 0; i < 60; i++) playback.tick(1000 / 60);

    expect(playback.position).toBe(3000);
  });

  it('waits at the last loaded step instead of skipping (buffering)', () => {
    const playback = new Playback({ length: 100, stepsPerSecond: 100 });
    playback.play();

    playback.tick(200, 7);

    expect(playback.position).toBe(7);
    expect(playback.buffering).toBe(true);
    playback.tick(50, 100);
    expect(playback.position).toBe(12);
    expect(playback.buffering).toBe(false);
  });

  it('pauses at the end, restarts on play, and clamps steps and seeks', () => {
    const playback = new Playback({ length: 3, stepsPerSecond: 100 });
    playback.play();

    playback.tick(250);

    expect([playback.position, playback.playing]).toEqual([3, false]);
    playback.play();
    expect(playback.position).toBe(0);
    playback.stepBack();
    expect(playback.position).toBe(0);
    playback.seek(99);
    expect(playback.position).toBe(3);
  });

  it('caps one tick at 250 ms so a background tab does not jump ahead', () => {
    const playback = new Playback({ length: 1000, stepsPerSecond: 10 });
    playback.play();

    playback.tick(60_000);

    expect(playback.position).toBe(2);
  });
});

/** A virtual episode of `length` steps: reward t % 3, action t % 4. */
function virtualEpisode(length: number, log: number[] = []) {
  const step = (t: number): EpisodeStep => ({
    kind: 'step',
    t,
    action: t % 4,
    observation: t,
    reward: t % 3,
    terminated: false,
    truncated: false,
    info: {},
    actionProb: null,
    frame: null,
  });
  const fetchPage = async (from: number, count: number): Promise<StepPage> => {
    log.push(from);
    const counts = [0, 0, 0, 0];
    const sums = [0, 0, 0, 0];
    let returnBefore = 0;
    for (let t = 0; t < from; t++) {
      counts[t % 4]++;
      sums[t % 4] += t % 3;
      returnBefore += t % 3;
    }
    return {
      from,
      returnBefore,
      actionStats: { counts, sums },
      steps: Array.from({ length: count }, (_, i) => step(from + i)),
    };
  };
  return { fetchPage };
}

describe('StepCache', () => {
  it('replays 100,000 steps with at most maxPages pages in memory', async () => {
    const { fetchPage } = virtualEpisode(100_000);
    const cache = new StepCache({ length: 100_000, pageSize: 2000, maxPages: 5, fetchPage });
    let peak = 0;

    for (let p = 0; p <= 100_000; p += 997) {
      await cache.ensure(p);
      peak = Math.max(peak, cache.stats().steps);
    }

    expect(peak).toBeLessThanOrEqual(5 * 2000);
    expect(cache.stats().evictions).toBeGreaterThan(40);
  });

  it('gives the running return and per-action tallies at any position', async () => {
    const { fetchPage } = virtualEpisode(10_000);
    const cache = new StepCache({ length: 10_000, pageSize: 1000, maxPages: 4, fetchPage });

    await cache.ensure(5_432);

    let expected = 0;
    const counts = [0, 0, 0, 0];
    for (let t = 0; t < 5_432; t++) {
      expected += t % 3;
      counts[t % 4]++;
    }
    expect(cache.runningReturn(5_432)).toBe(expected);
    expect(cache.actionStats(5_432)!.counts).toEqual(counts);
    expect(cache.stepAt(5_431)!.t).toBe(5_431);
    expect(cache.loadedUpTo(5_432)).toBe(7_000);
  });

  it('loads a page once however many callers ask at the same time', async () => {
    const log: number[] = [];
    const { fetchPage } = virtualEpisode(5000, log);
    const cache = new StepCache({ length: 5000, pageSize: 1000, maxPages: 4, fetchPage });

    await Promise.all([cache.ensure(10), cache.ensure(20), cache.ensure(30)]);

    expect(log).toEqual([0, 1000]);
  });

  it('prefetches about a second of steps ahead, in order, within the page budget', async () => {
    const log: number[] = [];
    const { fetchPage } = virtualEpisode(100_000, log);
    const wide = new StepCache({ length: 100_000, pageSize: 1000, maxPages: 10, fetchPage });
    const narrow = new StepCache({ length: 100_000, pageSize: 1000, maxPages: 5, fetchPage });

    await wide.ensure(2500, 5000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const wideLog = log.splice(0);
    await narrow.ensure(2500, 5000);
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(wideLog).toEqual([2000, 3000, 4000, 5000, 6000, 7000]);
    expect(log).toEqual([2000, 3000, 4000]);
  });

  it('rejects with the fetch error and remembers it', async () => {
    const cache = new StepCache({
      length: 10,
      pageSize: 5,
      maxPages: 3,
      fetchPage: () => Promise.reject(new Error('422 damaged')),
    });

    await expect(cache.ensure(3)).rejects.toThrow('422 damaged');

    expect(cache.lastError?.message).toBe('422 damaged');
  });

  it('sizes pages to about 256 KB and the window to about 8 MB', () => {
    expect(pagingFor(300)).toEqual({ pageSize: 873, maxPages: 32 });
    expect(pagingFor(100_000)).toEqual({ pageSize: 16, maxPages: 5 });
  });
});

describe('learning-curve chart', () => {
  it('smooths with a debiased exponential moving average', () => {
    expect(smoothEma([1, 1, 1], 0.9)).toEqual([1, 1, 1].map(() => expect.closeTo(1, 12)));
    const [a, b] = smoothEma([0, 2], 0.5);
    expect(a).toBe(0);
    expect(b).toBeCloseTo(1 / 0.75, 12);
    expect(smoothEma([3, 5], 0)).toEqual([3, 5]);
  });

  it('picks nice tick values', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.37, 1.12, 5)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 1340, 4)).toEqual([0, 500, 1000]);
  });

  it('keeps the min and max of each pixel column when decimating', () => {
    const x = Array.from({ length: 10_000 }, (_, i) => i);
    const y = x.map((i) => (i === 5_000 ? 100 : i === 7_000 ? -100 : Math.sin(i)));

    const out = decimate(x, y, (v) => v / 100);

    expect(out.x.length).toBeLessThanOrEqual(200);
    expect(Math.max(...out.y)).toBe(100);
    expect(Math.min(...out.y)).toBe(-100);
  });

  it('extracts series skipping rows without the key', () => {
    const metrics = { count: 3, keys: ['r'], columns: { step: [1, 2, 3], r: [0.5, null, 1] } };

    expect(extractSeries(metrics, 'r', 'step')).toEqual({ x: [1, 3], y: [0.5, 1] });
    expect(extractSeries(metrics, 'r', 'episode')).toEqual({ x: [0, 2], y: [0.5, 1] });
  });

  it('draws one line per run, a faint raw line under each, and a legend probe per run', () => {
    const series = [
      { name: 'a', color: 0x4e79a7, x: [0, 1, 2], y: [0, 1, 0.5] },
      { name: 'b', color: 0xf28e2b, x: [0, 1], y: [1, 2] },
      { name: 'empty', color: 0xe15759, x: [], y: [] },
    ];

    const scene = buildChartScene(series, {
      viewport: { width: 600, height: 300 },
      title: 'train/episode_return',
      xLabel: 'step',
      smoothing: 0.6,
    });

    expect(scene.drawnSeries).toBe(2);
    expect(scene.drawnPoints).toBe(5);
    expect(scene.shapes.filter((s) => s.kind === 'polyline' && s.width === 2)).toHaveLength(2);
    expect(scene.probes.map((p) => p.label)).toEqual(['legend a', 'legend b']);
    const box = sceneBounds(scene)!;
    expect(box.maxX).toBeLessThanOrEqual(600);
    expect(box.maxY).toBeLessThanOrEqual(300);
  });
});
