import type { Agent, ActResult, Experience } from './agent';
import type { Env, Info } from './env';
import { InvalidConfigError, describeValue } from './errors';
import { EpisodeWriter, kwargsToJSON, type EpisodeHeader, type RecordedAgent } from './recording';
import { Rng, validateSeed, type RngState } from './rng';
import { episodeFileName, type RunWriter } from './runs';
import { TSGYM_VERSION } from './version';
import { Wrapper } from './wrappers';

/** Statistics of one finished training episode, passed to `onEpisodeEnd`. */
export interface EpisodeEnd {
  /** Index of the episode in the run, from 0. */
  episode: number;
  /** Env steps taken in the run so far. */
  step: number;
  /** Undiscounted sum of rewards. */
  episodeReturn: number;
  /** Steps in the episode. */
  episodeLength: number;
  /** True when the episode ended by termination, false when truncated or cut by the budget. */
  terminated: boolean;
  /** Mean return of the last `windowSize` episodes (including this one). */
  meanReturn: number;
}

/** Result of {@link evaluate}. */
export interface EvalResult {
  /** Return of each evaluation episode. */
  returns: number[];
  /** Length of each evaluation episode. */
  lengths: number[];
  /** Mean return. */
  meanReturn: number;
  /** Mean length. */
  meanLength: number;
}

/** What `onStep` receives; one object reused for every step (copy what you keep). */
export interface StepEvent {
  /** Env steps taken in the run so far, this one included. */
  step: number;
  /** Index of the running episode. */
  episode: number;
  /** Reward of this step. */
  reward: number;
  /** The step reached a terminal state. */
  terminated: boolean;
  /** The step was cut by the time limit. */
  truncated: boolean;
}

/**
 * Hooks the loop calls. `'stop'` from any of them ends training: from `onStep` at once (the
 * episode is cut there, like a step budget), from the others after the current episode.
 */
export interface TrainCallbacks {
  /** After every training step (after `learn`). */
  onStep?(event: StepEvent): void | 'stop';
  /** After every finished training episode. */
  onEpisodeEnd?(end: EpisodeEnd): void | 'stop';
  /** After every periodic evaluation. */
  onEval?(result: EvalResult, step: number): void | 'stop';
  /** After a checkpoint file is written. */
  onCheckpoint?(file: string, step: number): void;
}

/** Options of {@link train}. Budgets: at least one of `totalSteps` or `totalEpisodes`. */
export interface TrainOptions<Obs, Act> {
  /** The env, usually from `make` (with its time limit). */
  env: Env<Obs, Act>;
  /** The learner. */
  agent: Agent<Obs, Act>;
  /** Run seed: the first episode is reset with it; later episodes continue its stream. */
  seed: number;
  /** Stop after this many env steps (the running episode is cut there). */
  totalSteps?: number;
  /** Stop after this many episodes. */
  totalEpisodes?: number;
  /** Where metrics, episodes and checkpoints go; nothing is written when omitted. */
  run?: RunWriter;
  /** Write one metrics line per this many episodes (means over them). @defaultValue 1 */
  logEveryEpisodes?: number;
  /** Record every N-th training episode to `episodes/` (0 = none). @defaultValue 0 */
  recordEveryEpisodes?: number;
  /** Env for periodic evaluation (a separate instance, e.g. another `make`). */
  evalEnv?: Env<Obs, Act>;
  /** Evaluate every N training episodes (0 = never). @defaultValue 0 */
  evalEveryEpisodes?: number;
  /** Episodes per evaluation. @defaultValue 10 */
  evalEpisodes?: number;
  /** Record the first episode of every evaluation to `episodes/`. @defaultValue false */
  recordEval?: boolean;
  /** Checkpoint every N episodes (0 = never); needs `run`. @defaultValue 0 */
  checkpointEveryEpisodes?: number;
  /** Also checkpoint when training ends; needs `run`. @defaultValue false */
  checkpointAtEnd?: boolean;
  /** Continue from a checkpoint's `state` (from `loadCheckpoint`). */
  resumeFrom?: unknown;
  /** Episodes in the moving window of `meanReturn`. @defaultValue 100 */
  windowSize?: number;
  /** Hooks. */
  callbacks?: TrainCallbacks;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Env steps taken in the run (including steps before a resume). */
  steps: number;
  /** Episodes finished. */
  episodes: number;
  /** Mean return over the last `windowSize` episodes. */
  meanReturn: number;
  /** Wall time of this call in seconds. */
  elapsedSeconds: number;
  /** Env steps per second in this call. */
  stepsPerSecond: number;
  /** Why training ended. */
  stoppedBy: 'totalSteps' | 'totalEpisodes' | 'callback';
}

