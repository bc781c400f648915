/**
 * The shared contract suite: every registered env, whoever wrote it, passes these checks.
 * Ids are read from the registry at run time, so a newly registered env is covered with no edit.
 */
import { describe, expect, it } from 'vitest';
import '../../envs/index';
import {
  ResetNeededError,
  Rng,
  checkEnv,
  hasTransitionModel,
  make,
  registeredEnvs,
  type Env,
  type Info,
  type StepResult,
  type TransitionModel,
} from '../../src/index';

type AnyEnv = Env<unknown, unknown>;

const ids = registeredEnvs().map((r) => r.id);

function sampleAction(env: AnyEnv, rng: Rng, info: Info): unknown {
  return env.actionSpace.sample(rng, info.actionMask);
}

function modelOf(env: AnyEnv): TransitionModel | undefined {
  const bare = env.unwrapped;
  return hasTransitionModel(bare) ? bare.transitionModel() : undefined;
}

/** States reached by some transition flagged terminated: being in one means the episode is over. */
function terminalStates(model: TransitionModel): Set<number> {
  const out = new Set<number>();
  for (const perAction of model.P) {
    for (const outcomes of perAction) {
      for (const t of outcomes) if (t.terminated) out.add(t.nextState);
    }
  }
  return out;
}

/**
 * A random legal action that cannot end the episode when the transition table shows one,
 * so time-limit checks are not cut short by a hole or a goal.
 */
function nonTerminatingAction(env: AnyEnv, rng: Rng, observation: unknown, info: Info): unknown {
  const model = modelOf(env);
  const mask = info.actionMask as ArrayLike<number | boolean> | undefined;
  if (model === undefined || typeof observation !== 'number') return sampleAction(env, rng, info);
  const safe: number[] = [];
  for (let a = 0; a < model.nActions; a++) {
    const legal = mask === undefined || Boolean(mask[a]);
    if (legal && model.P[observation][a].every((t) => !t.terminated)) safe.push(a);
  }
  return safe.length > 0 ? safe[rng.int(safe.length)] : sampleAction(env, rng, info);
}

/** Observations, rewards and flags of a seeded run, with `reset()` (no seed) after each end. */
function trajectory(env: AnyEnv, seed: number, steps: number, actionSeed: number) {
  const rng = new Rng(actionSeed);
  let { observation, info } = env.reset({ seed });
  const out: unknown[] = [observation];
  for (let t = 0; t < steps; t++) {
    const action = sampleAction(env, rng, info);
    const r: StepResult<unknown> = env.step(action);
    out.push([action, r.observation, r.reward, r.terminated, r.truncated]);
    ({ observation, info } = r);
    if (r.terminated || r.truncated) {
      ({ observation, info } = env.reset());
      out.push(observation);
    }
  }
  return out;
}

describe('the env registry', () => {
  it('holds the built-in envs once envs/index is imported', () => {
    expect(ids.length).toBeGreaterThan(0);
  });
});

