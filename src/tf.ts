/**
 * The TensorFlow.js loader: one place that decides which TF.js build and backend run a model.
 *
 * - `@tensorflow/tfjs-node` (native TensorFlow, backend `tensorflow`) is an optional dependency
 *   whose install downloads a native library; when it loads it is used.
 * - Otherwise `@tensorflow/tfjs` runs on a pure backend: `wasm` (XNNPACK, single thread in
 *   Node) or `cpu` (plain JavaScript). The wasm backend lacks some gradient kernels (for
 *   example `Conv2DBackpropFilter`), so the choice is made per model from the kernels the model
 *   needs, not once per process.
 * - The `backend` option (the CLI's `--backend` flag) overrides the environment variable
 *   `TSGYM_TF_BACKEND`, which overrides the automatic choice.
 *
 * Nothing here is imported by `src/index.ts`, so importing the RL core never loads TF.js; the
 * modules themselves are imported lazily the first time {@link loadTf} runs.
 */
import { InvalidConfigError, describeValue } from './errors';

/** The TF.js API (the union build `@tensorflow/tfjs`; tfjs-node re-exports the same API). */
export type TfModule = typeof import('@tensorflow/tfjs');

/** A TF.js backend tsgym knows how to select. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every backend, fastest first (the default preference). */
export const TF_BACKENDS: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Environment variable that overrides the automatic backend choice. */
export const TF_BACKEND_ENV = 'TSGYM_TF_BACKEND';

/** Receives the loader's one-line messages (silent by default, as library code must be). */
export interface TfLogger {
  /** Called once per distinct backend choice. */
  info(message: string): void;
}

/** Options of {@link loadTf}. */
export interface TfLoadOptions {
  /** Backend forced by the user (`--backend`); wins over {@link TF_BACKEND_ENV}. */
  backend?: string;
  /** Environment to read {@link TF_BACKEND_ENV} from. @defaultValue `process.env` */
  env?: Record<string, string | undefined>;
  /** Where the choice is reported, once per distinct choice. @defaultValue silent */
  logger?: TfLogger;
  /** Kernels the model needs for training (forward and gradients); checked per backend. */
  requiredKernels?: readonly string[];
  /** Backends to try, fastest first for this model. @defaultValue {@link TF_BACKENDS} */
  preference?: readonly TfBackendName[];
  /** Name of the model, for the log line and error messages. */
  model?: string;
  /**
   * Called once per TF.js module before the first choice, e.g. to register replacement
   * kernels; the same function is never called twice for the same module.
   */
  prepare?: (tf: TfModule) => void;
}

/** What {@link loadTf} chose and why. */
export interface TfSelection {
  /** The TF.js API, with `backend` already active. */
  tf: TfModule;
  /** The backend in use; record it in `run.json`. */
  backend: TfBackendName;
  /** One sentence saying why this backend was chosen. */
  reason: string;
  /** Why tfjs-node is not in use (`undefined` when it is). */
  nodeUnavailable?: string;
}

/** How the two TF.js builds are imported; replaced in tests to simulate either outcome. */
export interface TfImporters {
  /** Imports `@tensorflow/tfjs-node`; throws when its native library is missing. */
  node: () => Promise<unknown>;
  /** Imports `@tensorflow/tfjs`. */
  pure: () => Promise<TfModule>;
  /** Imports `@tensorflow/tfjs-backend-wasm` (registers the `wasm` backend). */
  wasm: () => Promise<unknown>;
}

// A variable specifier keeps TypeScript from requiring the optional package at compile time.
const NODE_PACKAGE = '@tensorflow/tfjs-node';