/** Loop state saved in checkpoints; everything needed to continue bit for bit. */
interface LoopState {
  step: number;
  episode: number;
  agent: unknown;
  envRng: RngState | null;
  evalRound: number;
  window: { values: number[]; sum: number };
  pending: Pending;
  /** `getState()` of every wrapper that has one (e.g. NormalizeReward), outermost first. */
  wrappers?: unknown[];
}

interface StatefulWrapper {
  getState(): unknown;
  setState(state: unknown): void;
}

/** The wrappers around `env` that carry learned state (running statistics), outermost first. */
function statefulWrappers(env: Env<unknown, unknown>): StatefulWrapper[] {
  const out: StatefulWrapper[] = [];
  for (let e: Env<unknown, unknown> = env; e instanceof Wrapper; e = e.env) {
    const w = e as unknown as Partial<StatefulWrapper>;
    if (typeof w.getState === 'function' && typeof w.setState === 'function') {
      out.push(w as StatefulWrapper);
    }
  }
  return out;
}

/**
 * The last `capacity` episode returns in a ring buffer with a running sum, so the moving mean
 * costs O(1) per episode. The sum is saved in checkpoints as is, so a resumed run computes
 * bit-identical means.
 */
class ReturnWindow {
  private readonly buf: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;

  constructor(private readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.count === this.capacity) this.sum -= this.buf[this.next];
    else this.count++;
    this.buf[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.capacity;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  toJSON(): { values: number[]; sum: number } {
    const values: number[] = [];
    const start = this.count === this.capacity ? this.next : 0;
    for (let i = 0; i < this.count; i++) values.push(this.buf[(start + i) % this.capacity]);
    return { values, sum: this.sum };
  }

  static fromJSON(capacity: number, saved: { values: number[]; sum: number }): ReturnWindow {
    const w = new ReturnWindow(capacity);
    for (const v of saved.values.slice(-capacity)) w.push(v);
    // The saved sum is kept for bit-identical means, but only when it covers the same values: a
    // run resumed with a smaller window keeps fewer, and their own sum is the right one.
    if (saved.values.length <= capacity) w.sum = saved.sum;
    return w;
  }
}

/** Sums since the last metrics line. */
interface Pending {
  episodes: number;
  returnSum: number;
  lengthSum: number;
  lossSum: number;
  lossCount: number;
}

const emptyPending = (): Pending => ({
  episodes: 0,
  returnSum: 0,
  lengthSum: 0,
  lossSum: 0,
  lossCount: 0,
});

function checkBudget(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw new InvalidConfigError(
      `${name} must be a positive integer; received ${describeValue(value)}.`,
    );
  }
}

/**
 * Trains `agent` on `env`: act, step, learn, until a budget or a callback stops it. Writes
 * metrics, recorded episodes and checkpoints to `run` when given. A run resumed from a
 * checkpoint continues exactly as if never stopped (same actions, same metrics), because
 * checkpoints are taken between episodes and hold the agent's and the env's generator states.
 *
 * @throws InvalidConfigError when no budget is given or a count is not a positive integer.
 * @example
 * ```ts
 * const env = make<number, number>('FrozenLake-v1');
 * const agent = new QLearning({ nStates: 16, nActions: 4, rng: new Rng(0).spawn('agent') });
 * const result = train({ env, agent, seed: 0, totalSteps: 100_000 });
 * ```
 */
export function train<Obs, Act>(options: TrainOptions<Obs, Act>): TrainResult {
  const o = withDefaults(options);
  describeRun(o);
  const loop = new TrainingLoop(o);
  return loop.run();
}

/** Fills in what run.json says about the env, the agent and the seed, where not set yet. */
function describeRun<Obs, Act>(o: TrainOptions<Obs, Act>): void {
  if (!o.run) return;
  const spec = o.env.spec;
  const now = o.run.runInfo;
  o.run.update({
    envId: now.envId ?? spec?.id,
    envKwargs: now.envKwargs ?? spec?.kwargs,
    family: now.family ?? o.env.metadata.family,
    agent: now.agent ?? { name: o.agent.name, config: o.agent.config() },
    seed: now.seed ?? o.seed,
  });
}

