// Training speed of the supervised nets on every TF.js backend available here, with TF.js's
// stock kernels (the baseline, measured in the same run) and with tsgym's replacement kernels,
// beside the ideal figure from the backend's peak GEMM rate. Also a per-kernel profile of one
// training step on the default backend. The wasm rows show tsgym's kernels on one thread and on
// the default thread count (helper threads, `supervised/helper-threads.ts`). Run:
// `npx tsx bench/supervised.ts`.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/index';
import { loadTf } from '../src/tf/index';
import {
  buildCnn,
  buildMlp,
  kernelsForLayers,
  makeOptimizer,
  attachRngs,
  buildRnnAdder,
  registerFastKernels,
  selectBackend,
  setFastKernels,
} from '../supervised/index';
import { formatTable } from '../src/cli/format';
import { resolveThreadCount, useHelperThreads } from '../supervised/helper-threads';

/** A net of the bench, with its analytic training cost. */
interface BenchModel {
  name: string;
  layers: string[];
  build: () => tf.LayersModel;
  input: number[];
  /**
   * Training FLOPs per example: forward F, weight gradients F, input gradients F minus the first
   * layer's.
   */
  flopsPerSample: number;
}

const DENSE_FORWARD = 2 * (784 * 512 + 512 * 512 + 512 * 10);
const CONV1 = 2 * 26 * 26 * 32 * 9;
const CNN_FORWARD = CONV1 + 2 * 24 * 24 * 64 * 288 + 2 * 9216 * 128 + 2 * 128 * 10;

const MODELS: BenchModel[] = [
  {
    name: 'dense 784-512-512-10',
    layers: ['Dense'],
    build: () => buildMlp({ inputSize: 784, hidden: [512, 512], outputs: 10 }, new Rng(0)),
    input: [784],
    flopsPerSample: 3 * DENSE_FORWARD - 2 * 784 * 512,
  },
  {
    name: 'cnn c32-c64-pool-d128-d10',
    layers: ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'TsgymSeededDropout'],
    build: () =>
      buildCnn(
        { inputShape: [28, 28, 1], blocks: [[32, 64]], denseUnits: 128, classes: 10, dropout: 0.5 },
        new Rng(0),
      ),
    input: [28, 28, 1],
    flopsPerSample: 3 * CNN_FORWARD - CONV1,
  },
];

/**
 * The backend's practical peak, one thread: the best GFLOP/s over a few GEMM shapes (square,
 * and the dense net's own), each repeated for at least half a second so that V8 has moved the
 * wasm code from its baseline compiler to the optimizing one before the best time is taken.
 */
async function gemmPeak(backend: string): Promise<number> {
  await tf.setBackend(backend);
  const shapes: [number, number, number][] =
    backend === 'cpu'
      ? [[256, 256, 256]]
      : [
          [512, 512, 512],
          [1024, 1024, 1024],
          [128, 784, 512],
        ];
  let peak = 0;
  for (const [m, k, n] of shapes) {
    const [a, b] = [
      tf.randomNormal([m, k], 0, 1, 'float32', 1),
      tf.randomNormal([k, n], 0, 1, 'float32', 2),
    ];
    let best = Infinity;
    const start = performance.now();
    for (let i = 0; i < 6 || performance.now() - start < 500; i++) {
      const t0 = performance.now();
      tf.matMul(a, b).dataSync();
      best = Math.min(best, performance.now() - t0);
    }
    tf.dispose([a, b]);
    peak = Math.max(peak, (2 * m * k * n) / best / 1e6);
  }
  return peak;
}

/**
 * Training samples per second: Adam, batch 128 (fewer on the slow cpu CNN). Best and median
 * over several steps: the machine is shared, so the median shows the load and the best what
 * the code can do.
 */
