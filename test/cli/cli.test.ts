import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main';
import {
  FileNotFoundError,
  InvalidConfigError,
  UnknownEnvError,
  readMetrics,
} from '../../src/index';

let dir: string;
let logs: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-cli-'));
  logs = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function tsgym(...args: string[]): Promise<string> {
  const program = buildProgram().exitOverride();
  program.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => {} }));
  await program.parseAsync(['node', 'tsgym', ...args]);
  return logs.join('\n');
}

describe('tsgym CLI', () => {
  it('lists every registered env with its time limit', async () => {
    const out = await tsgym('list');

    expect(out).toMatch(/FrozenLake-v1\s+100\s+0\.7/);
    expect(out).toMatch(/CliffWalking-v1/);
    expect(out).toMatch(/Taxi-v3\s+200/);
  });

  it('trains, writes a run folder, evaluates it and replays its episodes', async () => {
    await tsgym(
      'train',
      '--env',
      'CliffWalking-v1',
      '--agent',
      'q-learning',
      '--agent-config',
      '{"alpha":0.5,"gamma":1}',
      '--episodes',
      '300',
      '--seed',
      '1',
      '--runs-dir',
      dir,
      '--run',
      'cliff',
      '--record-every',
      '100',
      '--no-progress',
    );
    const runDir = path.join(dir, 'cliff');
    const episodes = fs.readdirSync(path.join(runDir, 'episodes')).sort();

    const evalOut = await tsgym('eval', runDir, '--episodes', '5');
    const replayOut = await tsgym(
      'replay',
      ...episodes.map((f) => path.join(runDir, 'episodes', f)),
    );

    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))).toMatchObject({
      envId: 'CliffWalking-v1',
      status: 'finished',
      seed: 1,
    });
    expect(readMetrics(runDir)).toHaveLength(300);
    expect(episodes).toEqual([
      'episode-000000.jsonl',
      'episode-000100.jsonl',
      'episode-000200.jsonl',
      'eval-000300.jsonl',
    ]);
    expect(evalOut).toMatch(/mean return -13\.0000/);
    expect(replayOut.match(/identical/g)).toHaveLength(4);
  });

  it('resumes a run from its checkpoint up to a larger budget', async () => {
    const common = [
      '--env',
      'FrozenLake-v1',
      '--seed',
      '2',
      '--runs-dir',
      dir,
      '--run',
      'fl',
      '--no-progress',
    ];
    await tsgym('train', ...common, '--episodes', '50', '--checkpoint-every', '25');

    await tsgym('train', ...common, '--episodes', '80', '--resume', path.join(dir, 'fl'));

    const lines = readMetrics(path.join(dir, 'fl'));
    expect(lines.map((l) => l.episode)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it('names the closest ids for an unknown env', async () => {
    await expect(tsgym('train', '--env', 'FrozenLak-v1', '--runs-dir', dir)).rejects.toThrow(
      UnknownEnvError,
    );
    await expect(tsgym('train', '--env', 'FrozenLak-v1', '--runs-dir', dir)).rejects.toThrow(
      /Did you mean 'FrozenLake-v1'/,
    );
  });

  it('rejects a non-integer budget, naming the flag', async () => {
    await expect(tsgym('train', '--env', 'FrozenLake-v1', '--steps', '1.5')).rejects.toThrow(
      /--steps must be a positive integer; received '1\.5'/,
    );
  });

  it('resumes from the run folder alone, reusing the flags saved in run.json', async () => {
    const runDir = path.join(dir, 'taxi');
    await tsgym(
      'train',
      '--env',
      'Taxi-v3',
      '--agent-config',
      '{"alpha":0.5}',
      '--seed',
      '7',
      '--episodes',
      '30',
      '--runs-dir',
      dir,
      '--run',
      'taxi',
      '--no-progress',
    );

    await tsgym('train', '--resume', runDir, '--episodes', '60', '--no-progress');

    const info = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    expect(info).toMatchObject({ envId: 'Taxi-v3', seed: 7, status: 'finished' });
    expect(info.agent.config.alpha).toBe(0.5);
    expect(readMetrics(runDir).map((l) => l.episode)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
  });

  it('refuses to overwrite an existing run folder unless asked to', async () => {
    const args = [
      'train',
      '--env',
      'FrozenLake-v1',
      '--episodes',
      '5',
      '--runs-dir',
      dir,
      '--run',
      'same',
      '--no-progress',
    ];
    await tsgym(...args);

    await expect(tsgym(...args)).rejects.toThrow(/already holds a run.*--resume.*--overwrite/);
    await tsgym(...args, '--overwrite');
  });

  it('replays every episode of a folder and names a missing run folder', async () => {
    await tsgym(
      'train',
      '--env',
      'FrozenLake-v1',
      '--episodes',
      '4',
      '--record-every',
      '2',
      '--runs-dir',
      dir,
      '--run',
      'r',
      '--no-progress',
    );

    const out = await tsgym('replay', path.join(dir, 'r'));

    expect(out.match(/identical/g)).toHaveLength(3);
    await expect(tsgym('eval', path.join(dir, 'nope'))).rejects.toThrow(FileNotFoundError);
  });

  it('rejects a bandit agent on a multi-state env and an unknown demo part', async () => {
    await expect(
      tsgym('train', '--env', 'FrozenLake-v1', '--agent', 'ucb', '--runs-dir', dir),
    ).rejects.toThrow(/bandit agent.*16 states/);
    await expect(tsgym('demo', 'bogus')).rejects.toThrow(InvalidConfigError);
  });
});
