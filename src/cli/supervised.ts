// `tsgym supervised ...`: list, run, compare and search the experiments of SEED-NOTES.md.
// TF.js is imported lazily inside the actions, so other commands never load it.
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { distance } from 'fastest-levenshtein';
import { InvalidConfigError, Rng, validateRunName } from '../index';
import { formatTable } from './format';
import type { EpochLog, RunResult } from '../../supervised/index';

type Supervised = typeof import('../../supervised/index');

async function loadSupervised(): Promise<Supervised> {
  return import('../../supervised/index');
}

/** Flags shared by run, compare and search. */
interface CommonFlags {
  samples?: string;
  epochs?: string;
  seed?: string;
  batchSize?: string;
  set?: string[];
  backend?: string;
  threads?: string;
  dataDir?: string;
  runsDir: string;
  save: boolean;
}

function addCommonFlags(command: Command): Command {
  return command
    .option('--samples <n>', 'training examples used')
    .option('--epochs <n>', 'passes over the training data')
    .option('--seed <n>', 'run seed')
    .option('--batch-size <n>', 'examples per gradient step')
    .option('--set <option=value...>', 'any experiment option, e.g. --set learningRate=0.1')
    .option('--backend <name>', 'TF.js backend: tensorflow, wasm or cpu (env TSGYM_TF_BACKEND)')
    .option(
      '--threads <n>',
      'threads of the wasm kernels (env TSGYM_TF_THREADS; default: cores, max 4)',
    )
    .option('--data-dir <dir>', 'folder of MNIST-format (or CIFAR-10) files')
    .option('--runs-dir <dir>', 'where run folders are written', 'runs')
    .option('--no-save', 'do not write run folders')
    .allowUnknownOption()
    .allowExcessArguments();
}

/** Experiment options from the flags and the free `--<option> <value>` pairs. */
export function collectOptions(
  flags: CommonFlags,
  extra: readonly string[],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of ['samples', 'epochs', 'seed', 'batchSize'] as const) {
    if (flags[key] !== undefined) options[key] = flags[key];
  }
  for (const pair of flags.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`--set ${pair}: expected <option>=<value>.`);
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  for (let i = 0; i < extra.length; i++) {
    const token = extra[i];
    if (!token.startsWith('--')) {
      throw new InvalidConfigError(
        `unexpected argument '${token}'; options are written --<option> <value>.`,
      );
    }
    const eq = token.indexOf('=');
    if (eq > 0) options[token.slice(2, eq)] = token.slice(eq + 1);
    else if (i + 1 < extra.length && !extra[i + 1].startsWith('--'))
      options[token.slice(2)] = extra[++i];
    else options[token.slice(2)] = 'true';
  }
  return options;
}

const logger = { info: (message: string) => console.error(`tsgym: ${message}`) };

function fmt(value: unknown, digits = 4): string {
  if (typeof value !== 'number') return value === undefined ? '-' : String(value);
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(digits);
}

function epochLine(log: EpochLog, total: number): string {
  const parts = [`epoch ${log.epoch}/${total}`, `loss ${fmt(log['train/loss'])}`];
  if (log['train/accuracy'] !== undefined) parts.push(`acc ${fmt(log['train/accuracy'])}`);
  if (log['val/loss'] !== undefined) parts.push(`val_loss ${fmt(log['val/loss'])}`);
  if (log['val/accuracy'] !== undefined) parts.push(`val_acc ${fmt(log['val/accuracy'])}`);
  parts.push(`${log.seconds.toFixed(1)}s`, `${fmt(log.samplesPerSecond, 3)} samples/s`);
  return parts.join('  ');
}

