// Viewer benchmarks (issue #5): the server under 50 concurrent loopback clients against a bare
// Node HTTP server measured in the same run, and a 100,000-step replay in Chromium (achieved vs
// requested speed, frame rate, memory). Called from bench/index.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Rng } from '../src/index';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/system';
import { writeFixtureRuns, writeLongEpisode } from '../test/viewer/fixtures';
import { buildClient, startViewer } from '../viewer/server/index';
import { fmt, printTable } from './harness';

const CLIENTS = 50;
const LOAD_SECONDS = 5;
const LONG_STEPS = 100_000;

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = path.join(repo, 'node_modules/tsx/dist/cli.mjs');

// The floor: Node's own HTTP server answering a fixed JSON body of a typical API size.
const BASELINE_SERVER = `
const http = require('node:http');
const body = JSON.stringify({ runs: Array.from({ length: 8 }, (_, i) => ({ name: 'run-' + i, envId: 'FrozenLake-v1', status: 'finished' })) });
const server = http.createServer((req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log('viewer: open http://127.0.0.1:' + server.address().port + '/'));
`;

/** Starts a server process and resolves with its URL (the line `viewer: open <url>`). */
function spawnServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /viewer: open (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Peak resident memory of a process in MiB (Linux /proc), or NaN elsewhere. */
function peakRssMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  } catch {
    return NaN;
  }
}

interface Request {
  path: string;
  check: (body: string) => boolean;
}

/** The request mix of a viewer page: run list, metrics, episode lists, info, step pages. */
function requestMix(rng: Rng): Request {
  const long = '/api/runs/long-100k/episodes/episode-000000.jsonl';
  const pick = rng.int(10);
  if (pick < 2) return { path: '/api/runs', check: (b) => JSON.parse(b).runs.length >= 8 };
  if (pick < 3)
    return { path: '/api/runs/frozenlake-q/metrics', check: (b) => JSON.parse(b).count === 120 };
  if (pick < 4)
    return {
      path: '/api/runs/frozenlake-q/episodes',
      check: (b) => JSON.parse(b).episodes.length === 4,
    };
  if (pick < 5) return { path: long, check: (b) => JSON.parse(b).length === LONG_STEPS };
  if (pick < 6)
    return { path: '/api/runs/bandit-eps', check: (b) => JSON.parse(b).envId === 'Bandit-v0' };
  const from = rng.int(LONG_STEPS - 500);
  return {
    path: `${long}/steps?from=${from}&count=500`,
    check: (b) => {
      const page = JSON.parse(b);
      return (
        page.steps.length === 500 && page.steps[0].t === from && page.steps[499].t === from + 499
      );
    },
  };
}

function get(agent: http.Agent, url: URL, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ agent, host: url.hostname, port: url.port, path: p }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
  });
}

/** Runs CLIENTS loops for LOAD_SECONDS; `verify` false only times (for the baseline). */
async function load(base: string, verify: boolean) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const end = performance.now() + LOAD_SECONDS * 1000;
  const client = async (id: number) => {
    const rng = new Rng(id);
    while (performance.now() < end) {
      const request = requestMix(rng);
      const t0 = performance.now();
      const { status, body } = await get(agent, url, request.path);
      latencies.push(performance.now() - t0);
      bytes += body.length;
      if (verify && (status !== 200 || !safeCheck(request, body))) errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    requests: latencies.length,
    perSecond: latencies.length / seconds,
    p50: quantile(0.5),
    p99: quantile(0.99),
    errors,
    mibPerSecond: bytes / seconds / 2 ** 20,
  };
}

function safeCheck(request: Request, body: string): boolean {
  try {
    return request.check(body);
  } catch {
    return false;
  }
}

