/**
 * Chooses the TF.js backend for one model through the loader of `src/tf`, after registering
 * tsgym's replacement kernels, from the kernels the model's layers need for training.
 */
import * as tf from '@tensorflow/tfjs';
import { type TfLogger, type TfSelection, loadTf } from '../src/tf/index';
import { registerFastKernels } from './kernels';
import { resolveThreadCount, useHelperThreads } from './helper-threads';

export type { TfLogger, TfSelection };

/** The loader's selection and the thread count of the wasm kernels. */
export interface BackendSelection extends TfSelection {
  /** Threads the heavy kernels use: 1 except on wasm with helper threads running. */
  threads: number;
}

/** Heavy kernels each layer class needs to train (forward pass and gradients). */
export const LAYER_KERNELS: Record<string, readonly string[]> = {
  Dense: ['BatchMatMul', '_FusedMatMul'],
  Conv2D: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
  MaxPooling2D: ['MaxPool', 'MaxPoolGrad'],
  SimpleRNN: ['BatchMatMul', 'Tanh'],
  // The fused op computes on the tensors' values; only its dropout masks use kernels.
  TsgymUnrolledSimpleRNN: ['Multiply'],
  LSTM: ['BatchMatMul', 'Sigmoid', 'Tanh'],
  TsgymSeededDropout: ['Multiply'],
  Flatten: ['Reshape'],
};

/** Kernels needed to train a model made of the given layer classes. */
export function kernelsForLayers(layerClasses: readonly string[]): string[] {
  return [...new Set(layerClasses.flatMap((name) => LAYER_KERNELS[name] ?? []))];
}

const reported = new Set<number>();

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Layer classes of the model, e.g. `['Conv2D', 'MaxPooling2D', 'Dense']`. */
  layers: readonly string[];
  /** Backend forced by `--backend`. */
  backend?: string;
  /** Receives the one-line report of the choice. */
  logger?: TfLogger;
  /** Model name for messages. */
  model?: string;
  /**
   * Threads for the wasm backend's heavy kernels (`--threads`); else `TSGYM_TF_THREADS`; else
   * one per core, at most 4. Runs are bit-for-bit reproducible for a given thread count.
   */
  threads?: number | string;
}

/**
 * Activates the fastest backend that trains a model of these layers (or the forced one).
 *
 * @returns the loader's selection; `selection.backend` goes into run.json.
 * @throws InvalidConfigError from `loadTf` for an unknown or unsuitable forced backend, or
 *   for a thread count that is not a whole number from 1 to 64.
 */
export async function selectBackend(options: SelectBackendOptions): Promise<BackendSelection> {
  // Checked on every backend, so a bad --threads is never silently ignored.
  const wanted = resolveThreadCount(options.threads);
  const selection = await loadTf({
    backend: options.backend,
    logger: options.logger,
    model: options.model,
    requiredKernels: kernelsForLayers(options.layers),
    prepare: registerFastKernels,
  });
  if (selection.tf.engine() !== tf.engine()) {
    // Both builds share one engine when node_modules is deduplicated; anything else would
    // train on one engine and evaluate on another.
    throw new Error('TF.js loaded twice: @tensorflow/tfjs and the loader use different engines.');
  }
  if (selection.backend === 'cpu' && options.layers.includes('Conv2D')) {
    // Measured by `npm run bench -- supervised`: the MNIST CNN trains at under 1 sample/s.
    options.logger?.info(
      'the cpu backend trains convolutions very slowly (the MNIST CNN at under 1 sample/s, ' +
        'against hundreds on wasm); an epoch of 54,000 images takes more than a day',
    );
  }
  if (selection.backend !== 'wasm') return { ...selection, threads: 1 };
  const threads = await useHelperThreads(wanted, (message) => options.logger?.info(message));
  if (threads !== wanted || !reported.has(threads)) {
    reported.add(threads);
    options.logger?.info(`wasm kernels on ${threads} thread${threads === 1 ? '' : 's'}`);
  }
  return { ...selection, threads };
}