describe.each(ids)('%s', (id) => {
  it('keeps observations and sampled actions in their spaces over 200 random steps', () => {
    const env = make(id);
    const rng = new Rng(0).spawn('contract');
    const outside: string[] = [];
    let { observation, info } = env.reset({ seed: 0 });

    for (let t = 0; t <= 200; t++) {
      if (!env.observationSpace.contains(observation)) outside.push(`observation at step ${t}`);
      if (t === 200) break;
      const action = sampleAction(env, rng, info);
      if (!env.actionSpace.contains(action)) outside.push(`sampled action at step ${t}`);
      const r = env.step(action);
      ({ observation, info } = r.terminated || r.truncated ? env.reset() : r);
    }

    expect(outside).toEqual([]);
  });

  it('throws ResetNeededError on step before reset', () => {
    const env = make(id);

    expect(() => env.step(env.actionSpace.sample(new Rng(0)))).toThrow(ResetNeededError);
  });

  it.each([1, 5])('truncates exactly at a time limit of %i steps', (limit) => {
    const env = make(id, {}, { maxEpisodeSteps: limit });
    const rng = new Rng(1);
    const early: string[] = [];
    const atLimit: boolean[] = [];

    for (let seed = 0; seed < 10; seed++) {
      let { observation, info } = env.reset({ seed });
      for (let k = 1; k <= limit; k++) {
        const r = env.step(nonTerminatingAction(env, rng, observation, info));
        if (k < limit && r.truncated) early.push(`seed ${seed} step ${k}`);
        if (k === limit) atLimit.push(r.truncated);
        if (r.terminated || r.truncated) break;
        ({ observation, info } = r);
      }
    }

    expect(early).toEqual([]);
    expect(atLimit.length).toBeGreaterThan(0);
    expect(atLimit.every((t) => t)).toBe(true);
  });

  it('gives the same trajectory for the same seed', () => {
    const first = trajectory(make(id), 123, 150, 7);

    const second = trajectory(make(id), 123, 150, 7);

    expect(second).toEqual(first);
  });

  it('passes checkEnv with no problems', () => {
    const report = checkEnv(make(id), { seed: 0, steps: 200 });

    expect(report.problems).toEqual([]);
  });

  it('never starts an episode already solved', () => {
    const env = make(id);
    const model = modelOf(env);
    const terminal = model ? terminalStates(model) : new Set<number>();
    const solvedStarts: unknown[] = [];

    for (let seed = 0; seed < 50; seed++) {
      const { observation, info } = env.reset({ seed });
      if (typeof observation === 'number' && terminal.has(observation)) solvedStarts.push(seed);
      // Without a table, a live episode is one that accepts its first step.
      expect(() => env.step(sampleAction(env, new Rng(seed), info))).not.toThrow();
    }
    const initial = model ? Array.from(model.initialStateDistribution) : [];
    initial.forEach((p, s) => p > 0 && terminal.has(s) && solvedStarts.push(`state ${s}`));

    expect(solvedStarts).toEqual([]);
  });

  // PITFALLS P3 (Gymnasium #185): spaces have no generator, so reset(seed) cannot change them.
  it('leaves what a separately seeded Rng samples from the action space unchanged by reset(seed)', () => {
    const before = make(id);
    const fromFresh = Array.from(
      { length: 20 },
      (
        (r) => () =>
          before.actionSpace.sample(r)
      )(new Rng(42)),
    );

    const env = make(id);
    env.reset({ seed: 42 });
    const afterReset = Array.from(
      { length: 20 },
      (
        (r) => () =>
          env.actionSpace.sample(r)
      )(new Rng(42)),
    );

    expect(afterReset).toEqual(fromFresh);
  });

  it('repeats actions and trajectory in two separately made envs seeded with 42 (P3)', () => {
    const run = () => {
      const env = make(id);
      const rng = new Rng(42);
      let { info } = env.reset({ seed: 42 });
      return Array.from({ length: 20 }, () => {
        const action = sampleAction(env, rng, info);
        const r = env.step(action);
        info = r.terminated || r.truncated ? env.reset({ seed: 42 }).info : r.info;
        return [action, r.observation, r.reward, r.terminated, r.truncated];
      });
    };

    expect(run()).toEqual(run());
  });

  it('does not reseed on reset() without a seed', () => {
    const env = make(id);
    env.reset({ seed: 5 });
    const seeded = JSON.stringify(env.getRngState());
    const rng = new Rng(5);
    let { info } = env.reset({ seed: 5 });
    for (let t = 0; t < 30; t++) {
      const r = env.step(sampleAction(env, rng, info));
      info = r.terminated || r.truncated ? env.reset({ seed: 5 }).info : r.info;
    }
    const drew = JSON.stringify(env.getRngState()) !== seeded;

    env.reset();

    // An env that drew numbers must not be back at the freshly seeded state after reset().
    expect(drew ? JSON.stringify(env.getRngState()) !== seeded : true).toBe(true);
  });
});
