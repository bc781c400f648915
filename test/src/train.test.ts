import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  Env,
  InvalidConfigError,
  NormalizeReward,
  RecordEpisode,
  Rng,
  RunWriter,
  loadCheckpoint,
  make,
  evaluate,
  readMetrics,
  replayEpisode,
  train,
  type EpisodeEnd,
} from '../../src/index';
import { TinyQAgent } from '../helpers/chain-env';
import '../../envs/index';

const dirs: string[] = [];
function tmpRun(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-train-'));
  dirs.push(dir);
  return path.join(dir, name);
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function runWriter(dir: string, resume?: { afterStep: number }) {
  return new RunWriter(dir, { name: 'chain', kind: 'rl', seed: 3, config: {} }, resume);
}

/** The env step of the metrics line of episode 19 (where the checkpoint was taken). */
function stepAt20(dir: string): number {
  return readMetrics(dir).find((line) => line.episode === 19)!.step;
}

const withoutTime = (lines: Record<string, unknown>[]) =>
  lines.map(({ time: _t, 'time/steps_per_second': _s, ...rest }) => rest);

describe('train', () => {
  it('learns the chain and writes metrics lines with stable keys', () => {
    const dir = tmpRun('learn');
    const run = runWriter(dir);

    const result = train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 200,
      run,
    });
    run.close();

    const lines = readMetrics(dir);
    expect(result.episodes).toBe(200);
    expect(lines).toHaveLength(200);
    expect(Object.keys(lines[0])).toEqual(
      expect.arrayContaining([
        'step',
        'episode',
        'train/episode_return',
        'train/episode_length',
        'train/loss',
      ]),
    );
    expect(result.meanReturn).toBe(1);
  });

  it('stops at exactly totalSteps env steps', () => {
    const result = train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 0,
      totalSteps: 777,
    });

    expect(result.steps).toBe(777);
    expect(result.stoppedBy).toBe('totalSteps');
  });

  it('tells the learner that the episode cut by totalSteps is truncated', () => {
    const agent = new TinyQAgent(1, 40);
    const flags: [boolean, boolean][] = [];
    const learn = agent.learn.bind(agent);
    agent.learn = (e) => {
      flags.push([e.terminated, e.truncated]);
      return learn(e);
    };

    train({ env: make('TestChain-v0', { n: 40 }), agent, seed: 0, totalSteps: 3 });

    expect(flags).toEqual([
      [false, false],
      [false, false],
      [false, true],
    ]);
  });

  it('leaves no unfinished episode file behind when the agent throws mid-episode', () => {
    const dir = tmpRun('abort');
    const run = runWriter(dir);
    const agent = new TinyQAgent(1);
    let acts = 0;
    const act = agent.act.bind(agent);
    agent.act = (observation, info, explore) => {
      if (++acts === 3) throw new RangeError('agent failed');
      return act(observation, info, explore);
    };

    const attempt = () =>
      train({
        env: make('TestChain-v0'),
        agent,
        seed: 0,
        totalSteps: 50,
        run,
        recordEveryEpisodes: 1,
      });

    expect(attempt).toThrow('agent failed');
    run.close();
    expect(fs.readdirSync(path.join(dir, 'episodes'))).toEqual([]);
  });

  it('rejects an evaluation seed whose last episode seed passes 2^53 before playing any', () => {
    const agent = new TinyQAgent(1);
    let acts = 0;
    const act = agent.act.bind(agent);
    agent.act = (observation, info, explore) => {
      acts++;
      return act(observation, info, explore);
    };

    const attempt = () =>
      evaluate(make('TestChain-v0'), agent, { seed: Number.MAX_SAFE_INTEGER, episodes: 2 });

    expect(attempt).toThrow(/evaluate seed \+ episodes - 1/);
    expect(acts).toBe(0);
    expect(
      evaluate(make('TestChain-v0'), agent, { seed: Number.MAX_SAFE_INTEGER - 1, episodes: 2 })
        .returns,
    ).toHaveLength(2);
  });

  it('rejects a zero moving-average window and a fractional record interval', () => {
    const base = { env: make('TestChain-v0'), agent: new TinyQAgent(1), seed: 0, totalEpisodes: 3 };

    expect(() => train({ ...base, windowSize: 0 })).toThrow(
      'windowSize must be a positive integer; received 0.',
    );
    expect(() => train({ ...base, recordEveryEpisodes: 2.5 })).toThrow(/recordEveryEpisodes/);
    expect(train({ ...base, recordEveryEpisodes: 0 }).episodes).toBe(3);
  });

  it('refuses to run without a budget, naming the options to set', () => {
    expect(() => train({ env: make('TestChain-v0'), agent: new TinyQAgent(1), seed: 0 })).toThrow(
      /set totalSteps or totalEpisodes/,
    );
    expect(() =>
      train({ env: make('TestChain-v0'), agent: new TinyQAgent(1), seed: 0, totalSteps: -5 }),
    ).toThrow(InvalidConfigError);
  });

  it('resumes from a checkpoint and produces the same metrics as an uninterrupted run', () => {
    const full = tmpRun('full');
    const runA = runWriter(full);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 60,
      run: runA,
      checkpointEveryEpisodes: 20,
    });
    runA.close();
    const split = tmpRun('split');
    const runB = runWriter(split);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 27,
      run: runB,
      checkpointEveryEpisodes: 20,
    });
    runB.close();

    const checkpoint = loadCheckpoint(
      path.join(
        split,
        'checkpoints',
        `checkpoint-${String(stepAt20(split)).padStart(12, '0')}.json`,
      ),
    );
    const runC = runWriter(split, { afterStep: checkpoint.step });
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(99),
      seed: 3,
      totalEpisodes: 60,
      run: runC,
      resumeFrom: checkpoint.state,
    });
    runC.close();

    expect(checkpoint.step).toBeGreaterThan(0);
    expect(withoutTime(readMetrics(split))).toEqual(withoutTime(readMetrics(full)));
  });

  it('resumes the running statistics of a NormalizeReward wrapper from a checkpoint', () => {
    const normalized = () =>
      make<number, number>('TestChain-v0', {}, { wrappers: [(e) => new NormalizeReward(e)] });
    const full = tmpRun('norm-full');
    const runA = runWriter(full);
    train({ env: normalized(), agent: new TinyQAgent(1), seed: 3, totalEpisodes: 30, run: runA });
    runA.close();
    const split = tmpRun('norm-split');
    const runB = runWriter(split);
    const options = { agent: new TinyQAgent(1), seed: 3, checkpointAtEnd: true };
    train({ ...options, env: normalized(), totalEpisodes: 10, run: runB });
    runB.close();

    const checkpoint = loadCheckpoint(split);
    const runC = runWriter(split, { afterStep: checkpoint.step });
    const env = normalized();
    train({
      env,
      agent: new TinyQAgent(9),
      seed: 3,
      totalEpisodes: 30,
      run: runC,
      resumeFrom: checkpoint.state,
    });
    runC.close();

    expect(withoutTime(readMetrics(split))).toEqual(withoutTime(readMetrics(full)));
    expect(() =>
      train({
        env: make('TestChain-v0'),
        agent: new TinyQAgent(9),
        seed: 3,
        totalEpisodes: 31,
        resumeFrom: checkpoint.state,
      }),
    ).toThrow(/state of 1 stateful wrappers/);
  });

  it('averages only the last windowSize returns after resuming with a smaller window', () => {
    const dir = tmpRun('window');
    const run = runWriter(dir);
    const returns: number[] = [];
    const callbacks = { onEpisodeEnd: (end: EpisodeEnd) => void returns.push(end.episodeReturn) };
    const env = make<number, number>(
      'TestChain-v0',
      {},
      { wrappers: [(e) => new NormalizeReward(e)] },
    );
    train({
      env,
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 20,
      run,
      checkpointAtEnd: true,
      callbacks,
    });
    run.close();

    const resumed = train({
      env,
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 21,
      windowSize: 5,
      resumeFrom: loadCheckpoint(dir).state,
      callbacks,
    });

    const last5 = returns.slice(-5);
    expect(resumed.meanReturn).toBeCloseTo(last5.reduce((a, b) => a + b, 0) / 5, 12);
  });

  it('plays no further episode when resumed from a checkpoint that already met the budget', () => {
    const dir = tmpRun('met');
    const run = runWriter(dir);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 3,
      totalEpisodes: 10,
      run,
      checkpointAtEnd: true,
    });
    run.close();
    const { step, state } = loadCheckpoint(dir);
    const agent = new TinyQAgent(1);
    let learnCalls = 0;
    agent.learn = () => {
      learnCalls++;
      return { loss: 0 };
    };

    const result = train({
      env: make('TestChain-v0'),
      agent,
      seed: 3,
      totalEpisodes: 10,
      resumeFrom: state,
    });

    expect(result).toMatchObject({ episodes: 10, steps: step, stoppedBy: 'totalEpisodes' });
    expect(learnCalls).toBe(0);
  });

  it('records episodes that replay step for step, seeded or continuing the stream', async () => {
    const dir = tmpRun('rec');
    const run = runWriter(dir);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 5,
      totalEpisodes: 9,
      run,
      recordEveryEpisodes: 4,
    });
    run.close();
    const files = fs.readdirSync(path.join(dir, 'episodes')).sort();

    const reports = await Promise.all(
      files.map((f) => replayEpisode(path.join(dir, 'episodes', f))),
    );

    expect(files).toEqual(['episode-000000.jsonl', 'episode-000004.jsonl', 'episode-000008.jsonl']);
    expect(reports.every((r) => r.ok && r.steps > 0)).toBe(true);
  });

  it('reports the first step that differs from a tampered recording', async () => {
    const dir = tmpRun('tamper');
    const run = runWriter(dir);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 5,
      totalEpisodes: 1,
      run,
      recordEveryEpisodes: 1,
    });
    const file = path.join(dir, 'episodes', 'episode-000000.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const step = JSON.parse(lines[2]);
    step.reward = 42;
    lines[2] = JSON.stringify(step);
    fs.writeFileSync(file, lines.join('\n') + '\n');

    const report = await replayEpisode(file);

    expect(report.ok).toBe(false);
    expect(report.firstDifference).toMatchObject({ step: 1, field: 'reward', recorded: '42' });
  });

  it('rejects a truncated recording and a damaged checkpoint with CorruptFileError', async () => {
    const dir = tmpRun('cut');
    const run = runWriter(dir);
    train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 5,
      totalEpisodes: 1,
      run,
      recordEveryEpisodes: 1,
      checkpointEveryEpisodes: 1,
    });
    const file = path.join(dir, 'episodes', 'episode-000000.jsonl');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.lastIndexOf('{"kind":"end"')));
    const ckpt = path.join(dir, 'checkpoints', 'latest.json');
    fs.writeFileSync(ckpt, fs.readFileSync(ckpt, 'utf8').slice(0, 30));

    await expect(replayEpisode(file)).rejects.toThrow(/truncated/);
    expect(() => loadCheckpoint(dir)).toThrow(CorruptFileError);
    expect(() => loadCheckpoint(dir)).toThrow(/not valid JSON/);
  });

  it('replays a recording whose env kwargs hold Infinity', async () => {
    const dir = tmpRun('infinite-kwargs');
    const env = make<Float32Array, Int32Array>(
      'MarketingPopulation-v0',
      { customers: 5, emailBudget: Infinity },
      { wrappers: [(e) => new RecordEpisode(e, { dir })] },
    );
    const rng = new Rng(0);
    env.reset({ seed: 1 });
    for (let t = 0; t < 3; t++) env.step(env.actionSpace.sample(rng) as Int32Array);
    env.close();

    const file = path.join(dir, 'episode-000000.jsonl');
    const header = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]);

    expect(header.envKwargs.emailBudget).toEqual({ $number: 'Infinity' });
    expect(await replayEpisode(file)).toEqual({ ok: true, steps: 3 });
  });

  it('records reset options so that an episode reset with them replays', async () => {
    const dir = tmpRun('reset-options');
    const env = make<Float32Array, number>(
      'CartPole-v1',
      {},
      {
        wrappers: [(e) => new RecordEpisode(e, { dir })],
      },
    );
    env.reset({ seed: 2, options: { low: -0.2, high: 0.2 } });
    for (let t = 0; t < 4; t++) env.step(t % 2);
    env.close();

    const file = path.join(dir, 'episode-000000.jsonl');

    expect(await replayEpisode(file)).toEqual({ ok: true, steps: 4 });
  });

  it('replays an episode whose first reset had no seed, from the entropy seed it drew', async () => {
    const dir = tmpRun('entropy');
    const env = make<number, number>(
      'TestChain-v0',
      { n: 30 },
      {
        wrappers: [(e) => new RecordEpisode(e, { dir })],
      },
    );
    env.reset();
    for (let t = 0; t < 6; t++) env.step(1);
    env.close();

    const file = path.join(dir, 'episode-000000.jsonl');
    const header = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]);

    expect(header.seed).toBe(env.getRngState()!.seed);
    expect(await replayEpisode(file)).toEqual({ ok: true, steps: 6 });
  });

  it('refuses a second recorder writing the same episode file, naming the file', async () => {
    const dir = tmpRun('shared-dir');
    const record = { wrappers: [(e: Env<unknown, unknown>) => new RecordEpisode(e, { dir })] };
    const first = make<number, number>('TestChain-v0', {}, record);
    const second = make<number, number>('TestChain-v0', {}, record);
    first.reset({ seed: 0 });

    expect(() => second.reset({ seed: 1 })).toThrow(/still writing .*episode-000000\.jsonl/);
    first.step(1);
    first.close();
    expect(await replayEpisode(path.join(dir, 'episode-000000.jsonl'))).toEqual({
      ok: true,
      steps: 1,
    });
  });

  it('refuses to record env kwargs that have no JSON form, naming the key', () => {
    const dir = tmpRun('rng-kwargs');
    const env = make(
      'TestChain-v0',
      { n: 5, rng: new Rng(1) },
      {
        wrappers: [(e) => new RecordEpisode(e, { dir })],
      },
    );

    expect(() => env.reset({ seed: 0 })).toThrow(/envKwargs\.rng is .*no JSON form/);
  });

  it('records through the RecordEpisode wrapper, with reported action probabilities', async () => {
    const dir = tmpRun('wrapper');
    const env = make<number, number>(
      'TestChain-v0',
      {},
      {
        wrappers: [(e) => new RecordEpisode(e, { dir, episodeTrigger: (i) => i === 1 })],
      },
    );
    const recorder = env as RecordEpisode<number, number>;
    const rng = new Rng(0);

    for (let episode = 0; episode < 2; episode++) {
      env.reset(episode === 0 ? { seed: 11 } : {});
      for (let done = false; !done;) {
        recorder.setActionProbability(0.5);
        const r = env.step(rng.int(2));
        done = r.terminated || r.truncated;
      }
    }
    const report = await replayEpisode(path.join(dir, 'episode-000001.jsonl'));
    const second = fs.readFileSync(path.join(dir, 'episode-000001.jsonl'), 'utf8').split('\n')[1];

    expect(fs.readdirSync(dir)).toEqual(['episode-000001.jsonl']);
    expect(report.ok).toBe(true);
    expect(JSON.parse(second).actionProb).toBe(0.5);
  });

  it('records the log-probability an agent reports for its action', () => {
    const dir = tmpRun('logprob');
    const run = runWriter(dir);
    const agent = new TinyQAgent(1);
    const act = agent.act.bind(agent);
    agent.act = (o, i, e) => ({ ...act(o, i, e), actionProb: null, logProb: -800 });

    train({
      env: make('TestChain-v0'),
      agent,
      seed: 5,
      totalEpisodes: 1,
      run,
      recordEveryEpisodes: 1,
    });

    const lines = fs.readFileSync(path.join(dir, 'episodes', 'episode-000000.jsonl'), 'utf8');
    expect(JSON.parse(lines.split('\n')[1])).toMatchObject({ actionProb: null, logProb: -800 });
  });

  it('stops at once when onStep returns stop, and after the episode when onEpisodeEnd does', () => {
    const seen: number[] = [];

    const byStep = train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 0,
      totalSteps: 10_000,
      callbacks: { onStep: (e) => (seen.push(e.step), e.step === 37 ? 'stop' : undefined) },
    });
    const byEpisode = train({
      env: make('TestChain-v0'),
      agent: new TinyQAgent(1),
      seed: 0,
      totalSteps: 10_000,
      callbacks: {
        onEpisodeEnd: (end) => (end.meanReturn === 1 && end.episode >= 50 ? 'stop' : undefined),
      },
    });

    expect(byStep).toMatchObject({ steps: 37, stoppedBy: 'callback' });
    expect(seen).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
    expect(byEpisode.stoppedBy).toBe('callback');
    expect(byEpisode.episodes).toBeGreaterThan(50);
  });
});
