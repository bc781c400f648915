// `tsgym train` and `tsgym eval`.
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import {
  InvalidConfigError,
  RunWriter,
  evaluate,
  loadCheckpoint,
  make,
  readJsonFile,
  train,
  validateRunName,
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
}

/** Progress reporting: a bar on a terminal, otherwise a line every N episodes. */
function progressReporter(flags: TrainFlags, total: number, unit: 'steps' | 'episodes') {
  const t0 = performance.now();
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
      if ((end.episode + 1) % flags.printEvery !== 0) return;
      const sps = end.step / ((performance.now() - t0) / 1000);
      console.log(
        `episode ${end.episode + 1}  steps ${end.step}  mean return ${end.meanReturn.toFixed(3)}` +
          `  length ${end.episodeLength}  steps/s ${Math.round(sps)}`,
      );
    },
    stop: () => {},
  };
}

async function runTrain(flags: TrainFlags): Promise<void> {
  if (flags.steps === undefined && flags.episodes === undefined) flags.steps = 100_000;
  const runName = flags.run ?? `${flags.env}-${flags.agent}-seed${flags.seed}`;
  validateRunName(runName);
  const runDir = path.join(flags.runsDir, runName);
  const makeOpts = { maxEpisodeSteps: flags.maxEpisodeSteps };
  const env = make(flags.env, flags.envKwargs, makeOpts);
  const evalEnv = make(flags.env, flags.envKwargs, makeOpts);
  const agent = createAgent(flags.agent, env, flags.agentConfig, flags.seed);
  const checkpoint = flags.resume ? loadCheckpoint(flags.resume) : undefined;
  console.log(
    'tsgym train',
    JSON.stringify({ ...flags, run: runName, resumeStep: checkpoint?.step }),
  );
  const run = new RunWriter(
    runDir,
    {
      name: runName,
      kind: 'rl',
      envId: flags.env,
      envKwargs: flags.envKwargs,
      family: env.metadata.family,
      agent: { name: agent.name, config: agent.config() },
      seed: flags.seed,
      config: { agentName: flags.agent, ...flags },
    },
    checkpoint ? { afterStep: checkpoint.step } : undefined,
  );
  const unit = flags.steps !== undefined ? 'steps' : 'episodes';
  const progress = progressReporter(flags, (flags.steps ?? flags.episodes)!, unit);
  const result = train({
    env,
    agent,
    seed: flags.seed,
    totalSteps: flags.steps,
    totalEpisodes: flags.episodes,
    run,
    logEveryEpisodes: flags.logEvery,
    recordEveryEpisodes: flags.recordEvery,
    evalEnv,
    evalEveryEpisodes: flags.evalEvery,
    evalEpisodes: flags.evalEpisodes,
    recordEval: flags.evalEvery > 0,
    checkpointEveryEpisodes: flags.checkpointEvery,
    resumeFrom: checkpoint?.state,
    checkpointAtEnd: true,
    callbacks: { onEpisodeEnd: (end) => progress.update(end) },
  });
  progress.stop();
  const final = evaluate(evalEnv, agent, {
    episodes: flags.evalEpisodes,
    seed: flags.seed + 1_000_000,
    run,
    recordIndex: result.episodes,
  });
  run.close();
  console.log(
    `done: ${result.steps} steps, ${result.episodes} episodes, mean return (last 100) ` +
      `${result.meanReturn.toFixed(3)}, greedy eval return ${final.meanReturn.toFixed(3)} over ` +
      `${flags.evalEpisodes} episodes, ${Math.round(result.stepsPerSecond)} steps/s -> ${runDir}`,
  );
}

/** `tsgym train`: trains an agent on an env and writes a run folder. */
export function trainCommand(): Command {
  return new Command('train')
    .description('train an agent on an environment and write runs/<name>/')
    .requiredOption('--env <id>', 'registered env id (see `tsgym list`)')
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
      'env steps budget (default 100000 when no budget is given)',
      positiveInt('--steps'),
    )
    .option('--episodes <n>', 'episode budget', positiveInt('--episodes'))
    .option('--seed <n>', 'run seed', seedArg, 0)
    .option('--run <name>', 'run folder name (default <env>-<agent>-seed<seed>)')
    .option('--runs-dir <dir>', 'folder holding run folders', 'runs')
    .option('--record-every <n>', 'record every n-th training episode (0 = none)', Number, 0)
    .option('--eval-every <n>', 'evaluate greedily every n episodes (0 = never)', Number, 0)
    .option('--eval-episodes <n>', 'episodes per evaluation', positiveInt('--eval-episodes'), 10)
    .option(
      '--checkpoint-every <n>',
      'checkpoint every n episodes (0 = only at the end)',
      Number,
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
    .option('--resume <path>', 'continue from a run folder or checkpoint file')
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
