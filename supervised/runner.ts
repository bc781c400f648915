/**
 * Runs experiments: one run (optionally written to a run folder), comparisons of variants on
 * the same seed and data, and grid or random searches over options.
 */
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, Rng, RunWriter, describeValue, validateRunName } from '../src/index';
import { type TfLogger, selectBackend } from './backend';
import { getComparison, getExperiment } from './experiments/index';
import { type OptionValues, camelCase, resolveOptions } from './experiments/options';
import type { ExperimentOutcome } from './experiments/types';
import { saveModel } from './model-io';
import type { EpochLog } from './train';

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** Experiment options by name (strings from the CLI or typed values). */
  options?: Record<string, unknown>;
  /** Backend forced by `--backend`. */
  backend?: string;
  /** Threads of the wasm kernels (`--threads`); see `SelectBackendOptions.threads`. */
  threads?: number | string;
  /** Receives the backend choice, once per backend. */
  logger?: TfLogger;
  /** Folder of MNIST-format or CIFAR-10 files. */
  dataDir?: string;
  /** Write the run to this folder (`runs/<name>`): run.json, metrics.jsonl, model/. */
  runDir?: string;
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Called after every batch. */
  onBatchEnd?: (batch: number, batches: number, loss: number) => void;
  /** Called once the options are resolved and the backend chosen, before training. */
  onStart?: (info: { options: OptionValues; backend: string }) => void;
}

/** The result of one run. */
export interface RunResult {
  /** Experiment name. */
  experiment: string;
  /** The options used, defaults filled in. */
  options: OptionValues;
  /** TF.js backend it ran on. */
  backend: string;
  /** Threads its heavy kernels ran on. */
  threads: number;
  /** Per-epoch logs. */
  epochs: EpochLog[];
  /** Final metrics. */
  metrics: Record<string, number>;
  /** Experiment-specific results. */
  details?: Record<string, unknown>;
  /** Wall time in seconds. */
  seconds: number;
  /** Run folder, when one was written. */
  runDir?: string;
}

function metricsLine(step: number, started: number, values: Record<string, number | undefined>) {
  return { step, time: (performance.now() - started) / 1000, ...values };
}

function epochMetrics(log: EpochLog): Record<string, number | undefined> {
  const { epoch: _epoch, seconds: _seconds, numTensors: _n, samplesPerSecond, ...metrics } = log;
  return { ...metrics, 'time/samples_per_second': samplesPerSecond };
}

async function finishRun(
  writer: RunWriter,
  outcome: ExperimentOutcome,
  metadata: Record<string, unknown>,
  started: number,
): Promise<void> {
  const finalStep = outcome.epochs.at(-1)?.epoch ?? 0;
  writer.logMetrics(metricsLine(finalStep, started, outcome.metrics));
  if (outcome.model) await saveModel(outcome.model, path.join(writer.dir, 'model'), metadata);
  writer.update({
    config: { ...(metadata.options as object), results: outcome.metrics, details: outcome.details },
  });
}

/**
 * Runs one experiment with the given options on the chosen backend.
 *
 * @returns the options used, the backend, per-epoch logs and final metrics.
 * @throws InvalidConfigError for an unknown experiment or option, or a bad value.
 * @example
 * ```ts
 * const result = await runExperiment('iris', { options: { activation: 'sigmoid' } });
 * ```
 */
export async function runExperiment(
  name: string,
  run: RunExperimentOptions = {},
): Promise<RunResult> {
  const experiment = getExperiment(name);
  const options = resolveOptions(experiment.options, run.options ?? {}, name);
  const selection = await selectBackend({
    layers: experiment.layers(options),
    backend: run.backend,
    threads: run.threads,
    logger: run.logger,
    model: name,
  });
  run.onStart?.({ options, backend: selection.backend });
  const started = performance.now();
  let writer: RunWriter | undefined;
  if (run.runDir) {
    validateRunName(path.basename(run.runDir));
    writer = new RunWriter(run.runDir, {
      name: path.basename(run.runDir),
      kind: 'supervised',
      experiment: name,
      seed: options.seed as number,
      config: options,
      backend: selection.backend,
      threads: selection.threads,
    });
  }

  let outcome: ExperimentOutcome | undefined;
  const models = new Set<tf.LayersModel>();
  try {
    outcome = await experiment.run({
      options,
      track: (model) => models.add(model),
      rng: new Rng(options.seed as number),
      dataDir: run.dataDir,
      onBatchEnd: run.onBatchEnd,
      onEpochEnd: (log) => {
        writer?.logMetrics(metricsLine(log.epoch, started, epochMetrics(log)));
        run.onEpochEnd?.(log);
      },
    });
    if (writer)
      await finishRun(
        writer,
        outcome,
        { experiment: name, options, backend: selection.backend, threads: selection.threads },
        started,
      );
    writer?.close('finished');
  } catch (error) {
    writer?.close('stopped');
    throw error;
  } finally {
    if (outcome?.model) models.add(outcome.model);
    // A model does not dispose an optimiser it was given as an object (only one it created
    // from a name), so the optimiser's moment estimates are freed here.
    for (const model of models) {
      model.optimizer?.dispose();
      model.dispose();
    }
  }
  const { epochs, metrics, details } = outcome;
  const seconds = (performance.now() - started) / 1000;
  return {
    experiment: name,
    options,
    backend: selection.backend,
    threads: selection.threads,
    epochs,
    metrics,
    details,
    seconds,
    runDir: writer?.dir,
  };
}

/**
 * Every combination of the varied values (a grid), as option overrides.
 *
 * @param vary - values by option name, e.g. `{ optimizer: ['sgd', 'adam'] }`.
 */
