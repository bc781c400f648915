import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectOptions, supervisedCommand } from '../../src/cli/supervised';

function program(): Command {
  return new Command('tsgym').exitOverride().addCommand(supervisedCommand());
}

function captureLog(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation(
    (...args: unknown[]) => void lines.push(args.join(' ')),
  );
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('tsgym supervised', () => {
  it('collects experiment options from flags, --set pairs and free --<option> flags', () => {
    const options = collectOptions(
      { epochs: '3', set: ['hidden=5'], runsDir: 'runs', save: true },
      ['--learning-rate', '0.2', '--gate=xor', '--standardize'],
    );

    expect(options).toEqual({
      epochs: '3',
      hidden: '5',
      'learning-rate': '0.2',
      gate: 'xor',
      standardize: 'true',
    });
  });

  it('lists the experiments and the comparisons', async () => {
    const lines = captureLog();

    await program().parseAsync(['node', 'tsgym', 'supervised', 'list']);

    const text = lines.join('\n');
    expect(text).toMatch(/binary-adder\s+S14/);
    expect(text).toMatch(/optimizer-comparison\s+S6/);
  });

  it('runs an experiment, prints its config, epochs and results, and writes the run folder', async () => {
    const lines = captureLog();
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-cli-'));

    await program().parseAsync([
      'node',
      'tsgym',
      'supervised',
      'run',
      'perceptron',
      '--epochs',
      '40',
      '--gate',
      'and',
      '--runs-dir',
      runsDir,
    ]);

    expect(lines[0]).toMatch(
      /^perceptron: samples=4 epochs=40 batchSize=1 seed=0 gate=and .* backend=wasm$/,
    );
    expect(lines.filter((l) => l.startsWith('epoch ')).length).toBeLessThanOrEqual(21);
    expect(lines.join('\n')).toMatch(/train\/accuracy/);
    expect(
      JSON.parse(fs.readFileSync(path.join(runsDir, 'perceptron', 'run.json'), 'utf8')).status,
    ).toBe('finished');
  });

  it('runs on --threads threads, records the count in run.json and rejects a bad count', async () => {
    const lines = captureLog();
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-threads-'));
    const run = (threads: string) =>
      program().parseAsync(
        ['node', 'tsgym', 'supervised', 'run', 'perceptron', '--epochs', '2'].concat([
          '--threads',
          threads,
          '--runs-dir',
          runsDir,
        ]),
      );

    await run('1');
    const info = JSON.parse(fs.readFileSync(path.join(runsDir, 'perceptron', 'run.json'), 'utf8'));

    expect(info).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(lines.at(-1)).toMatch(/ s on wasm; run written to/);
    await expect(run('0')).rejects.toThrow(/threads: expected a whole number .* received "0"/);
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('compares variants on the same seed and prints one table', async () => {
    const lines = captureLog();

    await program().parseAsync([
      'node',
      'tsgym',
      'supervised',
      'compare',
      'perceptron',
      '--vary',
      'gate=or,xor',
      '--epochs',
      '5',
      '--no-save',
    ]);

    const all = lines.join('\n').split('\n');
    const table = all.slice(all.findIndex((l) => l.startsWith('variant  ')));
    expect(table[0]).toMatch(
      /variant\s+backend\s+train loss\s+val acc\s+test loss\s+test acc\s+seconds/,
    );
    expect(table.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['gate-or', 'gate-xor']);
  });

  it('names the variant folders of a comparison after --name', async () => {
    captureLog();
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-compare-'));
    try {
      // A named comparison through `run`, and a --vary grid through `compare`.
      await program().parseAsync(
        ['node', 'tsgym', 'supervised', 'run', 'gates', '--epochs', '2', '--name', 'short'].concat([
          '--runs-dir',
          runsDir,
        ]),
      );
      await program().parseAsync(
        ['node', 'tsgym', 'supervised', 'compare', 'perceptron', '--vary', 'gate=or,and'].concat([
          '--epochs',
          '2',
          '--name',
          'pair',
          '--runs-dir',
          runsDir,
        ]),
      );

      expect(fs.readdirSync(runsDir).sort()).toEqual([
        'pair-gate-and',
        'pair-gate-or',
        'short-gate-and',
        'short-gate-or',
        'short-gate-xor',
        'short-gate-xor_hidden-5',
      ]);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });

  it('searches a grid and names the best variant', async () => {
    const lines = captureLog();

    await program().parseAsync([
      'node',
      'tsgym',
      'supervised',
      'search',
      'perceptron',
      '--grid',
      'learningRate=0.001,0.5',
      '--epochs',
      '20',
      '--metric',
      'train/loss',
      '--no-save',
    ]);

    expect(lines.at(-1)).toMatch(/^best by train\/loss: learningRate-0.5 \(/);
    const table = lines.join('\n').split('\n');
    const first = table.findIndex((l) => l.startsWith('variant  '));
    expect(table.slice(first + 2, first + 4).map((l) => l.split(/\s+/)[0])).toEqual([
      'learningRate-0.5',
      'learningRate-0.001',
    ]);
  });

  it('rejects a search metric the runs do not report, listing the ones they do', async () => {
    captureLog();

    const search = program().parseAsync(
      ['node', 'tsgym', 'supervised', 'search', 'perceptron', '--grid', 'gate=or,and'].concat([
        '--epochs',
        '2',
        '--metric',
        'val/acc',
        '--no-save',
      ]),
    );

    await expect(search).rejects.toThrow(/--metric val\/acc: .*no such metric.* train\/loss/);
  });

  it('rejects a --name that is a path, and suggests the flag a typo meant', async () => {
    captureLog();
    const run = (...args: string[]) =>
      program().parseAsync(['node', 'tsgym', 'supervised', 'run', 'perceptron', ...args]);

    await expect(run('--name', '../../tmp/x')).rejects.toThrow(/run name "..\/..\/tmp\/x"/);
    await expect(run('--treads', '2')).rejects.toThrow(
      /unknown flag --treads\. Did you mean --threads\?/,
    );
    await expect(run('--runs-dri', 'x')).rejects.toThrow(/Did you mean --runs-dir\?/);
    await expect(run('--gait', 'or')).rejects.toThrow(
      /unknown option "gait"\. Did you mean 'gate'\?/,
    );
  });

  it("names a named comparison's folders after it and says where they went", async () => {
    const lines = captureLog();
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-named-'));

    await program().parseAsync([
      'node',
      'tsgym',
      'supervised',
      'run',
      'gates',
      '--epochs',
      '1',
      '--runs-dir',
      runsDir,
    ]);

    expect(fs.readdirSync(runsDir).every((d) => d.startsWith('gates-'))).toBe(true);
    const written = lines.at(-1)!.replace('runs written to ', '').split(', ');
    expect(written.sort()).toEqual(fs.readdirSync(runsDir).map((d) => path.join(runsDir, d)));
    fs.rmSync(runsDir, { recursive: true, force: true });
  });
});
