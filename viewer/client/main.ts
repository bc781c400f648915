/**
 * The viewer page: run list, learning curves and episode replay. Browser only; the logic it
 * draws lives in the DOM-free `scene/` modules.
 */
import { api } from './api';
import { ChartPanel } from './app/chartPanel';
import { byId, messageOf } from './app/dom';
import { ReplayPanel } from './app/replayPanel';
import { RunsPanel } from './app/runsPanel';
import { countColor, readPixel, rendererInfo } from './render/pixi';

const POLL_MS = 3000;

/** Waits until the browser has painted twice (so the last render reached the screen). */
function nextFrames(): Promise<void> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
  );
}

/**
 * The page's test and debugging surface (`window.__tsgymViewer`): renderer types, state,
 * pixel read-back and a replay measurement. The browser tests and the benchmark use it.
 */
function installHook(replay: ReplayPanel, chart: ChartPanel, runs: RunsPanel): void {
  const appOf = (which: string) => (which === 'chart' ? chart.app : replay.app);
  const hook = {
    ready: true,
    renderers: () => ({ replay: rendererInfo(replay.app), chart: rendererInfo(chart.app) }),
    state: () => ({
      ...replay.snapshot(),
      runs: runs.all.map((r) => r.name),
      overlay: [...runs.overlay],
    }),
    chart: () => {
      const scene = chart.info();
      return (
        scene && {
          drawnSeries: scene.drawnSeries,
          drawnPoints: scene.drawnPoints,
          plot: scene.plot,
          probes: scene.probes,
        }
      );
    },
    nextFrames,
    readPixel: (which: string, x: number, y: number) => readPixel(appOf(which), x, y),
    countColor: (
      which: string,
      color: number,
      rect: { x: number; y: number; width: number; height: number },
      tolerance?: number,
    ) => countColor(appOf(which), color, rect, tolerance),
    selectRun: async (name: string, file?: string) => {
      runs.selected = name;
      await replay.showRun(name, file);
    },
    overlay: (names: string[]) => runs.setOverlay(names),
    heapBytes: () =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
      null,
    measure: (ms: number) => measureReplay(replay, ms),
  };
  (window as unknown as { __tsgymViewer: typeof hook }).__tsgymViewer = hook;
}

/** Plays for `ms` and reports achieved vs requested speed, frame rate and heap use. */
async function measureReplay(replay: ReplayPanel, ms: number) {
  const heap = () =>
    (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
    null;
  const before = {
    ...replay.counters,
    position: replay.snapshot().position,
    heap: heap(),
    t: performance.now(),
  };
  if (!replay.snapshot().playing) replay.togglePlay();
  let peakHeap = before.heap ?? 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, heap() ?? 0)), 100);
  await new Promise((resolve) => setTimeout(resolve, ms));
  clearInterval(sampler);
  const after = replay.snapshot();
  const seconds = (performance.now() - before.t) / 1000;
  const frames = Math.max(1, after.counters.frames - before.frames);
  const perFrame = (key: 'buildMs' | 'paintMs' | 'renderMs') =>
    (after.counters[key] - before[key]) / frames;
  return {
    seconds,
    requestedStepsPerSecond: after.stepsPerSecond,
    achievedStepsPerSecond: (after.position - before.position) / seconds,
    framesPerSecond: (after.counters.frames - before.frames) / seconds,
    animationFramesPerSecond: (after.counters.ticks - before.ticks) / seconds,
    msPerFrame: {
      build: perFrame('buildMs'),
      paint: perFrame('paintMs'),
      render: perFrame('renderMs'),
    },
    bufferingFraction:
      (after.counters.bufferingTicks - before.bufferingTicks) /
      Math.max(1, after.counters.ticks - before.ticks),
    heapBefore: before.heap,
    heapPeak: peakHeap,
    heapAfter: heap(),
    cache: after.cache,
    position: after.position,
  };
}

async function main(): Promise<void> {
  const status = byId('global-status');
  let chart: ChartPanel | null = null;
  const replay = await ReplayPanel.create();
  const runs = new RunsPanel(byId<HTMLUListElement>('run-list'), {
    onOverlayChange: (names) => void chart?.setRuns(names),
    onSelect: (name) => void replay.showRun(name),
  });
  chart = await ChartPanel.create((run) => runs.colorOf(run));
  installHook(replay, chart, runs);

  const poll = async () => {
    try {
      runs.update(await api.runs());
      status.textContent = '';
    } catch (error) {
      status.textContent = `server unreachable: ${messageOf(error)}`;
    }
  };
  await poll();
  const params = new URLSearchParams(location.search);
  const first = params.get('run') ?? runs.all[0]?.name;
  if (first) {
    runs.setOverlay([first]);
    runs.selected = first;
    await replay.showRun(first, params.get('episode') ?? undefined);
  }
  setInterval(() => {
    void poll()
      .then(() => chart?.refresh())
      .then(() => replay.refreshEpisodes());
  }, POLL_MS);
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => (chart?.resize(), replay.resize()), 150);
  });
}

main().catch((error: unknown) => {
  byId('global-status').textContent = `viewer failed to start: ${messageOf(error)}`;
});