/** Progress reporting for one run: a bar over the batches of each epoch, a line per epoch. */
function progressCallbacks(label: string) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} epoch {epoch} [{bar}] {value}/{total} batches  loss {loss}`,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let epoch = 1;
  let active = false;
  let totalEpochs = 0;
  return {
    start: (epochs: number) => (totalEpochs = epochs),
    onBatchEnd: (batch: number, batches: number, loss: number) => {
      if (!active) {
        bar.start(batches, 0, { epoch, loss: '-' });
        active = true;
      }
      bar.update(batch, { epoch, loss: fmt(loss) });
    },
    onEpochEnd: (log: EpochLog) => {
      if (active) bar.stop();
      active = false;
      epoch = log.epoch + 1;
      // At most about 20 lines per run: regression "epochs" are single full-batch steps.
      const every = Math.max(1, Math.ceil(totalEpochs / 20));
      if (log.epoch === 1 || log.epoch % every === 0 || log.epoch === totalEpochs) {
        console.log(epochLine(log, totalEpochs));
      }
    },
    stop: () => active && bar.stop(),
  };
}

function resultRows(results: RunResult[], labels: string[]): (string | number)[][] {
  return results.map((r, i) => [
    labels[i],
    r.backend,
    fmt(r.metrics['train/loss']),
    fmt(r.metrics['val/accuracy']),
    fmt(r.metrics['test/loss']),
    fmt(r.metrics['test/accuracy']),
    r.seconds.toFixed(1),
  ]);
}

const RESULT_HEADERS = [
  'variant',
  'backend',
  'train loss',
  'val acc',
  'test loss',
  'test acc',
  'seconds',
];

function printConfig(name: string, options: Record<string, unknown>, backend: string): void {
  const text = Object.entries(options)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  console.log(`${name}: ${text} backend=${backend}`);
}

/** The command-line flags of run, compare and search, as typed (kebab-case). */
const CLI_FLAGS = [
  'samples',
  'epochs',
  'seed',
  'batch-size',
  'set',
  'backend',
  'threads',
  'data-dir',
  'runs-dir',
  'no-save',
  'name',
  'vary',
  'grid',
  'range',
  'trials',
  'metric',
];

const FLAG_LIST = CLI_FLAGS.map((f) => `--${f}`).join(', ');

/**
 * Checks --name and the free flags before anything runs: a free flag that is no option of the
 * experiment but one or two letters from a command flag (`--treads`) is a typo of that flag.
 */
async function checkFlags(name: string, flags: { name?: string }, extra: string[]) {
  if (flags.name !== undefined) validateRunName(flags.name);
  const sup = await loadSupervised();
  const experiment = sup.getComparison(name)?.experiment ?? name;
  const known = sup.getExperiment(experiment).options.map((o) => o.name.toLowerCase());
  for (const token of extra.filter((t) => t.startsWith('--'))) {
    const flag = token.slice(2).split('=')[0];
    const plain = flag.replace(/-/g, '').toLowerCase();
    const toOption = Math.min(...known.map((o) => distance(o, plain)));
    const near = CLI_FLAGS.find((f) => distance(f, flag) <= 2 && distance(f, flag) < toOption);
    // Options (and typos nearer an option) are left to the experiment's own check.
    if (near) {
      throw new InvalidConfigError(
        `unknown flag --${flag}. Did you mean --${near}? Flags: ${FLAG_LIST}; ` +
          `options of ${experiment}: see 'tsgym supervised list'.`,
      );
    }
  }
}

async function runOne(
  name: string,
  flags: CommonFlags & { name?: string },
  extra: string[],
): Promise<void> {
  await checkFlags(name, flags, extra);
  const sup = await loadSupervised();
  if (sup.getComparison(name)) {
    // A comparison writes one folder per variant: --name names them <name>-<variant>.
    await compareAndPrint(name, undefined, flags, extra);
    return;
  }
  const progress = progressCallbacks(name);
  const result = await sup.runExperiment(name, {
    options: collectOptions(flags, extra),
    backend: flags.backend,
    threads: flags.threads,
    dataDir: flags.dataDir,
    logger,
    runDir: flags.save ? path.join(flags.runsDir, flags.name ?? name) : undefined,
    onStart: ({ options, backend }) => {
      printConfig(name, options, backend);
      progress.start(options.epochs as number);
    },
    onBatchEnd: progress.onBatchEnd,
    onEpochEnd: progress.onEpochEnd,
  });
  progress.stop();
  const rows = Object.entries(result.metrics).map(([k, v]) => [k, fmt(v, 5)]);
  console.log(formatTable(['metric', 'value'], rows));
  if (result.details) console.log(`details: ${JSON.stringify(result.details)}`);
  console.log(
    `wall time ${result.seconds.toFixed(1)} s on ${result.backend}` +
      (result.threads > 1 ? ` (${result.threads} threads)` : '') +
      (result.runDir ? `; run written to ${result.runDir}` : ''),
  );
}

async function compareAndPrint(
  name: string,
  variants: Record<string, string>[] | undefined,
  flags: CommonFlags & { name?: string },
  extra: string[],
  metric?: string,
): Promise<void> {
  await checkFlags(name, flags, extra);
  const sup = await loadSupervised();
  let progress = progressCallbacks(name);
  const labels: string[] = [];
  // A named comparison's folders carry its name; a --vary grid's the experiment's.
  const prefix = flags.name ?? (sup.getComparison(name) ? name : undefined);
  const results = await sup.compareVariants(name, variants, {
    options: collectOptions(flags, extra),
    backend: flags.backend,
    threads: flags.threads,
    dataDir: flags.dataDir,
    logger,
    runsRoot: flags.save ? flags.runsDir : undefined,
    runPrefix: prefix,
    onVariant: (i, variant, total) => {
      const label = sup.variantLabel(variant);
      labels.push(label);
      progress = progressCallbacks(label);
      console.log(`variant ${i + 1}/${total}: ${label}`);
    },
    onStart: ({ options, backend }) => {
      printConfig(name, options, backend);
      progress.start(options.epochs as number);
    },
    onBatchEnd: (...args) => progress.onBatchEnd(...args),
    onEpochEnd: (log) => progress.onEpochEnd(log),
  });
  progress.stop();
  const order = metric ? bestFirst(results, metric) : results.map((_, i) => i);
  const rows = resultRows(results, labels);
  console.log(
    formatTable(
      RESULT_HEADERS,
      order.map((i) => rows[i]),
    ),
  );
  if (metric) {
    const best = order[0];
    console.log(`best by ${metric}: ${labels[best]} (${fmt(results[best].metrics[metric], 5)})`);
  }
  const dirs = results.flatMap((r) => (r.runDir ? [r.runDir] : []));
  if (dirs.length > 0) console.log(`runs written to ${dirs.join(', ')}`);
}

/**
 * Variant indices, best first by `metric` (minimised when it ends in loss).
 *
 * @throws InvalidConfigError when the runs did not report `metric`, listing the ones they did.
 */
function bestFirst(results: RunResult[], metric: string): number[] {
  const missing = results.find((r) => typeof r.metrics[metric] !== 'number');
  if (missing) {
    throw new InvalidConfigError(
      `--metric ${metric}: the runs report no such metric. Choose one of: ` +
        `${Object.keys(missing.metrics).join(', ')}.`,
    );
  }
  const sign = metric.endsWith('loss') ? 1 : -1;
  const value = (i: number) => results[i].metrics[metric] as number;
  return results.map((_, i) => i).sort((a, b) => sign * (value(a) - value(b)) || a - b);
}

function listCommand(): Command {
  return new Command('list')
    .description('list the experiments, comparisons and their options')
    .action(async () => {
      const sup = await loadSupervised();
      const rows = sup.EXPERIMENTS.map((e) => [e.name, e.notes, e.title]);
      rows.push(
        ...sup.COMPARISONS.map((c) => [c.name, c.notes, `${c.title} (compares ${c.experiment})`]),
      );
      console.log(formatTable(['name', 'notes', 'what'], rows));
      for (const e of sup.EXPERIMENTS) {
        const options = e.options.map(
          (o) =>
            `--${o.name}=${Array.isArray(o.default) ? o.default.join(',') : String(o.default)}`,
        );
        console.log(`\n${e.name}: ${options.join(' ')}\n  notes report: ${e.reference}`);
      }
    });
}

function runCommand(): Command {
  return addCommonFlags(
    new Command('run')
      .description(
        'run one experiment (or a named comparison); extra flags set its options, e.g. --learning-rate 0.1',
      )
      .argument('<name>', "experiment name (see 'tsgym supervised list')")
      .option(
        '--name <run>',
        'run folder name under --runs-dir (default: the experiment name); a comparison writes <run>-<variant> folders',
      ),
  ).action(async (name: string, flags: CommonFlags & { name?: string }, command: Command) => {
    await runOne(name, flags, command.args.slice(1));
  });
}

function compareCommand(): Command {
  return addCommonFlags(
    new Command('compare')
      .description('run variants side by side on the same seed and data and print one table')
      .argument('<name>', 'experiment or named comparison')
      .option(
        '--vary <option=a,b...>',
        'values to compare (repeat for a grid); use ; between values holding commas',
      )
      .option(
        '--name <run>',
        'run folders are named <run>-<variant> (default: the experiment name)',
      ),
  ).action(
    async (
      name: string,
      flags: CommonFlags & { vary?: string[]; name?: string },
      command: Command,
    ) => {
      const sup = await loadSupervised();
      const variants = flags.vary ? sup.gridVariants(sup.parseVary(flags.vary)) : undefined;
      await compareAndPrint(name, variants, flags, command.args.slice(1));
    },
  );
}

function searchCommand(): Command {
  return addCommonFlags(
    new Command('search')
      .description(
        'grid (--grid) or random (--range, --trials) search over options; table best first',
      )
      .argument('<name>', 'experiment name')
      .option('--grid <option=a,b...>', 'grid values of an option (repeatable)')
      .option('--range <option=spec...>', 'random-search range: a,b,c or min:max[:log][:int]')
      .option('--trials <n>', 'random-search trials', '8')
      .option(
        '--metric <key>',
        'metric to maximise (minimised when it ends in loss)',
        'val/accuracy',
      ),
  ).action(
    async (
      name: string,
      flags: CommonFlags & { grid?: string[]; range?: string[]; trials: string; metric: string },
      command: Command,
    ) => {
      const sup = await loadSupervised();
      if (!flags.grid && !flags.range)
        throw new InvalidConfigError('search: give --grid or --range.');
      const trials = Number(flags.trials);
      const searchRng = new Rng(Number(flags.seed ?? 0)).spawn('search');
      const variants = flags.grid
        ? sup.gridVariants(sup.parseVary(flags.grid))
        : sup.randomVariants(sup.parseRanges(flags.range!), trials, searchRng);
      await compareAndPrint(name, variants, flags, command.args.slice(1), flags.metric);
    },
  );
}

/**
 * The `tsgym supervised` command: `list`, `run <name>`, `compare <name> --vary o=a,b`,
 * `search <name> --grid ... | --range ...`.
 */
export function supervisedCommand(): Command {
  return new Command('supervised')
    .description('the supervised TF.js experiments of the notes (regression, classification, RNN)')
    .addCommand(listCommand())
    .addCommand(runCommand())
    .addCommand(compareCommand())
    .addCommand(searchCommand());
}
