import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, readEpisode } from '../../src/index';
import {
  indexEpisode,
  isClientBuilt,
  isLoopbackHost,
  startViewer,
  type RunningViewer,
} from '../../viewer/server/index';
import {
  writeEpisode,
  writeFixtureRuns,
  writeLongEpisode,
  writeRunJson,
  type FixtureRuns,
} from './fixtures';
import { removeTempDirs, tempDir } from './tmp';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-RUNS-FOLDER';

/** GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let fixtures: FixtureRuns;
let outside: string;
let viewer: RunningViewer;
const getJson = async (p: string) => {
  const { status, body } = await rawGet(viewer.port, p);
  return { status, json: JSON.parse(body) };
};

beforeAll(async () => {
  const base = tempDir('server');
  fixtures = writeFixtureRuns(path.join(base, 'runs'));
  outside = path.join(base, 'outside');
  const grid = await readEpisode(
    path.join(fixtures.root, 'frozenlake-q', 'episodes', 'episode-000000.jsonl'),
  );
  writeRunJson(outside, { envId: SECRET });
  writeEpisode(path.join(outside, 'secret.jsonl'), { ...grid.header, envId: SECRET }, grid.steps);
  fs.writeFileSync(path.join(outside, 'metrics.jsonl'), `{"step":1,"${SECRET}":1}\n`);
  fs.symlinkSync(outside, path.join(fixtures.root, 'escape'));
  fs.symlinkSync(
    path.join(outside, 'secret.jsonl'),
    path.join(fixtures.root, 'frozenlake-q', 'episodes', 'leak.jsonl'),
  );
  fs.mkdirSync(path.join(fixtures.root, 'linked-metrics'));
  writeRunJson(path.join(fixtures.root, 'linked-metrics'), {});
  fs.symlinkSync(
    path.join(outside, 'metrics.jsonl'),
    path.join(fixtures.root, 'linked-metrics', 'metrics.jsonl'),
  );
  fs.symlinkSync(path.join(fixtures.root, 'bandit-eps'), path.join(fixtures.root, 'bandit-alias'));
  const client = path.join(base, 'client');
  fs.mkdirSync(client);
  fs.writeFileSync(path.join(client, 'index.html'), '<!doctype html><title>viewer</title>');
  viewer = await startViewer({ runsDir: fixtures.root, clientDir: client });
});

afterAll(async () => {
  await viewer?.close();
  removeTempDirs();
});

describe('viewer server: runs', () => {
  it('binds to loopback by default and prints an http URL', () => {
    expect((viewer.server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/`);
    expect(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && !isLoopbackHost('0.0.0.0')).toBe(
      true,
    );
  });

  it('lists runs newest first, with a damaged run.json as an error, and no escaping symlinks', async () => {
    const { json } = await getJson('/api/runs');
    const names = json.runs.map((r: { name: string }) => r.name);

    // bandit-alias is a symlink to bandit-eps (same createdAt): ties go by name.
    expect(names.slice(0, 3)).toEqual(['frozenlake-q', 'bandit-alias', 'bandit-eps']);
    expect(names).not.toContain('escape');
    expect(json.runs.find((r: { name: string }) => r.name === 'broken-run').error).toMatch(
      /broken-run\/run\.json: not a valid JSON object/,
    );
    expect(JSON.stringify(json)).not.toContain(SECRET);
  });

  it('shows a new run without a restart', async () => {
    writeRunJson(path.join(fixtures.root, 'fresh-run'), { envId: 'CartPole-v1' });

    const { json } = await getJson('/api/runs');

    expect(json.runs.map((r: { name: string }) => r.name)).toContain('fresh-run');
  });

  it('starts on a runs folder that does not exist yet and lists runs once it does', async () => {
    const missing = path.join(tempDir('later'), 'runs');
    const early = await startViewer({ runsDir: missing });

    const before = await rawGet(early.port, '/api/runs');
    writeRunJson(path.join(missing, 'first-run'), { envId: 'Taxi-v3' });
    const after = await rawGet(early.port, '/api/runs');
    await early.close();

    expect(JSON.parse(before.body)).toEqual({ runs: [] });
    expect(JSON.parse(after.body).runs.map((r: { name: string }) => r.name)).toEqual(['first-run']);
  });

  it('serves run.json and a 422 naming the file for a damaged one', async () => {
    const good = await getJson('/api/runs/frozenlake-q');
    const bad = await getJson('/api/runs/broken-run');

    expect(good).toMatchObject({
      status: 200,
      json: { envId: 'FrozenLake-v1', agent: { name: 'QLearning' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatch(/^broken-run\/run\.json: not a valid JSON object/);
  });
});

describe('viewer server: metrics', () => {
  it('parses metrics and ignores a last line cut short', async () => {
    const { json } = await getJson('/api/runs/frozenlake-q/metrics');

    expect(json.count).toBe(120);
    expect(json.partialLastLine).toBe(true);
    expect(json.keys).toEqual([
      'train/episode_return',
      'train/episode_length',
      'train/epsilon',
      'train/loss',
    ]);
    expect(json.columns.episode.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('picks up appended lines, completing the cut line, and counts garbage lines', async () => {
    const file = path.join(fixtures.root, 'cartpole-pg', 'metrics.jsonl');
    await getJson('/api/runs/cartpole-pg/metrics');

    fs.appendFileSync(
      file,
      'urn": 2}\nnot json at all\n{"step": 999, "train/episode_return": 3}\n',
    );
    const { json } = await getJson('/api/runs/cartpole-pg/metrics');

    expect(json.count).toBe(62);
    expect(json.skippedLines).toBe(1);
    expect(json.partialLastLine).toBe(false);
    expect(json.columns['train/episode_return'].slice(-2)).toEqual([2, 3]);
  });

  it('averages rows into maxPoints buckets', async () => {
    const { json } = await getJson('/api/runs/frozenlake-q/metrics?maxPoints=4');

    expect(json.count).toBe(4);
    expect(json.downsampledFrom).toBe(120);
    expect(json.columns.episode).toEqual([14.5, 44.5, 74.5, 104.5]);
  });

  it('answers an empty table for a run without metrics and 400 for a bad maxPoints', async () => {
    const empty = await getJson('/api/runs/pendulum-generic/metrics');
    const bad = await getJson('/api/runs/frozenlake-q/metrics?maxPoints=-3');

    expect(empty.json).toMatchObject({ count: 0, keys: [] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(
      /'maxPoints' must be an integer in \[1, 1000000\]; received "-3"/,
    );
  });
});

describe('viewer server: episodes', () => {
  it('lists finished episode files, not temporary ones or escaping links', async () => {
    fs.writeFileSync(
      path.join(fixtures.root, 'frozenlake-q', 'episodes', 'episode-000004.jsonl.123.tmp'),
      '{',
    );

    const { json } = await getJson('/api/runs/frozenlake-q/episodes');

    expect(json.episodes.map((e: { file: string }) => e.file)).toEqual([
      'episode-000000.jsonl',
      'episode-000002.jsonl',
      'episode-000003.jsonl',
      'eval-000000.jsonl',
    ]);
  });

  it('serves pages of steps identical to the recording, with the return and tallies before them', async () => {
    const file = path.join(fixtures.root, 'bandit-eps', 'episodes', 'episode-000000.jsonl');
    const episode = await readEpisode(file);

    const info = await getJson('/api/runs/bandit-eps/episodes/episode-000000.jsonl');
    const page = await getJson(
      '/api/runs/bandit-eps/episodes/episode-000000.jsonl/steps?from=40&count=30',
    );

    expect(info.json).toMatchObject({
      length: 150,
      header: episode.header,
      footer: episode.footer,
    });
    expect(page.json.steps).toEqual(episode.steps.slice(40, 70));
    const before = episode.steps.slice(0, 40);
    expect(page.json.returnBefore).toBe(before.reduce((s, x) => s + x.reward, 0));
    expect(page.json.actionStats.counts).toEqual(
      [0, 1, 2, 3, 4].map((a) => before.filter((s) => s.action === a).length),
    );
  });

  it('reads a file larger than its 1 MB read chunk correctly at every page', async () => {
    const file = writeLongEpisode(fixtures.root, 'long-run', 5000);
    const episode = await readEpisode(file);
    expect(fs.statSync(file).size).toBeGreaterThan(1.2e6);

    for (const from of [0, 1234, 3999, 4990]) {
      const page = await getJson(
        `/api/runs/long-run/episodes/episode-000000.jsonl/steps?from=${from}&count=10`,
      );

      expect(page.json.steps).toEqual(episode.steps.slice(from, from + 10));
    }
  });

  it('serves steps of a file with blank and CRLF-ended lines, which the format allows', async () => {
    const source = path.join(fixtures.root, 'pendulum-generic', 'episodes', 'episode-000000.jsonl');
    const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n');
    const odd = [lines[0], lines[1], '', lines[2] + '\r', ...lines.slice(3)].join('\n') + '\n';
    fs.writeFileSync(
      path.join(fixtures.root, 'pendulum-generic', 'episodes', 'episode-000001.jsonl'),
      odd,
    );
    const episode = await readEpisode(source);

    const page = await getJson(
      '/api/runs/pendulum-generic/episodes/episode-000001.jsonl/steps?from=0&count=4',
    );

    expect(page.status).toBe(200);
    expect(page.json.steps).toEqual(episode.steps.slice(0, 4));
  });

  it('clips count at the end and rejects bad from/count with 400', async () => {
    const end = await getJson(
      '/api/runs/bandit-eps/episodes/episode-000000.jsonl/steps?from=145&count=100',
    );
    const bad = await getJson('/api/runs/bandit-eps/episodes/episode-000000.jsonl/steps?from=151');
    const word = await getJson(
      '/api/runs/bandit-eps/episodes/episode-000000.jsonl/steps?count=abc',
    );

    expect(end.json.steps.map((s: { t: number }) => s.t)).toEqual([145, 146, 147, 148, 149]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/'from' must be an integer in \[0, 150\]/);
    expect(word.status).toBe(400);
  });

  it('gives a damaged or truncated file a 422 naming it, and other files keep working', async () => {
    const badJson = await getJson('/api/runs/frozenlake-q/episodes/episode-000002.jsonl');
    const truncated = await getJson(
      '/api/runs/frozenlake-q/episodes/episode-000003.jsonl/steps?from=0&count=2',
    );
    const good = await getJson('/api/runs/frozenlake-q/episodes/episode-000000.jsonl');
    const other = await getJson('/api/runs/cartpole-pg/episodes/episode-000000.jsonl');

    expect(badJson.status).toBe(422);
    expect(badJson.json.error).toMatch(
      /^frozenlake-q\/episodes\/episode-000002\.jsonl: line 4 is not valid JSON/,
    );
    expect(truncated.status).toBe(422);
    expect(truncated.json.error).toMatch(
      /episode-000003\.jsonl: the recording is truncated \(no 'end' line after 7 lines\)/,
    );
    expect([good.status, other.status]).toEqual([200, 200]);
  });

  it('streams the raw file', async () => {
    const file = path.join(fixtures.root, 'pendulum-generic', 'episodes', 'episode-000000.jsonl');

    const raw = await rawGet(
      viewer.port,
      '/api/runs/pendulum-generic/episodes/episode-000000.jsonl/raw',
    );

    expect(raw.status).toBe(200);
    expect(raw.body).toBe(fs.readFileSync(file, 'utf8'));
  });

  it('answers 50 concurrent requests for a file not yet indexed, all alike', async () => {
    writeLongEpisode(fixtures.root, 'concurrent-run', 3000);

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        getJson(
          `/api/runs/concurrent-run/episodes/episode-000000.jsonl/steps?from=${i * 50}&count=5`,
        ),
      ),
    );

    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.map((a) => a.json.steps[0].t)).toEqual(
      Array.from({ length: 50 }, (_, i) => i * 50),
    );
  });

  it('indexes by streaming, remembering about 20 bytes per step', async () => {
    const file = path.join(fixtures.root, 'long-run', 'episodes', 'episode-000000.jsonl');

    const index = await indexEpisode(file, 'long-run/episodes/episode-000000.jsonl');

    expect(index.length).toBe(5000);
    expect(
      index.stepStarts.byteLength + index.rewardPrefix.byteLength + index.actions!.byteLength,
    ).toBeLessThan(5001 * 21);
  });
});

describe('viewer server: only reads inside the runs folder', () => {
  const attempts = [
    '/api/runs/%2e%2e',
    '/api/runs/%2E%2E/episodes',
    '/api/runs/..%2Foutside/metrics',
    '/api/runs/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/api/runs/frozenlake-q/episodes/%2e%2e%2f%2e%2e%2f..%2foutside%2fsecret.jsonl',
    '/api/runs/frozenlake-q/episodes/..%5C..%5Coutside%5Csecret.jsonl/raw',
    '/api/runs/frozenlake-q/episodes/%252e%252e%252fsecret.jsonl',
    '/api/runs/%2Fetc%2Fpasswd',
    '/api/runs/frozenlake-q/episodes/%2Fetc%2Fpasswd/raw',
    '/api/runs/C%3A%5CWindows/episodes',
    '/api/runs/escape',
    '/api/runs/escape/metrics',
    '/api/runs/escape/episodes',
    '/api/runs/escape/episodes/secret.jsonl/raw',
    '/api/runs/frozenlake-q/episodes/leak.jsonl',
    '/api/runs/frozenlake-q/episodes/leak.jsonl/raw',
    '/api/runs/linked-metrics/metrics',
    '/api/runs/frozenlake-q%00/run.json',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/..%5c..%5cpackage.json',
  ];

  it.each(attempts)('refuses %s with 404', async (attempt) => {
    const { status, body } = await rawGet(viewer.port, attempt);

    expect(status).toBe(404);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('root:');
  });

  it('follows symlinks that stay inside', async () => {
    const alias = await getJson('/api/runs/bandit-alias/episodes/episode-000000.jsonl');

    expect(alias.status).toBe(200);
    expect(alias.json.length).toBe(150);
  });

  it('serves the built client at / (503 with a hint when it is not built)', async () => {
    const bare = await startViewer({ runsDir: fixtures.root });

    const page = await rawGet(viewer.port, '/');
    const missing = await rawGet(bare.port, '/');
    await bare.close();

    expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>viewer</title>' });
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('npm run viewer');
  });
});

describe('viewer server: start-up', () => {
  it('refuses a port in use with an InvalidConfigError that suggests --port 0', async () => {
    const attempt = startViewer({ runsDir: fixtures.root, port: viewer.port });

    await expect(attempt).rejects.toThrow(InvalidConfigError);
    await expect(attempt).rejects.toThrow(/EADDRINUSE.*--port <n> \(0 picks a free one\)/);
  });

  it('says when no bundle is built in a folder', () => {
    expect(isClientBuilt(tempDir('nobundle'))).toBe(false);
  });

  it('prints the URL, and warns when bound beyond loopback (npm run viewer)', async () => {
    const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
    const main = path.resolve(__dirname, '../../viewer/server/main.ts');
    const child = spawn(tsx, [
      main,
      '--no-build',
      '--runs',
      fixtures.root,
      '--port',
      '0',
      '--host',
      '0.0.0.0',
    ]);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));

    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/open http/.test(stdout)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`viewer exited with ${code}: ${stderr}`)));
    });
    child.kill('SIGTERM');

    expect(stdout).toMatch(/viewer: open http:\/\/0\.0\.0\.0:\d+\//);
    expect(stderr).toMatch(/WARNING: binding to 0\.0\.0\.0, not loopback/);
  });
});
