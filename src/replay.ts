import type { Env } from './env';
import { CorruptFileError } from './errors';
import { make } from './registry';
import { kwargsFromJSON, streamEpisode, toJSONLine, type EpisodeHeader } from './recording';
import type { Space } from './spaces';
import { Box, Dict, MultiBinary, MultiDiscrete, Tuple } from './spaces';

/** Outcome of {@link replayEpisode}. */
export interface ReplayReport {
  /** True when every recorded step was reproduced exactly. */
  ok: boolean;
  /** Steps compared. */
  steps: number;
  /** The first step that differs, when one does. */
  firstDifference?: {
    /** Step index (0-based; -1 for the reset observation). */
    step: number;
    /** Which field differs: observation, reward, terminated, truncated. */
    field: string;
    /** The recorded value, as JSON. */
    recorded: string;
    /** The value the env produced now, as JSON. */
    replayed: string;
  };
}

/**
 * Turns a JSON value back into a member of `space` (typed arrays for Box and the Multi
 * spaces), so a recorded action can be fed to `step` again.
 */
export function reviveFromJSON(space: Space<unknown>, value: unknown): unknown {
  if (space instanceof Box) {
    const Ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[space.dtype];
    return Ctor.from(value as number[]);
  }
  if (space instanceof MultiDiscrete) return Int32Array.from(value as number[]);
  if (space instanceof MultiBinary) return Int8Array.from(value as number[]);
  if (space instanceof Tuple) {
    return (value as unknown[]).map((v, i) => reviveFromJSON(space.spaces[i], v));
  }
  if (space instanceof Dict) {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(space.spaces)) {
      out[k] = reviveFromJSON(s, (value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

/** Builds the env a recording was made on, from its header alone. */
export function envFromHeader(header: EpisodeHeader): Env<unknown, unknown> {
  return make(header.envId, kwargsFromJSON(header.envKwargs), {
    maxEpisodeSteps: header.maxEpisodeSteps > 0 ? header.maxEpisodeSteps : undefined,
  });
}

function differs(field: string, step: number, recorded: unknown, replayed: unknown) {
  const a = toJSONLine(recorded);
  const b = toJSONLine(replayed);
  return a === b ? undefined : { step, field, recorded: a, replayed: b };
}

/**
 * Re-runs a recorded episode from its header (env id, kwargs, seed or generator state) with
 * the recorded actions, and compares every step. Streams the file, so long episodes fit; a
 * file cut short is reported by CorruptFileError once its end is reached.
 *
 * @param filePath - an episode `.jsonl` file.
 * @returns whether it reproduced, and the first step that differs.
 * @throws CorruptFileError for an unreadable, truncated or malformed recording;
 *   UnknownEnvError when its env id is not registered here.
 * @example
 * ```ts
 * const report = await replayEpisode('runs/demo/episodes/episode-000000.jsonl');
 * const where = report.ok ? null : report.firstDifference;
 * ```
 */
export async function replayEpisode(filePath: string): Promise<ReplayReport> {
  let env: Env<unknown, unknown> | undefined;
  let steps = 0;
  for await (const record of streamEpisode(filePath)) {
    if (record.kind === 'header') {
      env = envFromHeader(record);
      if (record.seed === null && record.rngState) env.setRngState(record.rngState);
      const args = record.seed === null ? {} : { seed: record.seed };
      const options = record.resetOptions && kwargsFromJSON(record.resetOptions);
      const { observation } = env.reset({ ...args, options });
      const diff = differs('observation', -1, record.observation, observation);
      if (diff) return { ok: false, steps, firstDifference: diff };
    } else if (record.kind === 'step') {
      if (!env) throw new CorruptFileError(`${filePath}: step before header.`);
      const action = reviveFromJSON(env.actionSpace, record.action);
      const r = env.step(action);
      steps++;
      for (const field of ['observation', 'reward', 'terminated', 'truncated'] as const) {
        const diff = differs(field, record.t, record[field], r[field]);
        if (diff) return { ok: false, steps, firstDifference: diff };
      }
    }
  }
  env?.close();
  return { ok: true, steps };
}

/** A one-line human summary of a {@link ReplayReport}. */
export function describeReplay(report: ReplayReport): string {
  if (report.ok) return `replayed ${report.steps} steps: identical`;
  const d = report.firstDifference!;
  return `differs at step ${d.step} in ${d.field}: recorded ${d.recorded}, replayed ${d.replayed}`;
}
