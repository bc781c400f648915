import type { Env, Info, ResetResult, StepResult } from './env';
import {
  EnvContractError,
  InvalidConfigError,
  InvalidSeedError,
  ResetNeededError,
  describeValue,
} from './errors';
import { rejectUnknownOptions } from './errors';
import { make } from './registry';
import { Rng, validateSeed } from './rng';
import { Space } from './spaces';
import { OrderEnforcing, findWrapper } from './wrappers';

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Seed for `reset` and for the Rng that draws the random actions. @defaultValue 0 */
  seed?: number;
  /** Number of random steps in each of the two trajectories compared. @defaultValue 100 */
  steps?: number;
}

/** What {@link checkEnv} found. */
export interface CheckEnvReport {
  /** Breaches of the Env contract; an env passes when this is empty. */
  problems: string[];
  /** Doubtful but legal behaviour, and checks that could not run. */
  warnings: string[];
}

type AnyEnv = Env<unknown, unknown>;

interface Report extends CheckEnvReport {
  problem(message: string): void;
  warn(message: string): void;
}

// Each kind of finding is reported once, at its first step: 100 copies of one message would hide
// the other findings.
function newReport(): Report {
  const problems: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const once = (list: string[], message: string) => {
    const kind = message.replace(/^step \d+ of the random run/, 'step');
    if (!seen.has(kind)) list.push(message);
    seen.add(kind);
  };
  return {
    problems,
    warnings,
    problem: (m) => once(problems, m),
    warn: (m) => once(warnings, m),
  };
}

/**
 * Checks an env against the Env contract, in the spirit of Gymnasium's `check_env`, plus
 * determinism: the same seed must give the same trajectory.
 *
 * Checked, each failure becoming one message in `problems`:
 * - `observationSpace` and `actionSpace` are {@link Space} instances; `metadata.family` is a string.
 * - When the env was made by `make` (it has a `spec`): a fresh env from the same spec throws
 *   `ResetNeededError` on `step` before `reset`, and the env throws it on `step` after an
 *   episode ended.
 * - `reset({ seed: -1 })` and `reset({ seed: 1.5 })` throw `InvalidSeedError`.
 * - `reset` returns `{ observation, info }` with the observation in the space and `info` a
 *   plain object; two `reset({ seed })` give the same first observation.
 * - `info.actionMask`, when present, lets `actionSpace.sample(rng, mask)` draw an action.
 * - Each `step` returns an observation in the space, a finite number reward, boolean
 *   `terminated` and `truncated`, and a plain-object `info`.
 * - `render()` returns a JSON-serialisable object whose `family` is a string.
 * - Two runs of `steps` random actions (from `Rng(seed)`, respecting `info.actionMask`, with
 *   `reset()` without seed after each episode end) from `reset({ seed })` give the same
 *   observations, rewards and flags.
 *
 * Each kind of finding is reported once, at the first step where it occurs.
 *
 * Warnings: no `spec` (order checks skipped), `render().family` differing from
 * `metadata.family`, infos differing between the two runs, and an env that changes an
 * observation object it already returned.
 *
 * The env is reset several times; reset it again before using it.
 *
 * @param env - the env to check, bare or wrapped.
 * @param options - `seed` (default 0) and `steps` (default 100).
 * @returns every problem and warning found, as precise sentences.
 * @throws InvalidConfigError for unknown options or a bad `steps`; InvalidSeedError for a bad
 *   `seed`.
 * @example
 * ```ts
 * const { problems } = checkEnv(make('FrozenLake-v1'), { seed: 0, steps: 200 });
 * ```
 */
export function checkEnv(env: AnyEnv, options: CheckEnvOptions = {}): CheckEnvReport {
  rejectUnknownOptions(options, ['seed', 'steps'], 'checkEnv options');
  const { seed = 0, steps = 100 } = options;
  validateSeed(seed);
  if (!Number.isSafeInteger(steps) || steps < 0) {
    throw new InvalidConfigError(
      `checkEnv options: steps must be a non-negative integer; received ${describeValue(steps)}. Pass e.g. 100.`,
    );
  }
  const report = newReport();

  if (!checkSpaces(env, report)) return finish(report);
  checkOrderBeforeReset(env, report);
  checkInvalidSeeds(env, report);
  checkReset(env, seed, report);
  const first = runTrajectory(env, { seed, steps, report });
  const second = runTrajectory(env, { seed, steps, report: newReport() });
  compareTrajectories(first, second, report);
  checkRender(env, report);

  return finish(report);
}

