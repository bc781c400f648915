/**
 * The viewer in a real browser: Debian's Chromium driven by playwright-core against the
 * server on an ephemeral port, over fixture runs written with the real EpisodeWriter.
 * Screenshots and the long-replay measurement go to test-artifacts/ (gitignored).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, startViewer, type RunningViewer } from '../../viewer/server/index';
import {
  cellCenter,
  contentArea,
  gridLayout,
  pagingFor,
  PALETTE,
  rgbOf,
  type Probe,
} from '../../viewer/client/scene/index';
import { CHROMIUM, CHROMIUM_ARGS, hasSystemPackage } from '../helpers/system';
import { writeFixtureRuns, writeLongEpisode, type FixtureRuns } from '../viewer/fixtures';
import { removeTempDirs, tempDir } from '../viewer/tmp';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const LONG_STEPS = 100_000;

type Rgba = [number, number, number, number];
type Hook = Record<string, (...args: never[]) => unknown>;

const enabled = hasSystemPackage('chromium', [CHROMIUM]);

describe.skipIf(!enabled)('viewer in Chromium', () => {
  let fixtures: FixtureRuns;
  let viewer: RunningViewer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const call = <T>(name: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(
      ([n, a]) =>
        (
          (window as unknown as { __tsgymViewer: Hook }).__tsgymViewer[n as string] as (
            ...x: unknown[]
          ) => unknown
        )(...(a as unknown[])),
      [name, args] as const,
    ) as Promise<T>;
  const state = () =>
    call<{
      playing: boolean;
      position: number;
      length: number;
      episode: string | null;
      error: string;
      family: string;
      scene: { width: number; height: number; probes: Probe[] } | null;
      cache: { pages: number; steps: number } | null;
    }>('state');
  const pixel = async (x: number, y: number) => {
    await call('nextFrames');
    return call<Rgba>('readPixel', 'replay', x, y);
  };
  const near = (rgba: Rgba, color: number, tolerance = 32) =>
    rgbOf(color).every((c, i) => Math.abs(c - rgba[i]) <= tolerance);

  async function open(run: string, file: string): Promise<void> {
    await page.click(`li[data-run="${run}"] button.run-name`);
    const ready = `${JSON.stringify(run)} && !window.__tsgymViewer.state().loading`;
    await page.waitForFunction(`window.__tsgymViewer.state().run === ${ready}`);
    await page.selectOption('#episode-select', file);
    const counter = "document.getElementById('step-counter').textContent";
    const s = 'window.__tsgymViewer.state()';
    await page.waitForFunction(
      `${s}.episode === ${JSON.stringify(file)} && ${s}.scene !== null && ${counter}.startsWith('0 / ')`,
    );
  }

  /** Pauses if playing (a short episode may already have ended and paused itself). */
  async function pause(): Promise<void> {
    if ((await state()).playing) await page.click('#btn-play');
  }

  async function stepForward(expected: number): Promise<void> {
    await page.click('#btn-forward');
    await page.waitForFunction(
      (n) => document.getElementById('step-counter')!.textContent!.startsWith(`${n} / `),
      expected,
    );
  }

  /** Every probe of the current scene shows its promised colour on the canvas. */
  async function expectProbesDrawn(): Promise<Probe[]> {
    const { scene } = await state();
    for (const probe of scene!.probes) {
      const rgba = await pixel(probe.x, probe.y);
      expect(near(rgba, probe.color), `${probe.label} at (${probe.x}, ${probe.y}) is ${rgba}`).toBe(
        true,
      );
    }
    return scene!.probes;
  }

  beforeAll(async () => {
    const base = tempDir('browser');
    fixtures = writeFixtureRuns(path.join(base, 'runs'));
    writeLongEpisode(fixtures.root, 'long-100k', LONG_STEPS);
    await buildClient(path.join(base, 'dist'));
    viewer = await startViewer({
      runsDir: fixtures.root,
      clientDir: path.join(base, 'dist'),
      port: 0,
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // The damaged episode is opened on purpose; its 422 is the one expected failed load.
      const expected = message.location().url.includes('episode-000002.jsonl');
      if (message.type() === 'error' && !expected) problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${viewer.url}?run=frozenlake-q`);
    await page.waitForFunction(
      () =>
        (
          window as unknown as { __tsgymViewer?: { state: () => { scene: unknown } } }
        ).__tsgymViewer?.state().scene,
    );
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    removeTempDirs();
  });

  it('runs PixiJS on WebGL for both canvases (no silent fallback)', async () => {
    const renderers = await call<Record<string, { type: number; name: string }>>('renderers');

    expect(renderers.replay).toMatchObject({ type: 1, name: 'webgl' });
    expect(renderers.chart).toMatchObject({ type: 1, name: 'webgl' });
  });

  it('draws the learning curve and overlays a second run', async () => {
    const before = await call<{
      drawnSeries: number;
      drawnPoints: number;
      plot: { x: number; y: number; width: number; height: number };
      probes: Probe[];
    }>('chart');
    const legend = before.probes[0];
    const legendPixel = await call<Rgba>('readPixel', 'chart', legend.x, legend.y);
    const curvePixels = await call<number>('countColor', 'chart', legend.color, before.plot, 24);

    await page.click('li[data-run="bandit-eps"] input[type=checkbox]');
    await page.waitForFunction(
      () =>
        (
          window as unknown as { __tsgymViewer: { chart: () => { drawnSeries: number } } }
        ).__tsgymViewer.chart().drawnSeries === 2,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-chart.png') });

    expect(before).toMatchObject({ drawnSeries: 1, drawnPoints: 120 });
    expect(near(legendPixel, legend.color)).toBe(true);
    expect(curvePixels).toBeGreaterThan(300);
  });

  it('replays the FrozenLake episode: the agent disc moves cell to cell as recorded', async () => {
    const { run, file, length } = fixtures.episodes.gridworld;
    await open(run, file);
    const { scene } = await state();
    const layout = gridLayout(
      4,
      4,
      contentArea({ viewport: { width: scene!.width, height: scene!.height } } as never),
    );
    const agentAt = async ([r, c]: [number, number]) =>
      near(await pixel(cellCenter(layout, r, c).x, cellCenter(layout, r, c).y), PALETTE.agent);

    expect(await agentAt(fixtures.gridCells[0])).toBe(true);
    for (let p = 1; p <= 3; p++) {
      await stepForward(p);

      expect(await agentAt(fixtures.gridCells[p])).toBe(true);
      expect(await agentAt(fixtures.gridCells[p - 1])).toBe(false);
    }
    await expectProbesDrawn();
    await page.click('#btn-play');
    await page.waitForFunction(
      (n) => document.getElementById('step-counter')!.textContent === `${n} / ${n}`,
      length,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-gridworld.png') });
  });

  it('replays the non-square 2x3 map with state 3 drawn at row 1, column 0 (P6)', async () => {
    const { run, file } = fixtures.episodes.nonsquare;
    await open(run, file);
    const { scene } = await state();
    const layout = gridLayout(
      2,
      3,
      contentArea({ viewport: { width: scene!.width, height: scene!.height } } as never),
    );
    const at = async (r: number, c: number) =>
      pixel(cellCenter(layout, r, c).x, cellCenter(layout, r, c).y);

    await stepForward(1);

    expect(near(await at(1, 0), PALETTE.agent)).toBe(true);
    expect(near(await at(0, 0), PALETTE.agent)).toBe(false);
    expect(near(await at(0, 1), PALETTE.agent)).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-gridworld-2x3.png') });
  });

  it.each(['bandit', 'cartpole', 'marketing', 'customer', 'generic'] as const)(
    'replays the %s episode: counter advances and the probed pixels follow',
    async (family) => {
      const { run, file } = fixtures.episodes[family];
      await open(run, file);

      await stepForward(1);
      const first = await expectProbesDrawn();
      await stepForward(2);
      await stepForward(3);
      const third = await expectProbesDrawn();
      await page.click('#btn-play');
      await page.waitForFunction(
        () => Number(document.getElementById('step-counter')!.textContent!.split(' / ')[0]) >= 6,
      );
      await pause();
      await page.screenshot({ path: path.join(ARTIFACTS, `viewer-${family}.png`) });

      expect((await state()).family).toBe(family === 'customer' ? 'marketing' : family);
      const moved = first.filter(
        (p, i) => Math.hypot(p.x - third[i].x, p.y - third[i].y) > 6 || p.color !== third[i].color,
      );
      expect(moved.length).toBeGreaterThan(0);
    },
  );

  it('shows a damaged episode file error for that file only', async () => {
    await open('frozenlake-q', 'episode-000000.jsonl');

    await page.selectOption('#episode-select', fixtures.corrupt.badJson);
    await page.waitForFunction(() =>
      document.getElementById('episode-error')!.textContent!.includes('not valid JSON'),
    );
    const message = await page.textContent('#episode-error');
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-damaged-file.png') });
    await page.selectOption('#episode-select', 'eval-000000.jsonl');
    await page.waitForFunction(
      "window.__tsgymViewer.state().episode === 'eval-000000.jsonl' && window.__tsgymViewer.state().error === ''",
    );

    expect(message).toMatch(
      /^frozenlake-q\/episodes\/episode-000002\.jsonl: line 4 is not valid JSON/,
    );
    expect((await state()).episode).toBe('eval-000000.jsonl');
  });

  it('replays a 100,000-step episode with bounded memory and scrubs to its end', async () => {
    await open('long-100k', 'episode-000000.jsonl');
    await page.selectOption('#speed-select', '3000');

    const measured = await call<{
      achievedStepsPerSecond: number;
      framesPerSecond: number;
      heapPeak: number;
      cache: { pages: number; steps: number };
    }>('measure', 4000);
    await pause();
    await page.locator('#scrub').fill('99990');
    await page.waitForFunction(
      () => document.getElementById('step-counter')!.textContent === '99990 / 100000',
    );
    const after = await state();
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-long-episode.png') });
    fs.writeFileSync(
      path.join(ARTIFACTS, 'viewer-long-replay.json'),
      JSON.stringify({ measured, after: after.cache }, null, 2),
    );

    expect(measured.achievedStepsPerSecond).toBeGreaterThan(0);
    expect(measured.framesPerSecond).toBeGreaterThan(0);
    const info = await (
      await fetch(`${viewer.url}api/runs/long-100k/episodes/episode-000000.jsonl`)
    ).json();
    const { pageSize, maxPages } = pagingFor(info.averageLineBytes);
    expect(measured.cache.steps).toBeLessThanOrEqual(pageSize * maxPages);
    expect(after.cache!.steps).toBeLessThanOrEqual(pageSize * maxPages);
    expect(measured.heapPeak).toBeLessThan(200 * 1024 * 1024);
    await expectProbesDrawn();
  });

  it('logged no errors on the page', () => {
    expect(problems).toEqual([]);
  });
});
