// Issue #3 benchmarks: CartPole steps/s against a typed-array floor, population customer-weeks/s
// and memory, policy-gradient training steps/s (linear and network policies). Every figure is
// also given as a ratio against a floor or target measured in the same run.
import { fileURLToPath } from 'node:url';
import { fmt, printTable, runCase, type CaseResult } from './harness';

const cases = fileURLToPath(new URL('./marketing-cases.ts', import.meta.url));

function row(r: CaseResult, floor: number, target: string): (string | number)[] {
  return [
    r.name,
    fmt(r.perSecond),
    (floor / r.perSecond).toFixed(2) + 'x',
    target,
    r.peakRssMiB.toFixed(0),
  ];
}

function cartPoleTable(): void {
  const floor = runCase(cases, ['cartpole-floor', '5000000']);
  const bare = runCase(cases, ['cartpole-bare', '5000000']);
  const made = runCase(cases, ['cartpole-make', '5000000']);
  console.log('\nCartPole-v1 steps per second with random actions (issue #3)');
  printTable(
    ['case', 'steps/s', 'floor/case', 'target', 'peak RSS MiB'],
    [
      row(floor, floor.perSecond, '-'),
      row(bare, floor.perSecond, '<= 4x'),
      row(made, floor.perSecond, '<= 6x'),
    ],
  );
}

function populationTable(): void {
  const rows = [1000, 10_000].map((customers) => {
    const weeks = customers >= 10_000 ? 200 : 2000;
    const r = runCase(cases, ['population', String(customers), String(weeks)]);
    return [
      r.name,
      fmt(r.perSecond),
      (r.perSecond / 2e6).toFixed(2) + 'x',
      String(r.extra?.heapAt10pcMiB),
      String(r.extra?.heapAtEndMiB),
      r.peakRssMiB.toFixed(0),
    ];
  });
  console.log('\nMarketingPopulation-v0 customer-weeks per second (issue #3)');
  console.log(
    'target: >= 2,000,000 at 10,000 customers; heap flat over weeks, linear in customers',
  );
  printTable(
    ['case', 'customer-weeks/s', 'vs 2M target', 'heap@10% MiB', 'heap@end MiB', 'peak RSS MiB'],
    rows,
  );
}

function policyGradientTable(): void {
  const floor = runCase(cases, ['cartpole-floor', '5000000']);
  const hand = runCase(cases, ['pg-linear', '3000000']);
  const viaTrain = runCase(cases, ['pg-linear-train', '3000000']);
  const network = runCase(cases, ['pg-network', '1000']);
  console.log('\nPolicy-gradient training on CartPole-v1, env steps per second (issue #3)');
  printTable(
    ['case', 'steps/s', 'floor/case', 'target', 'peak RSS MiB', 'notes'],
    [
      [...row(floor, floor.perSecond, '-'), ''],
      [...row(hand, floor.perSecond, '>= 1,000,000/s'), ''],
      [
        ...row(viaTrain, floor.perSecond, '-'),
        `mean return ${Number(viaTrain.extra?.meanReturn).toFixed(0)}`,
      ],
      [
        ...row(network, floor.perSecond, '-'),
        `1000 episodes in ${network.extra?.seconds} s, last-100 mean ${network.extra?.meanReturnLast100}`,
      ],
    ],
  );
}

/** Runs the issue #3 benchmarks and prints their tables. */
export async function runMarketingBench(): Promise<void> {
  cartPoleTable();
  populationTable();
  policyGradientTable();
}
