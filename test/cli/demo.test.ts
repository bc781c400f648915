import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../src/cli/demo';

afterEach(() => vi.restoreAllMocks());

describe('tsgym demo (npm start)', () => {
  it('prints greedy Q-learning within 95% of the optimum on FrozenLake and -13 on CliffWalking', async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-demo-'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.join(' ')));

    await runDemo({ runsDir, banditRuns: 20, parts: ['tabular', 'bandits'] });

    const row = (env: string, agent: string) =>
      lines
        .join('\n')
        .split('\n')
        .find((l) => l.startsWith(env + ' ') && l.includes(` ${agent} `))!;
    for (const env of ['FrozenLake-v1', 'FrozenLake8x8-v1']) {
      const pct = Number(/([\d.]+)%/.exec(row(env, 'QLearning'))![1]);
      expect(pct).toBeGreaterThanOrEqual(95);
    }
    expect(row('CliffWalking-v1', 'QLearning')).toMatch(/-13\.0000\s+-13\.0000\s+optimal/);
    expect(lines.join('\n')).toMatch(/UCB c=2/);
    expect(fs.readdirSync(runsDir)).toContain('demo-FrozenLake8x8-v1-QLearning');
    fs.rmSync(runsDir, { recursive: true, force: true });
  });
});
