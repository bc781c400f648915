// `npm run bench`: throughput and memory of tsgym against baselines measured in the same run.
// Every figure is a ratio against a floor computed here, so the numbers mean the same on any
// machine. Never part of `npm test`.
import { fileURLToPath } from 'node:url';
import { fmt, printTable, runCase } from './harness';
import { runMarketingBench } from './marketing';
import { runViewerBench } from './viewer';
import { runSupervisedBench } from './supervised';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

function envStepBench(): void {
  const steps = '5000000';
  const rows: (string | number)[][] = [];
  for (const envId of ['FrozenLake8x8-v1', 'CliffWalking-v1']) {
    const floor = runCase(here('./rl.ts'), ['floor', envId, steps]);
    const bare = runCase(here('./rl.ts'), ['bare', envId, steps]);
    const made = runCase(here('./rl.ts'), ['make', envId, steps]);
    for (const [label, r, target] of [
      ['typed-array floor', floor, '-'],
      ['bare env', bare, '<= 2x'],
      ['make() (all default wrappers)', made, '<= 4x'],
    ] as const) {
      const slowdown = floor.perSecond / r.perSecond;
      rows.push([
        `${envId} ${label}`,
        fmt(r.perSecond),
        slowdown.toFixed(2) + 'x',
        target,
        r.peakRssMiB.toFixed(0),
      ]);
    }
  }
  console.log('\nEnv steps per second with random actions (issue #2)');
  printTable(['case', 'steps/s', 'floor/case', 'target', 'peak RSS MiB'], rows);
}

function qLearningBench(): void {
  const rows: (string | number)[][] = [];
  const floor = runCase(here('./rl.ts'), ['floor', 'FrozenLake-v1', '10000000']);
  rows.push([
    'FrozenLake-v1 typed-array floor (env only)',
    fmt(floor.perSecond),
    '-',
    '-',
    '-',
    floor.peakRssMiB.toFixed(0),
  ]);
  for (const kind of ['q-learning', 'q-learning-make']) {
    for (const steps of ['1000000', '10000000']) {
      const r = runCase(here('./rl.ts'), [kind, 'FrozenLake-v1', steps]);
      rows.push([
        `${r.name} (${Number(steps) / 1e6}M steps)`,
        fmt(r.perSecond),
        String(r.extra?.rssAfter10pcMiB),
        String(r.extra?.rssAtEndMiB),
        '>= 5,000,000',
        r.peakRssMiB.toFixed(0),
      ]);
    }
  }
  console.log('\nQ-learning through train(): env steps per second and memory (issue #2)');
  printTable(
    ['case', 'env-steps/s', 'RSS @10% MiB', 'RSS @end MiB', 'target', 'peak RSS MiB'],
    rows,
  );
  const recRows = ['200000', '2000000'].map((steps) => {
    const rec = runCase(here('./rl.ts'), ['recording', 'CliffWalking-v1', steps]);
    return [
      `${fmt(Number(steps))} steps`,
      fmt(rec.perSecond),
      String(rec.extra?.episodes),
      String(rec.extra?.fileMiB),
      rec.peakRssMiB.toFixed(0),
    ];
  });
  console.log(
    '\nRecording every episode with frames to disk (streams: peak RSS must not grow with steps)',
  );
  printTable(
    ['CliffWalking-v1 random policy', 'steps/s', 'episodes', 'files MiB', 'peak RSS MiB'],
    recRows,
  );
}

/** Sections by name; `npm run bench -- rl marketing` runs a subset. */
const SECTIONS: Record<string, () => void | Promise<void>> = {
  rl: () => {
    envStepBench();
    qLearningBench();
  },
  marketing: runMarketingBench,
  viewer: runViewerBench,
  supervised: runSupervisedBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(SECTIONS);
  console.log(`tsgym bench on Node ${process.version}, ${new Date().toISOString()}`);
  for (const name of names) {
    const section = SECTIONS[name];
    if (!section)
      throw new Error(`unknown bench section '${name}'; expected ${Object.keys(SECTIONS)}`);
    await section();
  }
}

void main();