/**
 * Runs {@link checkEnv} and throws when it finds problems.
 *
 * @returns the warnings, when there are no problems.
 * @throws EnvContractError listing every problem, one per line.
 */
export function assertEnvOk(env: AnyEnv, options: CheckEnvOptions = {}): string[] {
  const { problems, warnings } = checkEnv(env, options);
  if (problems.length > 0) {
    const id = env.spec?.id ?? env.unwrapped.constructor.name;
    throw new EnvContractError(
      `env ${id} breaks the Env contract (${problems.length} problem(s)); fix each of these:\n` +
        problems.map((p) => `- ${p}`).join('\n'),
    );
  }
  return warnings;
}

function finish(report: Report): CheckEnvReport {
  return { problems: report.problems, warnings: report.warnings };
}

function checkSpaces(env: AnyEnv, report: Report): boolean {
  let ok = true;
  for (const name of ['observationSpace', 'actionSpace'] as const) {
    const space: unknown = env[name];
    if (!(space instanceof Space)) {
      report.problem(
        `${name} must be a Space instance (Discrete, Box, ...); received ${describeValue(space)}.`,
      );
      ok = false;
    }
  }
  const family: unknown = env.metadata?.family;
  if (typeof family !== 'string' || family === '') {
    report.problem(
      `metadata.family must be a non-empty string naming the viewer renderer; received ${describeValue(family)}.`,
    );
  }
  return ok;
}

function checkOrderBeforeReset(env: AnyEnv, report: Report): void {
  const spec = env.spec;
  if (spec === undefined) {
    report.warn('env has no spec (not built by make): step-before-reset checks were skipped.');
    return;
  }
  let fresh: AnyEnv;
  try {
    fresh = make(spec.id, spec.kwargs, { maxEpisodeSteps: spec.maxEpisodeSteps });
  } catch (error) {
    report.warn(
      `could not make a fresh '${spec.id}' to test step before reset: ${errorText(error)}`,
    );
    return;
  }
  const action = fresh.actionSpace.sample(new Rng(0));
  const thrown = catchError(() => fresh.step(action));
  if (!(thrown instanceof ResetNeededError)) {
    report.problem(
      `step() before reset() must throw ResetNeededError; ${thrown ? `it threw ${errorText(thrown)}` : 'it returned normally'}.`,
    );
  }
  fresh.close();
}

function checkInvalidSeeds(env: AnyEnv, report: Report): void {
  for (const bad of [-1, 1.5]) {
    const thrown = catchError(() => env.reset({ seed: bad }));
    if (!(thrown instanceof InvalidSeedError)) {
      report.problem(
        `reset({ seed: ${bad} }) must throw InvalidSeedError; ${thrown ? `it threw ${errorText(thrown)}` : 'it returned normally'}. Call this.seedRng(args.seed) first in reset().`,
      );
    }
  }
}

function checkReset(env: AnyEnv, seed: number, report: Report): void {
  const a = callReset(env, seed, report);
  const b = callReset(env, seed, report);
  if (a === undefined || b === undefined) return;
  if (canonical(a.observation) !== canonical(b.observation)) {
    report.problem(
      `reset({ seed: ${seed} }) twice gave different first observations: ${describeValue(a.observation)} then ${describeValue(b.observation)}. Draw every random number from this.rng.`,
    );
  }
}