export function gridVariants(vary: Record<string, readonly string[]>): Record<string, string>[] {
  let variants: Record<string, string>[] = [{}];
  for (const [option, values] of Object.entries(vary)) {
    if (values.length === 0) {
      throw new InvalidConfigError(
        `--vary ${option}: give at least one value, e.g. ${option}=a,b.`,
      );
    }
    variants = variants.flatMap((v) => values.map((value) => ({ ...v, [option]: value })));
  }
  return variants;
}

/**
 * Parses `--vary` arguments such as `optimizer=sgd,adam` or `hidden=600x300;650x450`
 * (a semicolon separates values that themselves contain commas).
 *
 * @throws InvalidConfigError for an argument without `=`.
 */
export function parseVary(args: readonly string[]): Record<string, string[]> {
  const vary: Record<string, string[]> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new InvalidConfigError(
        `--vary ${describeValue(arg)}: expected <option>=<value>,<value>, e.g. optimizer=sgd,adam.`,
      );
    }
    const values = arg.slice(eq + 1);
    vary[camelCase(arg.slice(0, eq))] = values.includes(';')
      ? values.split(';')
      : values.split(',');
  }
  return vary;
}

/** Options of {@link compareVariants}. */
export interface CompareOptions extends Omit<RunExperimentOptions, 'runDir'> {
  /** Write each variant to `<runsRoot>/<runPrefix>-<variant>`. */
  runsRoot?: string;
  /** First part of each variant's run folder name; the experiment name by default. */
  runPrefix?: string;
  /** Called when a variant starts (0-based index). */
  onVariant?: (index: number, variant: Record<string, string>, total: number) => void;
}

/** A short folder-safe label of a variant, e.g. `optimizer-adam`. */
export function variantLabel(variant: Record<string, unknown>): string {
  const text = Object.entries(variant)
    .map(([k, v]) => `${k}-${String(v)}`)
    .join('_');
  return text.replace(/[^A-Za-z0-9._-]+/g, '-') || 'default';
}

/**
 * Runs each variant of an experiment on the same seed and data (only the varied options
 * differ) and returns one result per variant, in order.
 *
 * @param name - an experiment, or a named comparison (whose variants are used when
 *   `variants` is omitted).
 * @throws InvalidConfigError for unknown names or options.
 */
export async function compareVariants(
  name: string,
  variants: Record<string, string>[] | undefined,
  compare: CompareOptions = {},
): Promise<RunResult[]> {
  const comparison = getComparison(name);
  const experiment = comparison ? comparison.experiment : getExperiment(name).name;
  const list = variants ?? comparison?.variants;
  if (!list || list.length === 0) {
    throw new InvalidConfigError(
      `compare ${name}: give the variants with --vary <option>=<a>,<b>.`,
    );
  }
  const experimentOptions = getExperiment(experiment).options;
  for (const variant of list)
    resolveOptions(experimentOptions, { ...compare.options, ...variant }, experiment);
  const results: RunResult[] = [];
  for (const [i, variant] of list.entries()) {
    compare.onVariant?.(i, variant, list.length);
    const runDir = compare.runsRoot
      ? path.join(compare.runsRoot, `${compare.runPrefix ?? experiment}-${variantLabel(variant)}`)
      : undefined;
    results.push(
      await runExperiment(experiment, {
        ...compare,
        options: { ...compare.options, ...variant },
        runDir,
      }),
    );
  }
  return results;
}

/** A random-search range: a list of values, or a number interval (log-uniform with `log`). */
export type SearchRange =
  readonly string[] | { min: number; max: number; log?: boolean; integer?: boolean };

/**
 * Draws `trials` variants uniformly from the ranges with a seeded Rng (random search,
 * Bergstra and Bengio, 2012).
 */
export function randomVariants(
  ranges: Record<string, SearchRange>,
  trials: number,
  rng: Rng,
): Record<string, string>[] {
  return Array.from({ length: trials }, () => {
    const variant: Record<string, string> = {};
    for (const [option, range] of Object.entries(ranges)) {
      if (Array.isArray(range)) {
        variant[option] = range[rng.int(range.length)];
        continue;
      }
      const r = range as { min: number; max: number; log?: boolean; integer?: boolean };
      const u = rng.random();
      let value = r.log
        ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min)))
        : r.min + u * (r.max - r.min);
      value = r.integer ? Math.round(value) : Number(value.toPrecision(4));
      variant[option] = String(value);
    }
    return variant;
  });
}

/**
 * Parses random-search ranges: `learningRate=1e-4:1e-2:log`, `units=8:128:int` or a list
 * `optimizer=adam,rmsprop`.
 *
 * @throws InvalidConfigError for a malformed range.
 */
export function parseRanges(args: readonly string[]): Record<string, SearchRange> {
  const ranges: Record<string, SearchRange> = {};
  for (const [option, values] of Object.entries(parseVary(args))) {
    const text = values.join(',');
    const parts = text.split(':');
    if (parts.length < 2) {
      ranges[option] = values;
      continue;
    }
    const [min, max] = [Number(parts[0]), Number(parts[1])];
    const flags = parts.slice(2);
    if (
      !Number.isFinite(min) ||
      !Number.isFinite(max) ||
      min > max ||
      (flags.includes('log') && min <= 0)
    ) {
      throw new InvalidConfigError(
        `--range ${option}=${text}: expected <min>:<max>[:log][:int] with min <= max (min > 0 ` +
          `for log), e.g. learningRate=1e-4:1e-2:log.`,
      );
    }
    ranges[option] = { min, max, log: flags.includes('log'), integer: flags.includes('int') };
  }
  return ranges;
}
