/**
 * Saving and loading TF.js models through the file system on any backend. The pure backends
 * have no `file://` handler (tfjs-node registers one), so this module provides its own
 * IOHandler writing the TF.js layers format: `model.json` (topology, weights manifest,
 * training config) and `weights.bin` (all weights, including the optimizer's, P17).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CorruptFileError, InvalidConfigError, Rng, type RngState } from '../src/index';
import { attachRngs, rngStates } from './layers';

/** File names inside a saved-model folder. */
export const MODEL_JSON = 'model.json';
/** File name of the weights, next to {@link MODEL_JSON}. */
export const WEIGHTS_BIN = 'weights.bin';

/** tsgym's own part of `userDefinedMetadata` in model.json. */
export interface TsgymModelMetadata {
  /** Saved Rng states of the random layers, by layer name (see `attachRngs`). */
  rngStates?: Record<string, RngState>;
  /** Anything the experiment wants back on load (options, label encoding, ...). */
  [key: string]: unknown;
}

function weightBytes(data: tf.io.WeightData): Uint8Array {
  return new Uint8Array(new tf.io.CompositeArrayBuffer(data).slice());
}

function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  // Both files are written to a fresh sibling folder which then replaces `dir`, so a reader
  // never sees a model.json paired with the weights of another save.
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  for (const [name, data] of Object.entries(files)) {
    const fd = fs.openSync(path.join(tmp, name), 'w');
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  const old = `${tmp}.old`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new InvalidConfigError(
      `saveModel(${dir}): binary (graph-model) topologies are not supported; save a layers model.`,
    );
  }
  const weights = artifacts.weightData ? weightBytes(artifacts.weightData) : new Uint8Array(0);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: `tsgym file-system handler`,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    trainingConfig: artifacts.trainingConfig,
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  writeFolderAtomic(dir, { [MODEL_JSON]: JSON.stringify(modelJson), [WEIGHTS_BIN]: weights });
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

function specBytes(specs: tf.io.WeightsManifestEntry[]): number {
  const sizes: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };
  return specs.reduce(
    (sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (sizes[s.dtype] ?? 4),
    0,
  );
}

function readModelJson(file: string): tf.io.ModelJSON {
  if (!fs.existsSync(file)) {
    throw new InvalidConfigError(
      `${file}: no saved model here. Pass a folder written by saveModel (it holds ` +
        `${MODEL_JSON} and ${WEIGHTS_BIN}), e.g. runs/<name>/model.`,
    );
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  } catch (cause) {
    throw new CorruptFileError(`${file}: not valid JSON; the save was damaged.`, { cause });
  }
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = readModelJson(path.join(dir, MODEL_JSON));
  const specs = (json.weightsManifest ?? []).flatMap((group) => group.weights);
  const bytes = (json.weightsManifest ?? []).flatMap((group) =>
    group.paths.map((p) => fs.readFileSync(path.join(dir, p))),
  );
  const data = Buffer.concat(bytes);
  if (data.length !== specBytes(specs)) {
    throw new CorruptFileError(
      `${path.join(dir, WEIGHTS_BIN)}: ${data.length} bytes, but ${MODEL_JSON} lists weights ` +
        `of ${specBytes(specs)} bytes; the save is truncated or mixed with another. Save again.`,
    );
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
  };
}

/**
 * A TF.js IOHandler reading and writing `dir/model.json` and `dir/weights.bin`; a save
 * replaces the whole folder atomically.
 *
 * @param dir - the model folder.
 * @example
 * ```ts
 * await model.save(fileSystemHandler('runs/cnn/model'), { includeOptimizer: true });
 * const again = await tf.loadLayersModel(fileSystemHandler('runs/cnn/model'));
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return { save: (artifacts) => saveArtifacts(dir, artifacts), load: () => loadArtifacts(dir) };
}

/**
 * Saves a compiled model with its optimizer state and the states of its dropout streams, so
 * that loading it continues training exactly where it stopped.
 *
 * @param metadata - extra JSON stored in model.json under `userDefinedMetadata.tsgym`.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  metadata: TsgymModelMetadata = {},
): Promise<void> {
  model.setUserDefinedMetadata({ tsgym: { ...metadata, rngStates: rngStates(model) } });
  await model.save(fileSystemHandler(dir), { includeOptimizer: model.optimizer != null });
}

/**
 * Loads a model saved by {@link saveModel}: weights, compiled loss and optimizer (with its
 * moment estimates), and the dropout streams at the state they were saved in.
 *
 * @param rng - stream for random layers whose state was not saved.
 * @returns the model and the tsgym metadata it was saved with.
 * @throws InvalidConfigError when the folder holds no model; CorruptFileError when it is damaged.
 */
export async function loadModel(
  dir: string,
  rng: Rng = new Rng(0),
): Promise<{ model: tf.LayersModel; metadata: TsgymModelMetadata }> {
  const model = await tf.loadLayersModel(fileSystemHandler(dir));
  const metadata = ((model.getUserDefinedMetadata() as { tsgym?: TsgymModelMetadata })?.tsgym ??
    {}) as TsgymModelMetadata;
  attachRngs(model, rng, metadata.rngStates ?? {});
  return { model, metadata };
}