function callReset(
  env: AnyEnv,
  seed: number | undefined,
  report: Report,
): ResetResult<unknown> | undefined {
  let result: ResetResult<unknown>;
  try {
    result = env.reset(seed === undefined ? undefined : { seed });
  } catch (error) {
    report.problem(
      `reset(${seed === undefined ? '' : `{ seed: ${seed} }`}) threw ${errorText(error)}.`,
    );
    return undefined;
  }
  if (typeof result !== 'object' || result === null || !('observation' in result)) {
    report.problem(`reset() must return { observation, info }; received ${describeValue(result)}.`);
    return undefined;
  }
  checkObservation(env, result.observation, 'reset()', report);
  checkInfo(env, result.info, 'reset()', report);

  return result;
}

function checkObservation(env: AnyEnv, observation: unknown, where: string, report: Report): void {
  if (!env.observationSpace.contains(observation)) {
    report.problem(
      `${where} returned an observation outside observationSpace: ${describeValue(observation)} is not in ${describeValue(env.observationSpace.toJSON())}.`,
    );
  }
}

function checkInfo(env: AnyEnv, info: unknown, where: string, report: Report): void {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    report.problem(`${where} must return info as a plain object; received ${describeValue(info)}.`);
    return;
  }
  const mask = (info as Info).actionMask;
  if (mask === undefined) return;
  const thrown = catchError(() => env.actionSpace.sample(new Rng(0), mask));
  if (thrown) {
    report.problem(
      `${where} returned an info.actionMask that actionSpace.sample cannot use (${errorText(thrown)}): ${describeValue(mask)}.`,
    );
  }
}

function checkStepResult(
  env: AnyEnv,
  r: StepResult<unknown>,
  where: string,
  report: Report,
): boolean {
  if (typeof r !== 'object' || r === null) {
    report.problem(
      `${where} must return { observation, reward, terminated, truncated, info }; received ${describeValue(r)}.`,
    );
    return false;
  }
  checkObservation(env, r.observation, where, report);
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) {
    report.problem(
      `${where} returned a reward that is not a finite number: ${describeValue(r.reward)}.`,
    );
  }
  for (const flag of ['terminated', 'truncated'] as const) {
    if (typeof r[flag] !== 'boolean') {
      report.problem(
        `${where} returned ${flag} = ${describeValue(r[flag])}; it must be a boolean (true or false).`,
      );
    }
  }
  checkInfo(env, r.info, where, report);

  return true;
}

/** One step of a checked trajectory, in canonical (comparable) form. */
interface TrajectoryStep {
  transition: string;
  info: string;
}

interface TrajectoryArgs {
  seed: number;
  steps: number;
  report: Report;
}

function runTrajectory(env: AnyEnv, { seed, steps, report }: TrajectoryArgs): TrajectoryStep[] {
  const rng = new Rng(seed).spawn('checkEnv-actions');
  const out: TrajectoryStep[] = [];
  let reset = callReset(env, seed, report);
  let info = reset?.info;
  let previous: { object: unknown; text: string } | undefined;
  for (let t = 0; t < steps && info !== undefined; t++) {
    const where = `step ${t + 1} of the random run`;
    const action = sampleAction(env, rng, info as Info);
    if (action === NO_ACTION) break;
    let r: StepResult<unknown>;
    try {
      r = env.step(action);
    } catch (error) {
      report.problem(
        `${where}: step(${describeValue(action)}) threw ${errorText(error)}; actions were drawn from actionSpace respecting info.actionMask.`,
      );
      break;
    }
    if (!checkStepResult(env, r, where, report)) break;
    checkAliasing(previous, where, report);
    previous = { object: r.observation, text: canonical(r.observation) };
    out.push({
      transition: canonical([r.observation, r.reward, r.terminated, r.truncated]),
      info: canonical(withoutTimes(r.info)),
    });
    info = r.info;
    if (r.terminated || r.truncated) {
      checkOrderAfterEnd(env, action, report);
      reset = callReset(env, undefined, report);
      info = reset?.info;
      previous = undefined;
    }
  }
  return out;
}

const NO_ACTION = Symbol('no action');

// A mask sample cannot use was already reported by checkInfo; the run just stops there.
function sampleAction(env: AnyEnv, rng: Rng, info: Info): unknown {
  try {
    return env.actionSpace.sample(rng, info.actionMask);
  } catch {
    return NO_ACTION;
  }
}

