/**
 * Chooses the TF.js backend for one model through the loader of `src/tf`, after registering
 * tsgym's replacement kernels, from the kernels the model's layers need for training.
 */
import * as tf from '@tensorflow/tfjs';
import { type TfLogger, type TfSelection, loadTf } from '../src/tf/index';
import { registerFastKernels } from './kernels';

export type { TfLogger, TfSelection };

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
}

/**
 * Activates the fastest backend that trains a model of these layers (or the forced one).
 *
 * @returns the loader's selection; `selection.backend` goes into run.json.
 * @throws InvalidConfigError from `loadTf` for an unknown or unsuitable forced backend.
 */
export async function selectBackend(options: SelectBackendOptions): Promise<TfSelection> {
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
  return selection;
}
