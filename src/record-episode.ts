import * as path from 'node:path';
import type { Env, ResetArgs, ResetResult, StepResult } from './env';
import { EpisodeRecorder } from './train';
import { episodeFileName } from './runs';
import { Wrapper } from './wrappers';

/** Options of {@link RecordEpisode}. */
export interface RecordEpisodeOptions {
  /** Folder the `episode-NNNNNN.jsonl` files go to. */
  dir: string;
  /** Which episodes to record, by index from 0. @defaultValue every episode */
  episodeTrigger?: (episodeIndex: number) => boolean;
}

/**
 * Records episodes to JSON-lines files as they are played, for scripts that drive an env by
 * hand. The file streams to disk step by step and appears under its final name only when the
 * episode ends. The probability of each action is recorded when the script reports it with
 * {@link RecordEpisode.setActionProbability} before `step`; otherwise it is null.
 *
 * @example
 * ```ts
 * const env = make('FrozenLake-v1', {}, { wrappers: [(e) => new RecordEpisode(e, { dir: 'eps' })] });
 * ```
 */
export class RecordEpisode<Obs, Act> extends Wrapper<Obs, Act> {
  private episodeIndex = -1;
  private recorder: EpisodeRecorder<Obs, Act> | undefined;
  private pendingProb: number | null = null;

  /**
   * @param env - the env to record.
   * @param options - output folder and trigger.
   */
  constructor(
    env: Env<Obs, Act>,
    private readonly options: RecordEpisodeOptions,
  ) {
    super(env);
  }

  /** The probability the acting policy gave the next action; consumed by the next `step`. */
  setActionProbability(prob: number): void {
    this.pendingProb = prob;
  }

  override reset(args: ResetArgs = {}): ResetResult<Obs> {
    this.recorder?.close();
    this.recorder = undefined;
    this.episodeIndex++;
    const trigger = this.options.episodeTrigger ?? (() => true);
    if (trigger(this.episodeIndex)) {
      const file = path.join(this.options.dir, episodeFileName(this.episodeIndex));
      this.recorder = new EpisodeRecorder(this.env, null, file, {
        episodeIndex: this.episodeIndex,
        kind: 'episode',
      });
    }
    const result = this.env.reset(args);
    this.recorder?.start(result.observation, result.info, args.seed, args.options);
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.recorder?.step({ action, actionProb: this.pendingProb }, result);
    this.pendingProb = null;
    if (result.terminated || result.truncated) {
      this.recorder?.close();
      this.recorder = undefined;
    }
    return result;
  }

  override close(): void {
    this.recorder?.close();
    this.recorder = undefined;
    this.env.close();
  }
}