function checkAliasing(
  previous: { object: unknown; text: string } | undefined,
  where: string,
  report: Report,
): void {
  if (previous && canonical(previous.object) !== previous.text) {
    report.warn(
      `${where} changed the observation object returned by the step before; return a new array each step so stored transitions keep their values.`,
    );
  }
}

function checkOrderAfterEnd(env: AnyEnv, action: unknown, report: Report): void {
  if (env.spec === undefined || findWrapper(env, OrderEnforcing) === undefined) return;
  const thrown = catchError(() => env.step(action));
  if (!(thrown instanceof ResetNeededError)) {
    report.problem(
      `step() after the episode ended must throw ResetNeededError; ${thrown ? `it threw ${errorText(thrown)}` : 'it returned normally'}.`,
    );
  }
}

function compareTrajectories(a: TrajectoryStep[], b: TrajectoryStep[], report: Report): void {
  const n = Math.min(a.length, b.length);
  let infoWarned = false;
  for (let t = 0; t < n; t++) {
    if (a[t].transition !== b[t].transition) {
      report.problem(
        `the same seed gave different trajectories: at step ${t + 1}, [observation, reward, terminated, truncated] was ${a[t].transition} in the first run and ${b[t].transition} in the second. Draw every random number from this.rng, seeded in reset().`,
      );
      return;
    }
    if (a[t].info !== b[t].info && !infoWarned) {
      infoWarned = true;
      report.warn(
        `the same seed gave different infos at step ${t + 1}: ${a[t].info} then ${b[t].info}.`,
      );
    }
  }
  if (a.length !== b.length) {
    report.problem(
      `the same seed gave trajectories of different lengths (${a.length} and ${b.length} steps).`,
    );
  }
}

function checkRender(env: AnyEnv, report: Report): void {
  let frame: unknown;
  try {
    frame = env.render();
  } catch (error) {
    report.problem(`render() threw ${errorText(error)}.`);
    return;
  }
  if (
    typeof frame !== 'object' ||
    frame === null ||
    typeof (frame as { family?: unknown }).family !== 'string'
  ) {
    report.problem(
      `render() must return an object with a string 'family'; received ${describeValue(frame)}.`,
    );
    return;
  }
  const bad = findUnserialisable(frame, 'frame');
  if (bad)
    report.problem(
      `render() returned a frame that JSON cannot carry: ${bad}. Use plain numbers, strings, booleans, arrays and objects.`,
    );
  const family = (frame as { family: string }).family;
  if (family !== env.metadata.family) {
    report.warn(`render().family is '${family}' but metadata.family is '${env.metadata.family}'.`);
  }
}

/** The path and kind of the first value in `value` that does not survive a JSON round trip. */
function findUnserialisable(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (typeof value !== 'object') return `${path} is a ${typeof value}`;
  if (ArrayBuffer.isView(value)) return `${path} is a ${value.constructor.name}; use a plain array`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findUnserialisable(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    return `${path} is a ${proto.constructor?.name ?? 'class instance'}`;
  for (const [k, v] of Object.entries(value)) {
    const bad = findUnserialisable(v, `${path}.${k}`);
    if (bad) return bad;
  }
  return undefined;
}

// Wall-clock durations (RecordEpisodeStatistics' timeSeconds) legitimately differ between runs.
function withoutTimes(info: Info): unknown {
  const episode = info?.episode as Record<string, unknown> | undefined;
  if (typeof episode !== 'object' || episode === null || !('timeSeconds' in episode)) return info;
  const { timeSeconds: _t, ...rest } = episode;
  return { ...info, episode: rest };
}

/** A string equal for equal values, typed arrays and NaN included (JSON alone loses both). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return `#${v}`;
    if (ArrayBuffer.isView(v)) {
      const values = Array.from(v as unknown as ArrayLike<number>, (x) =>
        Number.isFinite(x) ? x : `#${x}`,
      );
      return { [v.constructor.name]: values };
    }
    return v;
  });
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error ?? new Error(String(error));
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
}
