// Shared bench plumbing: each case runs in its own child process, so its peak resident memory
// (maxRSS) is its own, and prints one JSON line that the parent turns into a table row.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a case reports. */
export interface CaseResult {
  name: string;
  /** Work units (env steps, samples, requests) per second. */
  perSecond: number;
  /** Peak resident memory of the child process in MiB. */
  peakRssMiB: number;
  /** Extra figures for the table. */
  extra?: Record<string, number | string>;
}

/** Runs `file` with `args` in a child process (through tsx) and parses its last JSON line. */
export function runCase(file: string, args: string[]): CaseResult {
  const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [tsx, file, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as CaseResult;
}

/** Prints the result of a case from inside the child (its last line of output). */
export function report(name: string, perSecond: number, extra?: CaseResult['extra']): void {
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ name, perSecond, peakRssMiB, extra }));
}

/** Times `fn`, which performs `units` work units, and returns units per second. */
export function rate(units: number, fn: () => void): number {
  const t0 = performance.now();
  fn();
  return units / ((performance.now() - t0) / 1000);
}

/** Formats a rate with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Prints rows as an aligned text table. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const [k, row] of cells.entries()) {
    console.log(
      row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '),
    );
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
