import { distance } from 'fastest-levenshtein';
import type { Env, EnvSpec } from './env';
import { InvalidConfigError, UnknownEnvError, describeValue } from './errors';
import { OrderEnforcing, TimeLimit } from './wrappers';

/** Builds an env from keyword arguments; throws InvalidConfigError on unknown ones. */
export type EnvFactory = (kwargs: Record<string, unknown>) => Env<unknown, unknown>;

/** Options of {@link register}. */
export interface RegisterOptions {
  /** Time limit `make` applies; every registered env has one. */
  maxEpisodeSteps: number;
  /** Average return over 100 episodes at which the env counts as solved. */
  rewardThreshold?: number;
  /** Keyword arguments merged under the ones passed to `make`. */
  kwargs?: Record<string, unknown>;
  /** One line for `tsgym list`. */
  description?: string;
}

/** A registry entry, as listed by {@link registeredEnvs}. */
export interface Registration extends RegisterOptions {
  /** The id passed to `make`. */
  id: string;
  /** Builds the bare env. */
  factory: EnvFactory;
}

/** Options of {@link make}. */
export interface MakeOptions {
  /** Overrides the registered time limit. */
  maxEpisodeSteps?: number;
  /** Extra wrappers, applied in order after the default ones. */
  wrappers?: ((env: Env<unknown, unknown>) => Env<unknown, unknown>)[];
}

const registry = new Map<string, Registration>();

/**
 * Registers an env under `id` (Gymnasium style, `Name-vN`). Registering an id twice replaces
 * the first entry.
 *
 * @throws InvalidConfigError when `maxEpisodeSteps` is not a positive integer.
 */
export function register(id: string, factory: EnvFactory, options: RegisterOptions): void {
  const limit = options.maxEpisodeSteps;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new InvalidConfigError(
      `register('${id}'): maxEpisodeSteps must be a positive integer; ` +
        `received ${describeValue(limit)}. Every registered env needs a time limit.`,
    );
  }
  registry.set(id, { id, factory, ...options });
}

/** Every registration, sorted by id. */
export function registeredEnvs(): Registration[] {
  return [...registry.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The registration of `id`.
 *
 * @throws UnknownEnvError naming the closest registered ids.
 */
export function spec(id: string): Registration {
  const found = registry.get(id);
  if (found) return found;
  const ids = [...registry.keys()];
  const close = ids
    .map((known) => ({ known, d: distance(id.toLowerCase(), known.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((c) => c.known);
  const hint = close.length ? ` Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : '';
  throw new UnknownEnvError(
    `env id ${describeValue(id)} is not registered.${hint} ` +
      "Run 'tsgym list' for every id; import 'envs/index' to register the built-in envs.",
  );
}

/**
 * Builds a registered env and wraps it, innermost first: `TimeLimit`, then `OrderEnforcing`
 * (outside the time limit, so it also refuses a step after a truncation), then
 * `options.wrappers` in order.
 *
 * @param id - a registered id such as `'FrozenLake-v1'`.
 * @param kwargs - env options, merged over the registered defaults.
 * @throws UnknownEnvError for an unregistered id; InvalidConfigError for bad kwargs.
 * @example
 * ```ts
 * const env = make('FrozenLake-v1', { isSlippery: false });
 * const { observation } = env.reset({ seed: 0 });
 * ```
 */
export function make<Obs = unknown, Act = unknown>(
  id: string,
  kwargs: Record<string, unknown> = {},
  options: MakeOptions = {},
): Env<Obs, Act> {
  const reg = spec(id);
  const allKwargs = { ...(reg.kwargs ?? {}), ...kwargs };
  const maxEpisodeSteps = options.maxEpisodeSteps ?? reg.maxEpisodeSteps;
  let env: Env<unknown, unknown> = reg.factory(allKwargs);
  const envSpec: EnvSpec = { id, kwargs: allKwargs, maxEpisodeSteps };
  if (reg.rewardThreshold !== undefined) envSpec.rewardThreshold = reg.rewardThreshold;
  env.spec = envSpec;
  env = new OrderEnforcing(new TimeLimit(env, maxEpisodeSteps));
  for (const wrap of options.wrappers ?? []) env = wrap(env);
  return env as Env<Obs, Act>;
}
