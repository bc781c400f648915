// `npm run bench`: throughput and memory of tsgym against baselines measured in the same run.
// Every figure is a ratio against a floor computed here, so the numbers mean the same on any
// machine. Never part of `npm test`.
import { fileURLToPath } from 'node:url';
import { fmt, printTable, runCase } from './harness';

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

function main(): void {
  console.log(`tsgym bench on Node ${process.version}, ${new Date().toISOString()}`);
  envStepBench();
}

main();