type Resolved<Obs, Act> = Required<
  Omit<TrainOptions<Obs, Act>, 'run' | 'evalEnv' | 'resumeFrom' | 'totalSteps' | 'totalEpisodes'>
> &
  Pick<TrainOptions<Obs, Act>, 'run' | 'evalEnv' | 'resumeFrom' | 'totalSteps' | 'totalEpisodes'>;

function withDefaults<Obs, Act>(options: TrainOptions<Obs, Act>): Resolved<Obs, Act> {
  validateSeed(options.seed, 'train seed');
  if (options.totalSteps === undefined && options.totalEpisodes === undefined) {
    throw new InvalidConfigError(
      'train needs a budget: set totalSteps or totalEpisodes (or both), e.g. totalSteps: 100000.',
    );
  }
  checkBudget(options.totalSteps, 'totalSteps');
  checkBudget(options.totalEpisodes, 'totalEpisodes');
  checkBudget(options.windowSize, 'windowSize');
  checkBudget(options.logEveryEpisodes, 'logEveryEpisodes');
  checkBudget(options.evalEpisodes, 'evalEpisodes');
  for (const name of [
    'recordEveryEpisodes',
    'evalEveryEpisodes',
    'checkpointEveryEpisodes',
  ] as const) {
    // 0 means never; a fraction or a negative count would silently never (or always) fire.
    const value = options[name];
    if (value !== undefined && value !== 0) checkBudget(value, `${name} (0 for never)`);
  }
  return {
    logEveryEpisodes: 1,
    recordEveryEpisodes: 0,
    evalEveryEpisodes: 0,
    evalEpisodes: 10,
    recordEval: false,
    checkpointEveryEpisodes: 0,
    checkpointAtEnd: false,
    windowSize: 100,
    callbacks: {},
    ...options,
  };
}

class TrainingLoop<Obs, Act> {
  private state: LoopState;
  private window: ReturnWindow;
  private readonly startMs = performance.now();
  private lastLogMs = performance.now();
  private lastLogStep = 0;
  private readonly startStep: number;
  private readonly evalSeed: number;
  private readonly experience: Experience<Obs, Act>;
  private stopRequested = false;

  constructor(private readonly o: Resolved<Obs, Act>) {
    this.state = {
      step: 0,
      episode: 0,
      agent: null,
      envRng: null,
      evalRound: 0,
      window: { values: [], sum: 0 },
      pending: emptyPending(),
    };
    this.window = new ReturnWindow(o.windowSize);
    if (o.resumeFrom !== undefined) this.restore(o.resumeFrom as LoopState);
    this.startStep = this.state.step;
    this.lastLogStep = this.state.step;
    this.evalSeed = new Rng(o.seed).spawn('eval').int(2 ** 31 - 1);
    this.experience = {} as Experience<Obs, Act>;
  }

  run(): TrainResult {
    // A run resumed at or past its budget plays nothing more (not one extra episode).
    let stoppedBy: TrainResult['stoppedBy'] | undefined = this.budgetReached();
    while (!stoppedBy) {
      const end = this.runEpisode();
      stoppedBy = this.afterEpisode(end);
    }
    if (this.o.run && this.o.checkpointAtEnd) this.checkpoint();
    this.o.run?.update({ status: 'finished' });
    const elapsedSeconds = (performance.now() - this.startMs) / 1000;
    const steps = this.state.step - this.startStep;
    return {
      steps: this.state.step,
      episodes: this.state.episode,
      meanReturn: this.window.mean(),
      elapsedSeconds,
      stepsPerSecond: steps / Math.max(elapsedSeconds, 1e-9),
      stoppedBy,
    };
  }

  private restore(saved: LoopState): void {
    if (typeof saved !== 'object' || saved === null || typeof saved.step !== 'number') {
      throw new InvalidConfigError(
        `resumeFrom must be the state of a tsgym checkpoint; received ${describeValue(saved)}.`,
      );
    }
    this.state = structuredClone(saved);
    this.window = ReturnWindow.fromJSON(this.o.windowSize, saved.window);
    this.o.agent.setState(saved.agent);
    if (saved.envRng) this.o.env.setRngState(saved.envRng);
    const wrappers = statefulWrappers(this.o.env as Env<unknown, unknown>);
    if (saved.wrappers && saved.wrappers.length !== wrappers.length) {
      throw new InvalidConfigError(
        `resumeFrom holds the state of ${saved.wrappers.length} stateful wrappers (such as ` +
          `NormalizeReward) but the env has ${wrappers.length}; wrap the env as in the saved run.`,
      );
    }
    saved.wrappers?.forEach((state, i) => wrappers[i].setState(state));
  }