async function samplesPerSecond(
  model: BenchModel,
  backend: string,
): Promise<{ best: number; median: number; batch: number }> {
  await tf.setBackend(backend);
  const slow = backend === 'cpu' && model.layers.includes('Conv2D');
  const batch = slow ? 8 : 128;
  const cheap = model.flopsPerSample < 1e7 && backend === 'wasm';
  const steps = slow ? 1 : cheap ? 25 : backend === 'cpu' ? 2 : 9;
  const net = model.build();
  net.compile({ optimizer: makeOptimizer('adam'), loss: 'categoricalCrossentropy' });
  attachRngs(net, new Rng(1));
  const x = tf.randomUniform([batch, ...model.input], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 4), 10);
  try {
    await net.trainOnBatch(x, y);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await net.trainOnBatch(x, y);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const rate = (ms: number) => (batch * 1000) / ms;
    return { best: rate(times[0]), median: rate(times[Math.floor(times.length / 2)]), batch };
  } finally {
    net.optimizer.dispose();
    net.dispose();
    tf.dispose([x, y]);
  }
}

/** Kernel times of one training step, summed by kernel name, largest first. */
async function profileStep(
  model: BenchModel,
  backend: string,
): Promise<[string, number, number][]> {
  await tf.setBackend(backend);
  const net = model.build();
  net.compile({ optimizer: makeOptimizer('adam'), loss: 'categoricalCrossentropy' });
  attachRngs(net, new Rng(1));
  const x = tf.randomUniform([128, ...model.input], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 4), 10);
  await net.trainOnBatch(x, y);
  const info = await tf.profile(async () => void (await net.trainOnBatch(x, y)));
  const totals = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const [ms, calls] = totals.get(k.name) ?? [0, 0];
    totals.set(k.name, [ms + (k.kernelTimeMs as number), calls + 1]);
  }
  net.optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
  return [...totals.entries()]
    .map(([name, [ms, calls]]) => [name, ms, calls] as [string, number, number])
    .sort((a, b) => b[1] - a[1]);
}

/**
 * S14's binary adder (8 bits, 16 units, recurrent dropout 0.3, SGD, batch 32), trained with
 * TF.js's per-step SimpleRNN and with tsgym's fused one (`unroll: true`): samples/s, best and
 * median of 15 steps after one warm-up step.
 */
async function rnnSamplesPerSecond(
  backend: string,
  unroll: boolean,
): Promise<{ best: number; median: number }> {
  await tf.setBackend(backend);
  const batch = 32;
  const net = buildRnnAdder(
    { bits: 8, units: 16, outputActivation: 'tanh', dropout: 0, recurrentDropout: 0.3, unroll },
    new Rng(0),
  );
  net.compile({ optimizer: makeOptimizer('sgd', 0.1), loss: 'meanSquaredError' });
  attachRngs(net, new Rng(1));
  const x = tf.randomUniform([batch, 8, 2], 0, 2, 'int32', 3).toFloat();
  const y = tf.randomUniform([batch, 8, 1], 0, 2, 'int32', 4).toFloat();
  try {
    await net.trainOnBatch(x, y);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await net.trainOnBatch(x, y);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const rate = (ms: number) => (batch * 1000) / ms;
    return { best: rate(times[0]), median: rate(times[7]) };
  } finally {
    net.optimizer.dispose();
    net.dispose();
    tf.dispose([x, y]);
  }
}

/** Prints the binary-adder table: stock SimpleRNN against the fused `unroll: true` layer. */
async function rnnBench(backends: readonly string[]): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const backend of backends) {
    const stock = await rnnSamplesPerSecond(backend, false);
    const fused = await rnnSamplesPerSecond(backend, true);
    for (const [label, r] of [
      ['SimpleRNN (per-step ops)', stock],
      ['unroll: true (fused op)', fused],
    ] as const) {
      rows.push([backend, label, r.best.toFixed(0), r.median.toFixed(0)]);
    }
    rows.push([backend, 'fused / per-step', `${(fused.best / stock.best).toFixed(1)}x`, '']);
  }
  console.log('\nS14 binary adder, SGD, batch 32, recurrent dropout 0.3: training samples/s');
  console.log(formatTable(['backend', 'layer', 'samples/s best', 'median'], rows));
}