async function serverBench(runsDir: string): Promise<void> {
  const baseline = await spawnServer(['-e', BASELINE_SERVER]);
  const floor = await load(baseline.url, false);
  baseline.child.kill();

  const viewer = await spawnServer([
    tsxCli,
    path.join(repo, 'viewer/server/main.ts'),
    '--no-build',
    '--port',
    '0',
    '--runs',
    runsDir,
  ]);
  const t0 = performance.now();
  await get(
    new http.Agent(),
    new URL(viewer.url),
    '/api/runs/long-100k/episodes/episode-000000.jsonl',
  );
  const indexMs = performance.now() - t0;
  const result = await load(viewer.url, true);
  const rss = peakRssMiB(viewer.child.pid!);
  viewer.child.kill();

  const size = fs.statSync(path.join(runsDir, 'long-100k/episodes/episode-000000.jsonl')).size;
  console.log(
    `\nViewer server under ${CLIENTS} concurrent loopback clients for ${LOAD_SECONDS} s (issue #5)`,
  );
  console.log(
    `first open of the ${fmt(LONG_STEPS)}-step episode (${(size / 2 ** 20).toFixed(1)} MiB, streamed index): ${indexMs.toFixed(0)} ms`,
  );
  printTable(
    [
      'case',
      'requests',
      'req/s',
      'p50 ms',
      'p99 ms',
      'MiB/s',
      'wrong answers',
      'peak RSS MiB',
      'floor/case',
    ],
    [
      [
        'bare Node http, fixed 1 KB JSON (floor)',
        fmt(floor.requests),
        fmt(floor.perSecond),
        floor.p50.toFixed(1),
        floor.p99.toFixed(1),
        floor.mibPerSecond.toFixed(1),
        '-',
        '-',
        '-',
      ],
      [
        'viewer API mix (40% 500-step pages)',
        fmt(result.requests),
        fmt(result.perSecond),
        result.p50.toFixed(1),
        result.p99.toFixed(1),
        result.mibPerSecond.toFixed(1),
        String(result.errors),
        rss.toFixed(0),
        `${(floor.perSecond / result.perSecond).toFixed(1)}x`,
      ],
    ],
  );
}

async function browserBench(runsDir: string, distDir: string): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`\nViewer replay: skipped (needs the Debian package 'chromium' at ${CHROMIUM})`);
    return;
  }
  await buildClient(distDir);
  const viewer = await startViewer({ runsDir, clientDir: distDir, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const rows: string[][] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${viewer.url}?run=long-100k`);
    await page.waitForFunction('window.__tsgymViewer?.state().scene');
    for (const speed of ['30', '1000', '10000']) {
      await page.selectOption('#speed-select', speed);
      await page.locator('#scrub').fill('0');
      const m = (await page.evaluate('window.__tsgymViewer.measure(3000)')) as Record<
        string,
        number
      > & { cache: { steps: number }; msPerFrame: Record<string, number> };
      await page.click('#btn-play');
      const cpu = m.msPerFrame.build + m.msPerFrame.paint + m.msPerFrame.render;
      rows.push([
        `${speed} steps/s`,
        fmt(m.achievedStepsPerSecond),
        (m.achievedStepsPerSecond / Number(speed)).toFixed(2),
        m.framesPerSecond.toFixed(1),
        cpu.toFixed(1),
        (m.heapPeak / 2 ** 20).toFixed(1),
        fmt(m.cache.steps),
        m.bufferingFraction.toFixed(2),
      ]);
    }
  } finally {
    await browser.close();
    await viewer.close();
  }
  console.log(
    `\nReplay of a ${fmt(LONG_STEPS)}-step gridworld episode in Chromium (WebGL on SwiftShader, software)`,
  );
  printTable(
    [
      'requested',
      'achieved steps/s',
      'achieved/requested',
      'frames/s',
      'main-thread ms/frame',
      'JS heap peak MiB',
      'steps in memory',
      'buffering',
    ],
    rows,
  );
}

/** Runs the viewer benchmarks and prints their tables. */
export async function runViewerBench(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-viewer-bench-'));
  try {
    const runsDir = path.join(base, 'runs');
    writeFixtureRuns(runsDir);
    writeLongEpisode(runsDir, 'long-100k', LONG_STEPS);
    await serverBench(runsDir);
    await browserBench(runsDir, path.join(base, 'dist'));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
