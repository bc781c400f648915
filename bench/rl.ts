// RL throughput cases (issue #2). Run as `tsx bench/rl.ts <case> <envId> <steps>` by
// bench/index.ts; each prints one JSON line (see harness.ts).
import { Rng, make, hasTransitionModel, type Env, type TransitionModel } from '../src/index';
import { registeredEnvs } from '../src/index';
import '../envs/index';
import { QLearning } from '../agents/index';
import { RecordEpisode, train } from '../src/index';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rate, report } from './harness';

/** The floor: the env's own transition table in typed arrays, stepped in a tight loop. */
function floorLoop(model: TransitionModel, steps: number, rng: Rng): number {
  const nA = model.nActions;
  const start = new Int32Array(model.nStates * nA + 1);
  const cum: number[] = [];
  const next: number[] = [];
  const rew: number[] = [];
  const term: number[] = [];
  for (let s = 0; s < model.nStates; s++) {
    for (let a = 0; a < nA; a++) {
      start[s * nA + a] = cum.length;
      let c = 0;
      for (const t of model.P[s][a]) {
        cum.push((c += t.prob));
        next.push(t.nextState);
        rew.push(t.reward);
        term.push(t.terminated ? 1 : 0);
      }
    }
  }
  start[model.nStates * nA] = cum.length;
  const cumulative = Float64Array.from(cum);
  const nextState = Int32Array.from(next);
  const reward = Float64Array.from(rew);
  const terminal = Uint8Array.from(term);
  const starts = Array.from(model.initialStateDistribution, (p, s) => (p > 0 ? s : -1)).filter(
    (s) => s >= 0,
  );
  let state = starts[0];
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const a = rng.int(nA);
    let k = start[state * nA + a];
    const last = start[state * nA + a + 1] - 1;
    if (k < last) {
      const u = rng.random();
      while (k < last && u >= cumulative[k]) k++;
    }
    total += reward[k];
    state = terminal[k] ? starts[0] : nextState[k];
  }
  return total;
}

function envLoop(env: Env<number, number>, steps: number, rng: Rng): number {
  env.reset({ seed: 0 });
  const n = (env.actionSpace as unknown as { n: number }).n;
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const r = env.step(rng.int(n));
    total += r.reward;
    if (r.terminated || r.truncated) env.reset();
  }
  return total;
}

/** Q-learning through the training loop; reports RSS after 10% and 100% of the steps. */
function qLearningCase(envId: string, steps: number, viaMake: boolean): void {
  const reg = registeredEnvs().find((r) => r.id === envId)!;
  const env = (viaMake ? make(envId) : reg.factory({ ...(reg.kwargs ?? {}) })) as Env<
    number,
    number
  >;
  const agent = new QLearning({
    observationSpace: env.observationSpace,
    actionSpace: env.actionSpace,
    alpha: 0.05,
    gamma: 0.99,
    epsilon: 0.1,
    rng: new Rng(0),
  });
  // Bare envs have no time limit, so FrozenLake episodes still end (holes and goal).
  train({ env, agent, seed: 0, totalSteps: steps / 10 });
  const rssEarlyMiB = process.memoryUsage().rss / 2 ** 20;
  const result = train({ env, agent, seed: 0, totalSteps: steps });
  const rssLateMiB = process.memoryUsage().rss / 2 ** 20;
  report(`q-learning ${viaMake ? 'make' : 'bare'} ${envId}`, result.stepsPerSecond, {
    rssAfter10pcMiB: rssEarlyMiB.toFixed(1),
    rssAtEndMiB: rssLateMiB.toFixed(1),
  });
}

/** Records every episode of a random policy to disk; memory must not grow with the steps. */
function recordingCase(envId: string, steps: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-bench-rec-'));
  const record = (e: Env<unknown, unknown>) => new RecordEpisode(e, { dir });
  const env = make<number, number>(envId, {}, { wrappers: [record] });
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  let episodes = 1;
  const perSecond = rate(steps, () => {
    for (let i = 0; i < steps; i++) {
      const r = env.step(rng.int(4));
      if (r.terminated || r.truncated) {
        env.reset();
        episodes++;
      }
    }
  });
  env.close();
  const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  report(`recording ${envId}`, perSecond, { fileMiB: (bytes / 2 ** 20).toFixed(1), episodes });
}

function main(): void {
  const [kind, envId, stepsArg] = process.argv.slice(2);
  const steps = Number(stepsArg);
  if (kind === 'q-learning' || kind === 'q-learning-make') {
    return qLearningCase(envId, steps, kind === 'q-learning-make');
  }
  if (kind === 'recording') return recordingCase(envId, steps);
  const rng = new Rng(0);
  const reg = registeredEnvs().find((r) => r.id === envId)!;
  const bare = reg.factory({ ...(reg.kwargs ?? {}) }) as Env<number, number>;
  let perSecond = 0;
  if (kind === 'floor') {
    if (!hasTransitionModel(bare)) throw new Error(`${envId} has no transition model`);
    const model = bare.transitionModel();
    floorLoop(model, steps / 10, rng); // warm-up for the JIT
    perSecond = rate(steps, () => floorLoop(model, steps, rng));
  } else {
    const env = kind === 'bare' ? bare : make<number, number>(envId);
    envLoop(env, steps / 10, rng);
    perSecond = rate(steps, () => envLoop(env, steps, rng));
  }
  report(`${kind} ${envId}`, perSecond);
}

main();