const defaultImporters: TfImporters = {
  node: () => import(/* @vite-ignore */ NODE_PACKAGE),
  pure: () => import('@tensorflow/tfjs'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

interface LoadedTf {
  tf: TfModule;
  nodeUnavailable?: string;
  prepared: Set<(tf: TfModule) => void>;
  initialised: Map<TfBackendName, boolean>;
}

let importers = defaultImporters;
let loaded: Promise<LoadedTf> | undefined;
const logged = new Set<string>();

/**
 * Replaces how TF.js is imported and forgets the loaded module (tests only).
 *
 * @param replacement - the importers to use; omit to restore the real ones.
 */
export function setTfImportersForTesting(replacement?: Partial<TfImporters>): void {
  importers = { ...defaultImporters, ...replacement };
  loaded = undefined;
  logged.clear();
}

/**
 * Parses a backend name from a flag or the environment.
 *
 * @param value - `'tensorflow'` (alias `'node'`), `'wasm'` or `'cpu'`, any case.
 * @param where - the flag or variable the value came from, for the message.
 * @throws InvalidConfigError for any other value.
 */
export function parseBackendName(value: string, where: string): TfBackendName {
  const name = value.trim().toLowerCase();
  if (name === 'node') return 'tensorflow';
  if ((TF_BACKENDS as readonly string[]).includes(name)) return name as TfBackendName;
  throw new InvalidConfigError(
    `${where}: unknown TensorFlow.js backend ${describeValue(value)}. ` +
      `Expected one of: ${TF_BACKENDS.join(', ')}. Fix the value or leave it unset for the ` +
      `automatic choice.`,
  );
}

async function importTf(): Promise<LoadedTf> {
  try {
    // tfjs-node re-exports the whole tfjs API and registers the `tensorflow` backend.
    const tf = (await importers.node()) as TfModule;
    return { tf, prepared: new Set(), initialised: new Map() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tf = await importers.pure();
    await importers.wasm();
    // PROD silences TF.js's own console output (such as its advice to install tfjs-node); the
    // loader reports through the injected logger instead.
    tf.env().set('PROD', true);
    return {
      tf,
      nodeUnavailable: message.split('\n')[0].trim(),
      prepared: new Set(),
      initialised: new Map(),
    };
  }
}

async function initialise(state: LoadedTf, backend: TfBackendName): Promise<boolean> {
  const known = state.initialised.get(backend);
  if (known !== undefined) return known;
  let ok = false;
  if (state.tf.findBackendFactory(backend) !== null) {
    try {
      ok = await state.tf.setBackend(backend);
    } catch {
      ok = false;
    }
  }
  state.initialised.set(backend, ok);
  return ok;
}

/** Kernels of `required` that `backend` does not register. */
export function missingKernels(
  tf: TfModule,
  backend: string,
  required: readonly string[],
): string[] {
  return required.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
}

function resolveOverride(options: TfLoadOptions): { name: TfBackendName; source: string } | null {
  if (options.backend !== undefined && options.backend !== '') {
    return { name: parseBackendName(options.backend, '--backend'), source: '--backend' };
  }
  const fromEnv = (options.env ?? process.env)[TF_BACKEND_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { name: parseBackendName(fromEnv, TF_BACKEND_ENV), source: TF_BACKEND_ENV };
  }
  return null;
}

async function forcedSelection(
  state: LoadedTf,
  forced: { name: TfBackendName; source: string },
  options: TfLoadOptions,
): Promise<{ backend: TfBackendName; reason: string }> {
  const where = `${forced.source}=${forced.name}`;
  if (!(await initialise(state, forced.name))) {
    const why = forced.name === 'tensorflow' ? ` (${state.nodeUnavailable})` : '';
    throw new InvalidConfigError(
      `${where}: the backend is not available here${why}. ` +
        `Choose one of the available backends (wasm, cpu) or unset ${forced.source}.`,
    );
  }
  const missing = missingKernels(state.tf, forced.name, options.requiredKernels ?? []);
  if (missing.length > 0) {
    throw new InvalidConfigError(
      `${where}: ${options.model ?? 'the model'} needs the kernels ${missing.join(', ')}, ` +
        `which backend '${forced.name}' does not have. Choose another backend or unset ` +
        `${forced.source} for the automatic choice.`,
    );
  }
  return { backend: forced.name, reason: `forced by ${where}` };
}

async function automaticSelection(
  state: LoadedTf,
  options: TfLoadOptions,
): Promise<{ backend: TfBackendName; reason: string }> {
  const skipped: string[] = [];
  for (const backend of options.preference ?? TF_BACKENDS) {
    if (!(await initialise(state, backend))) {
      skipped.push(`${backend} unavailable`);
      continue;
    }
    const missing = missingKernels(state.tf, backend, options.requiredKernels ?? []);
    if (missing.length > 0) {
      skipped.push(`${backend} lacks ${missing.join(', ')}`);
      continue;
    }
    const why = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
    return { backend, reason: `fastest backend supporting the model${why}` };
  }
  throw new InvalidConfigError(
    `${options.model ?? 'The model'} cannot run on any TensorFlow.js backend here: ` +
      `${skipped.join('; ')}. Install @tensorflow/tfjs-node or remove the unsupported layers.`,
  );
}

/**
 * Loads TF.js and activates the backend for one model.
 *
 * @param options - override, logger, the model's required kernels; see {@link TfLoadOptions}.
 * @returns the TF.js API with the chosen backend active, and why it was chosen.
 * @throws InvalidConfigError for an unknown backend name, a forced backend that is missing or
 *   lacks a kernel the model needs, or when no backend supports the model.
 * @example
 * ```ts
 * const { tf, backend } = await loadTf({ requiredKernels: ['Conv2DBackpropFilter'] });
 * ```
 */
export async function loadTf(options: TfLoadOptions = {}): Promise<TfSelection> {
  const forced = resolveOverride(options);
  loaded ??= importTf();
  const state = await loaded;
  if (options.prepare && !state.prepared.has(options.prepare)) {
    state.prepared.add(options.prepare);
    options.prepare(state.tf);
  }

  const { backend, reason } = forced
    ? await forcedSelection(state, forced, options)
    : await automaticSelection(state, options);
  if (state.tf.getBackend() !== backend) await state.tf.setBackend(backend);
  await state.tf.ready();

  const node = state.nodeUnavailable ? `; tfjs-node not loaded: ${state.nodeUnavailable}` : '';
  const line = `TensorFlow.js backend '${backend}': ${reason}${node}`;
  if (!logged.has(backend)) {
    logged.add(backend);
    options.logger?.info(line);
  }
  return { tf: state.tf, backend, reason, nodeUnavailable: state.nodeUnavailable };
}