  private resetEnv(env: Env<Obs, Act>, seed: number | undefined) {
    return env.reset(seed === undefined ? {} : { seed });
  }

  /** One training episode; returns its statistics. */
  private runEpisode(): EpisodeEnd {
    const { env, agent, totalSteps } = this.o;
    const recorder = this.maybeRecorder('episode', this.state.episode, env);
    const seed = this.state.episode === 0 ? this.o.seed : undefined;
    let { observation, info } = this.resetEnv(env, seed);
    recorder?.start(observation, info, seed);
    const exp = this.experience;
    const budget = totalSteps ?? Infinity;
    let episodeReturn = 0;
    let length = 0;
    let terminated = false;
    const p = this.state.pending;
    const onStep = this.o.callbacks.onStep;
    const event: StepEvent = {
      step: 0,
      episode: this.state.episode,
      reward: 0,
      terminated: false,
      truncated: false,
    };
    try {
      for (;;) {
        const act = agent.act(observation, info, true);
        const r = env.step(act.action);
        recorder?.step(act, r);
        exp.observation = observation;
        exp.info = info;
        exp.action = act.action;
        exp.reward = r.reward;
        exp.nextObservation = r.observation;
        exp.nextInfo = r.info;
        exp.terminated = r.terminated;
        // A step budget that ends the run cuts the episode from outside: the learner must see it
        // as truncated, or it carries the cut episode into the next one (e.g. REINFORCE's batch).
        exp.truncated = r.truncated || this.state.step + 1 >= budget;
        const learned = agent.learn(exp);
        if (learned && learned.loss !== undefined) {
          p.lossSum += learned.loss;
          p.lossCount++;
        }
        episodeReturn += r.reward;
        length++;
        this.state.step++;
        observation = r.observation;
        info = r.info;
        terminated = r.terminated;
        if (onStep) {
          event.step = this.state.step;
          event.reward = r.reward;
          event.terminated = terminated;
          event.truncated = r.truncated;
          if (onStep(event) === 'stop') this.stopRequested = true;
        }
        if (r.terminated || r.truncated || this.state.step >= budget || this.stopRequested) break;
      }
    } catch (error) {
      // A throwing agent or env must not leave a half-written episode and an open file.
      recorder?.abort();
      throw error;
    }
    recorder?.close();
    return this.finishEpisode(episodeReturn, length, terminated);
  }

  private finishEpisode(episodeReturn: number, length: number, terminated: boolean): EpisodeEnd {
    const s = this.state;
    this.o.agent.endEpisode?.();
    this.window.push(episodeReturn);
    s.pending.episodes++;
    s.pending.returnSum += episodeReturn;
    s.pending.lengthSum += length;
    const end: EpisodeEnd = {
      episode: s.episode,
      step: s.step,
      episodeReturn,
      episodeLength: length,
      terminated,
      meanReturn: this.window.mean(),
    };
    s.episode++;
    return end;
  }

  private afterEpisode(end: EpisodeEnd): TrainResult['stoppedBy'] | undefined {
    const o = this.o;
    const s = this.state;
    if (s.pending.episodes >= o.logEveryEpisodes) this.logTraining();
    let stop = o.callbacks.onEpisodeEnd?.(end) === 'stop' || this.stopRequested;
    if (o.evalEnv && o.evalEveryEpisodes > 0 && s.episode % o.evalEveryEpisodes === 0) {
      stop = this.runEvaluation() || stop;
    }
    if (o.run && o.checkpointEveryEpisodes > 0 && s.episode % o.checkpointEveryEpisodes === 0) {
      this.checkpoint();
    }
    if (stop) return 'callback';
    return this.budgetReached();
  }

  private budgetReached(): 'totalSteps' | 'totalEpisodes' | undefined {
    const { totalSteps, totalEpisodes } = this.o;
    if (totalSteps !== undefined && this.state.step >= totalSteps) return 'totalSteps';
    if (totalEpisodes !== undefined && this.state.episode >= totalEpisodes) return 'totalEpisodes';
    return undefined;
  }

