// `tsgym train` and `tsgym eval`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import {
  InvalidConfigError,
  Rng,
  RunWriter,
  evaluate,
  loadCheckpoint,
  make,
  readJsonFile,
  train,
  validateRunName,
  type Agent,
  type Env,
  type EpisodeEnd,
  type RunInfo,
} from '../index';
import { AGENTS, createAgent } from './agents';

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} must be a positive integer; received '${value}'.`);
    }
    return n;
  };
}

function count(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(
        `${flag} must be 0 or a positive integer; received '${value}'.`,
      );
    }
    return n;
  };
}

function seedArg(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(`--seed must be a non-negative integer; received '${value}'.`);
  }
  return n;
}

function jsonObject(flag: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError(`${flag} must be a JSON object, e.g. '{"alpha":0.1}'.`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidArgumentError(`${flag} must be a JSON object; received ${value}.`);
    }
    return parsed as Record<string, unknown>;
  };
}

interface TrainFlags {
  env: string;
  envKwargs: Record<string, unknown>;
  agent: string;
  agentConfig: Record<string, unknown>;
  steps?: number;
  episodes?: number;
  seed: number;
  run?: string;
  runsDir: string;
  recordEvery: number;
  evalEvery: number;
  evalEpisodes: number;
  checkpointEvery: number;
  logEvery: number;
  printEvery: number;
  maxEpisodeSteps?: number;
  resume?: string;
  progress: boolean;
  overwrite: boolean;
}

/** Progress reporting: a bar on a terminal, otherwise a line every N episodes. */
function progressReporter(flags: TrainFlags, total: number, unit: 'steps' | 'episodes') {
  const t0 = performance.now();
  let firstStep: number | undefined;
  if (flags.progress && process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: ' {bar} {percentage}% | {value}/{total} ' + unit + ' | mean return {mean}' },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { mean: '-' });
    return {
      update: (end: EpisodeEnd) =>
        bar.update(unit === 'steps' ? end.step : end.episode + 1, {
          mean: end.meanReturn.toFixed(3),
        }),
      stop: () => bar.stop(),
    };
  }
  return {
    update: (end: EpisodeEnd) => {
      // Steps taken before a resume do not count towards this process's speed.
      firstStep ??= end.step - end.episodeLength;
      if ((end.episode + 1) % flags.printEvery !== 0) return;
      const sps = (end.step - firstStep) / ((performance.now() - t0) / 1000);
      console.log(
        `episode ${end.episode + 1}  steps ${end.step}  mean return ${end.meanReturn.toFixed(3)}` +
          `  length ${end.episodeLength}  steps/s ${Math.round(sps)}`,
      );
    },
    stop: () => {},
  };
}

/**
 * With `--resume <run-dir>`, the flags saved in that run's run.json are the defaults; flags
 * given on the command line (typically a larger budget) override them.
 */
function resolveResume(flags: TrainFlags, command: Command) {
  if (!flags.resume) return { flags, checkpoint: undefined, runDir: undefined };
  const checkpoint = loadCheckpoint(flags.resume);
  const runDir = fs.statSync(flags.resume).isDirectory()
    ? flags.resume
    : path.dirname(path.dirname(flags.resume));
  const info = readJsonFile<RunInfo>(path.join(runDir, 'run.json'), 'run.json');
  const saved = (info.config ?? {}) as Partial<TrainFlags>;
  const merged = { ...flags } as Record<string, unknown>;
  for (const [key, value] of Object.entries(saved)) {
    if (key === 'resume' || command.getOptionValueSource(key) === 'cli') continue;
    merged[key] = value;
  }
  const resolved = merged as unknown as TrainFlags;
  const budgetStep = resolved.steps;
  if (budgetStep !== undefined && budgetStep <= checkpoint.step) {
    throw new InvalidConfigError(
      `--steps ${budgetStep} is not beyond the checkpoint, which is at step ${checkpoint.step}; ` +
        `pass a larger budget, e.g. --steps ${checkpoint.step * 2}.`,
    );
  }
  return { flags: resolved, checkpoint, runDir };
}

function prepareRunDir(runDir: string, resuming: boolean, overwrite: boolean): void {
  if (resuming || !fs.existsSync(path.join(runDir, 'run.json'))) return;
  if (!overwrite) {
    throw new InvalidConfigError(
      `run folder ${runDir} already holds a run. Pass --resume ${runDir} to continue it, ` +
        '--run <another name> to keep both, or --overwrite to replace it.',
    );
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

async function runTrain(cliFlags: TrainFlags, command: Command): Promise<void> {
  if (!cliFlags.env && !cliFlags.resume) {
    throw new InvalidConfigError('--env <id> is required (or --resume <run-dir>); see tsgym list.');
  }
  const { flags, checkpoint, runDir: resumeDir } = resolveResume(cliFlags, command);
  if (flags.steps === undefined && flags.episodes === undefined) flags.steps = 100_000;
  const runName = flags.run ?? `${flags.env}-${flags.agent}-seed${flags.seed}`;
  validateRunName(runName);
  const runDir = resumeDir ?? path.join(flags.runsDir, runName);
  const makeOpts = { maxEpisodeSteps: flags.maxEpisodeSteps };
  const env = make(flags.env, flags.envKwargs, makeOpts);
  const evalEnv = make(flags.env, flags.envKwargs, makeOpts);
  const agent = createAgent(flags.agent, env, flags.agentConfig, flags.seed);
  prepareRunDir(runDir, checkpoint !== undefined, flags.overwrite);
  const { resume: _resume, overwrite: _overwrite, ...saved } = flags;
  console.log('tsgym train', JSON.stringify({ ...flags, resumeStep: checkpoint?.step }));
  const run = new RunWriter(
    runDir,
    {
      name: path.basename(runDir),
      kind: 'rl',
      envId: flags.env,
      envKwargs: flags.envKwargs,
      family: env.metadata.family,
      agent: { name: agent.name, config: agent.config() },
      seed: flags.seed,
      config: { agentName: flags.agent, ...saved },
    },
    checkpoint ? { afterStep: checkpoint.step } : undefined,
  );
  try {
    trainAndReport(flags, { env, evalEnv, agent, run, runDir, resumeFrom: checkpoint?.state });
  } catch (error) {
    run.close('stopped');
    throw error;
  }
}

function trainAndReport(
  flags: TrainFlags,
  p: {
    env: Env<unknown, unknown>;
    evalEnv: Env<unknown, unknown>;
    agent: Agent<unknown, unknown>;
    run: RunWriter;
    runDir: string;
    resumeFrom: unknown;
  },
): void {
  const unit = flags.steps !== undefined ? 'steps' : 'episodes';
  const progress = progressReporter(flags, (flags.steps ?? flags.episodes)!, unit);
  const result = train({
    env: p.env,
    agent: p.agent,
    seed: flags.seed,
    totalSteps: flags.steps,
    totalEpisodes: flags.episodes,
    run: p.run,
    logEveryEpisodes: flags.logEvery,
    recordEveryEpisodes: flags.recordEvery,
    evalEnv: p.evalEnv,
    evalEveryEpisodes: flags.evalEvery,
    evalEpisodes: flags.evalEpisodes,
    recordEval: flags.evalEvery > 0,
    checkpointEveryEpisodes: flags.checkpointEvery,
    resumeFrom: p.resumeFrom,
    checkpointAtEnd: true,
    callbacks: { onEpisodeEnd: (end) => progress.update(end) },
  });
  progress.stop();
  console.log(
    `done: ${result.steps} steps, ${result.episodes} episodes, mean return (last 100) ` +
      `${result.meanReturn.toFixed(3)}, ${Math.round(result.stepsPerSecond)} steps/s -> ${p.runDir}`,
  );
  if (p.env.metadata.family === 'bandit') {
    console.log(
      'no greedy evaluation: bandit envs draw new arm means at every reset, so a greedy ' +
        'policy learned on one bandit says nothing about another.',
    );
  } else {
    const final = evaluate(p.evalEnv, p.agent, {
      episodes: flags.evalEpisodes,
      seed: new Rng(flags.seed).spawn('final-eval').int(2 ** 31 - 1),
      run: p.run,
      recordIndex: result.episodes,
    });
    console.log(
      `final greedy evaluation: mean return ${final.meanReturn.toFixed(3)} over ` +
        `${flags.evalEpisodes} episodes (recorded as eval-${String(result.episodes).padStart(6, '0')}.jsonl)`,
    );
  }
  p.run.close();
}

/** `tsgym train`: trains an agent on an env and writes a run folder. */
export function trainCommand(): Command {
  return new Command('train')
    .description('train an agent on an environment and write runs/<name>/')
    .option('--env <id>', 'registered env id (see `tsgym list`); required unless --resume')
    .option('--env-kwargs <json>', 'env options as a JSON object', jsonObject('--env-kwargs'), {})
    .addOption(
      new Option('--agent <name>', 'agent').choices(Object.keys(AGENTS)).default('q-learning'),
    )
    .option(
      '--agent-config <json>',
      'agent hyper-parameters as JSON',
      jsonObject('--agent-config'),
      {},
    )
    .option(
      '--steps <n>',
      'env steps budget (default 100000 when no budget is given; with --episodes, whichever ends first)',
      positiveInt('--steps'),
    )
    .option('--episodes <n>', 'episode budget', positiveInt('--episodes'))
    .option('--seed <n>', 'run seed', seedArg, 0)
    .option('--run <name>', 'run folder name (default <env>-<agent>-seed<seed>)')
    .option('--runs-dir <dir>', 'folder holding run folders', 'runs')
    .option('--overwrite', 'replace an existing run folder of the same name', false)
    .option(
      '--record-every <n>',
      'record every n-th training episode (0 = none)',
      count('--record-every'),
      0,
    )
    .option(
      '--eval-every <n>',
      'also evaluate greedily every n episodes (0 = only at the end)',
      count('--eval-every'),
      0,
    )
    .option('--eval-episodes <n>', 'episodes per evaluation', positiveInt('--eval-episodes'), 10)
    .option(
      '--checkpoint-every <n>',
      'checkpoint every n episodes (0 = only at the end)',
      count('--checkpoint-every'),
      0,
    )
    .option('--log-every <n>', 'episodes per metrics line', positiveInt('--log-every'), 1)
    .option(
      '--print-every <n>',
      'episodes per printed line without a terminal',
      positiveInt('--print-every'),
      100,
    )
    .option(
      '--max-episode-steps <n>',
      'override the time limit',
      positiveInt('--max-episode-steps'),
    )
    .option('--resume <run-dir>', 'continue a run from its latest checkpoint, with its saved flags')
    .option('--no-progress', 'print lines instead of a progress bar')
    .action(runTrain);
}

async function runEval(runDir: string, flags: { episodes: number; seed: number }): Promise<void> {
  const info = readJsonFile<RunInfo>(path.join(runDir, 'run.json'), 'run.json');
  if (info.kind !== 'rl' || !info.envId || typeof info.config?.agentName !== 'string') {
    throw new InvalidConfigError(
      `${runDir} was not written by 'tsgym train' (kind ${info.kind}, env ${info.envId}); ` +
        "eval rebuilds the agent from the run.json of 'tsgym train' runs only.",
    );
  }
  const config = info.config as {
    agentName: string;
    agentConfig: Record<string, unknown>;
    maxEpisodeSteps?: number;
  };
  const env = make(info.envId, info.envKwargs ?? {}, { maxEpisodeSteps: config.maxEpisodeSteps });
  const agent = createAgent(config.agentName, env, config.agentConfig, info.seed ?? 0);
  const { state } = loadCheckpoint(runDir);
  agent.setState((state as { agent: unknown }).agent);
  const result = evaluate(env, agent, { episodes: flags.episodes, seed: flags.seed });
  console.log(
    `${info.name}: ${info.envId}, ${agent.name}, greedy, ${flags.episodes} episodes from seed ` +
      `${flags.seed}: mean return ${result.meanReturn.toFixed(4)}, mean length ` +
      `${result.meanLength.toFixed(1)}`,
  );
}

/** `tsgym eval`: evaluates the agent of a run folder's latest checkpoint greedily. */
export function evalCommand(): Command {
  return new Command('eval')
    .description("evaluate a run's latest checkpoint greedily")
    .argument('<run-dir>', 'a run folder, e.g. runs/FrozenLake-v1-q-learning-seed0')
    .option('--episodes <n>', 'evaluation episodes', positiveInt('--episodes'), 100)
    .option('--seed <n>', 'seed of the first evaluation episode', seedArg, 123456)
    .action(runEval);
}
