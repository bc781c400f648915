import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows exactly the two quick-start commands', () => {
    const quickStart = readme.split('## Quick start')[1].split('```')[1];

    expect(quickStart.trim().split('\n').slice(1)).toEqual([
      'npm install && npm start',
      'npm test',
    ]);
  });

  it('shows the quickstart example verbatim, and the example runs to the optimal return', () => {
    const example = fs.readFileSync(path.join(root, 'examples/quickstart.ts'), 'utf8');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-readme-'));
    const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

    const out = execFileSync(process.execPath, [tsx, path.join(root, 'examples/quickstart.ts')], {
      cwd,
      encoding: 'utf8',
    });

    expect(readme).toContain('```ts\n' + example + '```');
    expect(example.trim().split('\n').length).toBeLessThanOrEqual(15);
    expect(out).toMatch(/greedy return -13/);
    expect(fs.existsSync(path.join(cwd, 'runs/quickstart/metrics.jsonl'))).toBe(true);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