  private logTraining(): void {
    const s = this.state;
    const p = s.pending;
    s.pending = emptyPending();
    if (!this.o.run) return;
    const now = performance.now();
    const line: Record<string, number> = {
      step: s.step,
      episode: s.episode - 1,
      time: (now - this.startMs) / 1000,
      'train/episode_return': p.returnSum / p.episodes,
      'train/episode_length': p.lengthSum / p.episodes,
      'time/steps_per_second':
        (s.step - this.lastLogStep) / Math.max((now - this.lastLogMs) / 1000, 1e-9),
    };
    if (p.lossCount > 0) line['train/loss'] = p.lossSum / p.lossCount;
    for (const [k, v] of Object.entries(this.o.agent.metrics?.() ?? {})) line[`train/${k}`] = v;
    this.lastLogMs = now;
    this.lastLogStep = s.step;
    this.o.run.logMetrics(line as never);
  }

  private runEvaluation(): boolean {
    const o = this.o;
    const s = this.state;
    const result = evaluate(o.evalEnv!, o.agent, {
      episodes: o.evalEpisodes,
      seed: this.evalSeed,
      run: o.recordEval ? o.run : undefined,
      recordIndex: o.recordEval ? s.episode : undefined,
    });
    s.evalRound++;
    o.run?.logMetrics({
      step: s.step,
      episode: s.episode - 1,
      time: (performance.now() - this.startMs) / 1000,
      'eval/episode_return': result.meanReturn,
      'eval/episode_length': result.meanLength,
    });
    return o.callbacks.onEval?.(result, s.step) === 'stop';
  }

  private checkpoint(): void {
    const s = this.state;
    s.agent = this.o.agent.getState();
    s.window = this.window.toJSON();
    s.envRng = this.o.env.getRngState() ?? null;
    s.wrappers = statefulWrappers(this.o.env as Env<unknown, unknown>).map((w) => w.getState());
    const file = this.o.run!.saveCheckpoint(s.step, s);
    s.agent = null;
    this.o.callbacks.onCheckpoint?.(file, s.step);
  }

  private maybeRecorder(kind: 'episode', index: number, env: Env<Obs, Act>) {
    const every = this.o.recordEveryEpisodes;
    if (!this.o.run || every <= 0 || index % every !== 0) return undefined;
    return new EpisodeRecorder(env, this.o.agent, this.o.run.episodePath(episodeFileName(index)), {
      episodeIndex: index,
      kind,
    });
  }
}

function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Number of episodes. @defaultValue 10 */
  episodes?: number;
  /** Episode i is reset with seed `seed + i`, so every evaluation sees the same episodes. */
  seed: number;
  /** Record the first episode into this run's `episodes/` folder. */
  run?: RunWriter;
  /** Index used in the recorded file name `eval-<index>.jsonl`. */
  recordIndex?: number;
  /** Let the agent explore instead of acting greedily. @defaultValue false */
  explore?: boolean;
}

/**
 * Runs evaluation episodes without learning. Episode i is reset with `seed + i` (common
 * random numbers: two agents evaluated with the same seed face the same episodes).
 *
 * @example
 * ```ts
 * const { meanReturn } = evaluate(make('CliffWalking-v1'), agent, { episodes: 1, seed: 0 });
 * ```
 */
export function evaluate<Obs, Act>(
  env: Env<Obs, Act>,
  agent: Agent<Obs, Act>,
  options: EvaluateOptions,
): EvalResult {
  const episodes = options.episodes ?? 10;
  checkBudget(episodes, 'episodes');
  validateSeed(options.seed, 'evaluate seed');
  // Checked up front so that a seed near 2^53 fails before any episode, not half-way through.
  validateSeed(options.seed + (episodes - 1), 'evaluate seed + episodes - 1');
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < episodes; i++) {
    const record = options.run && i === 0 && options.recordIndex !== undefined;
    const path = record
      ? options.run!.episodePath(episodeFileName(options.recordIndex!, 'eval'))
      : '';
    const recorder = record
      ? new EpisodeRecorder(env, agent, path, { episodeIndex: options.recordIndex!, kind: 'eval' })
      : undefined;
    const { episodeReturn, length } = playEpisode(env, agent, options.seed + i, {
      explore: options.explore ?? false,
      recorder,
    });
    returns.push(episodeReturn);
    lengths.push(length);
  }
  return { returns, lengths, meanReturn: mean(returns), meanLength: mean(lengths) };
}