/** Runs the supervised training-speed bench and prints its tables. */
export async function runSupervisedBench(): Promise<void> {
  const selection = await loadTf({ prepare: registerFastKernels, env: {} });
  const backends = (['tensorflow', 'wasm', 'cpu'] as const).filter(
    (b) => tf.findBackendFactory(b) !== null,
  );
  console.log(
    `supervised bench: TF.js ${tf.version.tfjs}, Node ${process.version}, ${os.cpus()[0]?.model} x${os.cpus().length}, load ${os.loadavg()[0].toFixed(1)}`,
  );
  if (selection.nodeUnavailable) console.log(`tfjs-node not loaded: ${selection.nodeUnavailable}`);

  const peaks = new Map<string, number>();
  for (const b of backends) peaks.set(b, await gemmPeak(b));
  const rows: (string | number)[][] = [];
  const fastest = new Map<string, [string, number]>();
  const threads = resolveThreadCount();
  for (const model of MODELS) {
    for (const backend of backends) {
      // Stock kernels, tsgym's on one thread, then on the default thread count (wasm only).
      const modes: { fast: boolean; threads: number }[] =
        backend === 'wasm'
          ? [
              { fast: false, threads: 1 },
              { fast: true, threads: 1 },
              ...(threads > 1 ? [{ fast: true, threads }] : []),
            ]
          : [{ fast: true, threads: 1 }];
      let stock: number | undefined;
      for (const mode of modes) {
        setFastKernels(tf, mode.fast);
        if (backend === 'wasm') await useHelperThreads(mode.threads);
        const missing = kernelsForLayers(model.layers).filter(
          (k) => tf.getKernel(k, backend) === undefined,
        );
        if (missing.length > 0) {
          rows.push([
            model.name,
            backend,
            'stock',
            `cannot train (no ${missing.join(', ')})`,
            '-',
            '-',
            '-',
            '-',
            '-',
          ]);
          continue;
        }
        const { best: rate, median, batch } = await samplesPerSecond(model, backend);
        if (!mode.fast || backend !== 'wasm') stock ??= rate;
        const gflops = (rate * model.flopsPerSample) / 1e9;
        // The ideal scales with the threads: each runs at the one-thread peak at best.
        const ideal = (mode.threads * peaks.get(backend)! * 1e9) / model.flopsPerSample;
        const kernels =
          backend === 'wasm' && mode.fast
            ? `tsgym, ${mode.threads} thread${mode.threads > 1 ? 's' : ''}`
            : 'stock';
        const ratio =
          mode.fast && backend === 'wasm' && stock !== undefined
            ? `${(rate / stock).toFixed(1)}x`
            : '-';
        rows.push([
          model.name,
          `${backend}${batch !== 128 ? ` (batch ${batch})` : ''}`,
          kernels,
          rate.toFixed(1),
          median.toFixed(1),
          ratio,
          gflops.toFixed(2),
          ideal.toFixed(0),
          `${((100 * rate) / ideal).toFixed(0)}%`,
        ]);
        if (rate > (fastest.get(model.name)?.[1] ?? 0)) {
          fastest.set(model.name, [`${backend} (${kernels})`, rate]);
        }
      }
    }
  }
  setFastKernels(tf, true);
  console.log(
    `\nbackend peak (best GEMM, one thread): ${[...peaks].map(([b, p]) => `${b} ${p.toFixed(1)} GFLOP/s`).join(', ')}`,
  );
  console.log(
    formatTable(
      [
        'model (Adam)',
        'backend',
        'kernels',
        'samples/s best',
        'median',
        'vs stock',
        'GFLOP/s',
        'ideal/s',
        '% ideal',
      ],
      rows,
    ),
  );

  for (const model of MODELS) {
    const chosen = await selectBackend({ layers: model.layers });
    const [best] = fastest.get(model.name) ?? ['-'];
    const how = chosen.backend === 'wasm' ? `, tsgym kernels on ${chosen.threads} threads` : '';
    console.log(
      `default backend for ${model.name}: ${chosen.backend}${how} (fastest measured: ${best})`,
    );
  }
  await rnnBench(backends);
  for (const model of MODELS) {
    const profile = await profileStep(model, 'wasm');
    const total = profile.reduce((s, [, ms]) => s + ms, 0);
    console.log(
      `\nkernel profile, one ${model.name} step on wasm, ${threads} thread(s) (batch 128): ${total.toFixed(1)} ms in kernels`,
    );
    console.log(
      formatTable(
        ['kernel', 'ms', 'calls', 'share'],
        profile
          .slice(0, 8)
          .map(([n, ms, c]) => [n, ms.toFixed(2), c, `${((100 * ms) / total).toFixed(0)}%`]),
      ),
    );
  }
}

if (process.argv[1]?.endsWith('bench/supervised.ts')) void runSupervisedBench();