function playEpisode<Obs, Act>(
  env: Env<Obs, Act>,
  agent: Agent<Obs, Act>,
  seed: number,
  how: { explore: boolean; recorder?: EpisodeRecorder<Obs, Act> },
): { episodeReturn: number; length: number } {
  let { observation, info } = env.reset({ seed });
  how.recorder?.start(observation, info, seed);
  let episodeReturn = 0;
  let length = 0;
  try {
    for (;;) {
      const act = agent.act(observation, info, how.explore);
      const r = env.step(act.action);
      how.recorder?.step(act, r);
      episodeReturn += r.reward;
      length++;
      observation = r.observation;
      info = r.info;
      if (r.terminated || r.truncated) break;
    }
  } catch (error) {
    how.recorder?.abort();
    throw error;
  }
  how.recorder?.close();
  return { episodeReturn, length };
}

/**
 * Records one episode as the loop plays it: header at `start`, a line per `step`, footer at
 * `close`, streamed to disk. Keeps the env's generator state from before `reset`, so episodes
 * that continue an unseeded stream replay too.
 */
export class EpisodeRecorder<Obs, Act> {
  private writer: EpisodeWriter | undefined;
  private readonly rngBefore: RngState | null;

  /**
   * @param env - the env being played; call the constructor just before `env.reset`.
   * @param agent - the agent acting, recorded in the header (or null).
   * @param filePath - where the `.jsonl` file goes.
   * @param meta - episode index and kind.
   */
  constructor(
    private readonly env: Env<Obs, Act>,
    private readonly agent: Agent<Obs, Act> | null,
    private readonly filePath: string,
    private readonly meta: { episodeIndex: number; kind: 'episode' | 'eval' },
  ) {
    this.rngBefore = env.getRngState() ?? null;
  }

  /**
   * Writes the header after `reset`.
   *
   * @param resetOptions - the `options` passed to `reset`, recorded so the replay passes them too.
   */
  start(
    observation: Obs,
    info: Info,
    seed: number | undefined,
    resetOptions?: Record<string, unknown>,
  ): void {
    const env = this.env;
    const spec = env.spec;
    // A first reset without a seed seeds the env from OS entropy; that seed, read back from
    // the env, is what the replay needs (there was no generator state before the reset).
    if (seed === undefined && this.rngBefore === null) seed = env.getRngState()?.seed;
    const agent: RecordedAgent | null = this.agent
      ? { name: this.agent.name, config: this.agent.config() }
      : null;
    const header: EpisodeHeader = {
      kind: 'header',
      format: 'tsgym-episode/1',
      envId: spec?.id ?? 'unregistered',
      envKwargs: kwargsToJSON(spec?.kwargs ?? {}) as Record<string, unknown>,
      maxEpisodeSteps: spec?.maxEpisodeSteps ?? 0,
      family: env.metadata.family,
      packageVersion: TSGYM_VERSION,
      seed: seed ?? null,
      rngState: seed === undefined ? this.rngBefore : null,
      ...(resetOptions === undefined
        ? {}
        : { resetOptions: kwargsToJSON(resetOptions, 'reset options') as Record<string, unknown> }),
      agent,
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: env.actionSpace.toJSON(),
      episodeIndex: this.meta.episodeIndex,
      observation,
      info,
      frame: env.render(),
    };
    this.writer = new EpisodeWriter(this.filePath, header);
  }

  /** Writes one step line. */
  step(
    act: ActResult<Act>,
    r: { observation: Obs; reward: number; terminated: boolean; truncated: boolean; info: Info },
  ): void {
    this.writer!.step({
      action: act.action,
      observation: r.observation,
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
      actionProb: act.actionProb,
      frame: this.env.render(),
      ...(act.logProb !== undefined ? { logProb: act.logProb } : {}),
      ...(act.qValues ? { qValues: Array.from(act.qValues) } : {}),
    });
  }

  /** Writes the footer and publishes the file. */
  close(): void {
    this.writer?.close();
  }

  /** Deletes the unfinished file without publishing it (the episode failed). */
  abort(): void {
    this.writer?.abort();
    this.writer = undefined;
  }
}
